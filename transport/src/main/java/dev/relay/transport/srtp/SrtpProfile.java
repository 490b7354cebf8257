package dev.relay.transport.srtp;

import java.util.List;
import org.jitsi.srtp.SrtpPolicy;

/**
 * The SRTP protection profiles the relay negotiates in the DTLS use_srtp extension (RFC 5764
 * §4.1.2), in preference order: AES-128-GCM first because it costs half of CM + HMAC-SHA1 per
 * packet here (docs/benchmarks.md), AES_CM_128_HMAC_SHA1_80 as the profile every WebRTC stack offers.
 */
public enum SrtpProfile {
    /** RFC 7714 §14.2: SRTP_AEAD_AES_128_GCM = {0x00, 0x07}; 16-byte tag, 12-byte salt. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16),
    /** RFC 5764 §4.1.2: SRTP_AES128_CM_HMAC_SHA1_80 = {0x00, 0x01}; 80-bit tag, 14-byte salt. */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10);

    /** What the relay offers (client) or picks from (server), best first. */
    public static final List<SrtpProfile> DEFAULT_PREFERENCE = List.of(AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80);

    /** HMAC-SHA1 session authentication key length n_a = 160 bits, RFC 3711 §4.2.1. */
    private static final int HMAC_SHA1_KEY_LENGTH = 20;

    private final int id;
    private final int keyLength;
    private final int saltLength;
    private final int authTagLength;

    SrtpProfile(int id, int keyLength, int saltLength, int authTagLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.authTagLength = authTagLength;
    }

    /** The two-byte SRTPProtectionProfile value on the wire. */
    public int id() {
        return id;
    }

    /** Master key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** Master salt length in bytes. */
    public int saltLength() {
        return saltLength;
    }

    /** Bytes SRTP appends to an RTP packet (the authentication tag). */
    public int authTagLength() {
        return authTagLength;
    }

    /** Keying material to export: both directions' key and salt, RFC 5764 §4.2. */
    public int keyingMaterialLength() {
        return 2 * (keyLength + saltLength);
    }

    /** The profile with this wire value, or null if the relay does not support it. */
    public static SrtpProfile fromId(int id) {
        for (SrtpProfile profile : values()) {
            if (profile.id == id) {
                return profile;
            }
        }
        return null;
    }

    /** A new jitsi-srtp policy for SRTP with this profile (policies are mutable: one per use). */
    public SrtpPolicy createSrtpPolicy() {
        return createPolicy();
    }

    /**
     * A new jitsi-srtp policy for SRTCP. Both profiles use the same transform and tag length for
     * SRTCP as for SRTP (RFC 5764 §4.1.2, RFC 7714 §9).
     */
    public SrtpPolicy createSrtcpPolicy() {
        return createPolicy();
    }

    private SrtpPolicy createPolicy() {
        if (this == AEAD_AES_128_GCM) {
            // AEAD: no separate authentication transform; the 16-byte GCM tag authenticates.
            return new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength,
                    SrtpPolicy.NULL_AUTHENTICATION, 0, authTagLength, saltLength);
        }
        return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength,
                SrtpPolicy.HMACSHA1_AUTHENTICATION, HMAC_SHA1_KEY_LENGTH, authTagLength, saltLength);
    }
}
