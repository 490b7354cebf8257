package dev.relay.transport.dtls;

import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Bouncy Castle peer ({@link DtlsServerPeer} or {@link DtlsClientPeer}) of one
 * {@link DtlsSession} shares: our certificate, the peer's expected fingerprint, the SRTP profile
 * preference, and what the handshake produced (keys, or the reason it failed). Written by the
 * handshake thread, read by the session after the handshake returns or throws.
 */
final class HandshakeContext {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSession.class);

    /**
     * ECDHE-ECDSA with AES-GCM only: forward secrecy, an AEAD record cipher, and the key type of
     * our certificate. Chromium offers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 first for DTLS 1.2.
     */
    static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    };

    /**
     * Bouncy Castle's first retransmission of our flight, doubling after each (its default, and
     * RFC 6347 §4.2.4.1's recommendation). Made explicit because docs/operations.md counts on it:
     * within the default 10 s timeout a flight goes out at most four times (0, 1, 3, 7 s).
     */
    static final int INITIAL_RESEND_MILLIS = 1000;

    /**
     * Bouncy Castle's own handshake timeout is ours plus this: {@link QueueDatagramTransport}
     * ends the handshake at our deadline itself, because Bouncy Castle resends its flight whenever
     * a wait ends empty, including the wait that ends at its own deadline.
     */
    private static final int BACKSTOP_MILLIS = 1000;

    final DtlsSession.Role role;
    final BcTlsCrypto crypto;
    final DtlsCertificate certificate;
    final CertificateFingerprint remoteFingerprint;
    final List<SrtpProfile> srtpProfiles;
    final int handshakeTimeoutMillis;

    private volatile SrtpProfile selectedProfile;
    private volatile SrtpKeys keys;
    private volatile String failureReason;
    private volatile DtlsFailure failureKind;
    private volatile boolean closeNotifyReceived;
    private volatile short fatalAlertReceived = -1;

    HandshakeContext(DtlsSession.Role role, DtlsCertificate certificate, CertificateFingerprint remoteFingerprint,
                     List<SrtpProfile> srtpProfiles, int handshakeTimeoutMillis) {
        this.role = role;
        this.crypto = new BcTlsCrypto();
        this.certificate = certificate;
        this.remoteFingerprint = remoteFingerprint;
        this.srtpProfiles = srtpProfiles;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /**
     * Accepts the peer's certificate only if it hashes to the SDP fingerprint (RFC 8122 §5,
     * RFC 8827 §6.5). An empty chain is refused: WebRTC requires both sides to present one
     * (RFC 5763 §5), and without it there is nothing binding the handshake to the signaling.
     */
    void verifyPeerCertificate(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw fail(AlertDescription.handshake_failure, DtlsFailure.BAD_FINGERPRINT, "peer presented no certificate");
        }
        byte[] der = chain.getCertificateAt(0).getEncoded();
        if (!remoteFingerprint.matches(der)) {
            throw fail(AlertDescription.bad_certificate, DtlsFailure.BAD_FINGERPRINT,
                    "remote certificate fingerprint mismatch: expected "
                    + remoteFingerprint.algorithm() + " " + remoteFingerprint.expected()
                    + ", got " + remoteFingerprint.of(der));
        }
    }

    /**
     * Our signing credentials for ServerKeyExchange (server) or CertificateVerify (client). The
     * key is P-256, so the scheme is ecdsa_secp256r1_sha256 if the peer lists it; a peer that
     * sends no signature_algorithms implies {sha1, ecdsa} (RFC 5246 §7.4.1.4.1).
     */
    TlsCredentialedSigner signerCredentials(TlsContext context, Vector<?> peerSignatureAlgorithms) throws IOException {
        SignatureAndHashAlgorithm chosen = null;
        if (peerSignatureAlgorithms == null) {
            chosen = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa);
        } else {
            for (Object o : peerSignatureAlgorithms) {
                SignatureAndHashAlgorithm alg = (SignatureAndHashAlgorithm) o;
                if (alg.getSignature() == SignatureAlgorithm.ecdsa && alg.getHash() == HashAlgorithm.sha256) {
                    chosen = alg;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw fail(AlertDescription.handshake_failure, "peer does not accept ECDSA with SHA-256 signatures");
        }
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), certificate.tlsCertificate(crypto), chosen);
    }

    /** Our use_srtp offer (client): every profile we support, best first, no MKI (RFC 5764 §4.1.1). */
    UseSRTPData offer() {
        int[] ids = new int[srtpProfiles.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = srtpProfiles.get(i).id();
        }
        return new UseSRTPData(ids, TlsUtils.EMPTY_BYTES);
    }

    /**
     * Server side of RFC 5764 §4.1.1: pick the first profile of OUR preference that the client
     * offers. Chromium lists AES_CM_128_HMAC_SHA1_80 first, so honouring the client's order would
     * lose GCM. A client without a common profile gets a handshake failure: WebRTC without SRTP
     * keys is useless, better to fail now with a reason than carry an association nobody can use.
     */
    SrtpProfile selectProfile(UseSRTPData clientOffer) throws TlsFatalAlert {
        if (clientOffer == null) {
            throw fail(AlertDescription.handshake_failure, "peer did not offer use_srtp (RFC 5764)");
        }
        int[] offered = clientOffer.getProtectionProfiles();
        for (SrtpProfile preferred : srtpProfiles) {
            for (int id : offered) {
                if (id == preferred.id()) {
                    selectedProfile = preferred;
                    return preferred;
                }
            }
        }
        throw fail(AlertDescription.handshake_failure,
                "no common SRTP protection profile; peer offered " + describeProfiles(offered));
    }

    /** Client side of RFC 5764 §4.1.1: the server must pick exactly one profile we offered. */
    void acceptServerSelection(UseSRTPData serverChoice) throws TlsFatalAlert {
        if (serverChoice == null) {
            throw fail(AlertDescription.handshake_failure, "server did not negotiate use_srtp (RFC 5764)");
        }
        int[] chosen = serverChoice.getProtectionProfiles();
        SrtpProfile profile = chosen.length == 1 ? SrtpProfile.fromId(chosen[0]) : null;
        if (profile == null || !srtpProfiles.contains(profile)) {
            throw fail(AlertDescription.illegal_parameter,
                    "server selected an SRTP profile we did not offer: " + describeProfiles(chosen));
        }
        selectedProfile = profile;
    }

    /**
     * Exports the SRTP keying material (RFC 5764 §4.2). Called from the peer's
     * notifyHandshakeComplete: Bouncy Castle clears the master secret when accept/connect
     * returns, so the exporter only works inside the handshake.
     */
    void deriveKeys(TlsContext context) throws IOException {
        SrtpProfile profile = selectedProfile;
        if (profile == null) {
            throw fail(AlertDescription.internal_error, "handshake completed without an SRTP profile");
        }
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
        keys = SrtpKeys.fromKeyingMaterial(profile, material, role == DtlsSession.Role.CLIENT);
        Arrays.fill(material, (byte) 0);
    }

    void onAlertRaised(short level, short description, String message, Throwable cause) {
        if (level == AlertLevel.fatal) {
            LOG.debug("DTLS {} raised fatal alert {}: {}", role, AlertDescription.getText(description), message, cause);
        }
    }

    void onAlertReceived(short level, short description) {
        if (description == AlertDescription.close_notify) {
            closeNotifyReceived = true;
        } else if (level == AlertLevel.fatal) {
            fatalAlertReceived = description;
        }
        LOG.debug("DTLS {} received {} alert {}", role, AlertLevel.getText(level), AlertDescription.getText(description));
    }

    /** Records the first failure reason, a protocol error, and returns the alert to throw. */
    TlsFatalAlert fail(short alertDescription, String reason) {
        return fail(alertDescription, DtlsFailure.PROTOCOL_ERROR, reason);
    }

    /** Records the first failure reason and its kind, and returns the alert to throw. */
    TlsFatalAlert fail(short alertDescription, DtlsFailure kind, String reason) {
        if (failureReason == null) {
            failureReason = reason;
            failureKind = kind;
        }
        return new TlsFatalAlert(alertDescription, reason);
    }

    /** The timeout Bouncy Castle is given: ours, which the transport enforces, plus a backstop. */
    int backstopTimeoutMillis() {
        return handshakeTimeoutMillis + BACKSTOP_MILLIS;
    }

    SrtpKeys keys() {
        return keys;
    }

    SrtpProfile selectedProfile() {
        return selectedProfile;
    }

    String failureReason() {
        return failureReason;
    }

    /** The kind of the first failure our own checks recorded, or null. */
    DtlsFailure failureKind() {
        return failureKind;
    }

    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** The fatal alert the peer sent, or -1. */
    short fatalAlertReceived() {
        return fatalAlertReceived;
    }

    private static String describeProfiles(int[] ids) {
        List<String> names = new ArrayList<>(ids.length);
        for (int id : ids) {
            SrtpProfile known = SrtpProfile.fromId(id);
            names.add(known != null ? known.name() : String.format("0x%04X", id));
        }
        return names.toString();
    }
}
