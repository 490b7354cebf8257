package dev.relay.signaling.sdp;

import dev.relay.transport.dtls.DtlsSession;
import java.util.Locale;

/**
 * What the peer's SDP says about its side of a BUNDLE transport: ICE credentials, DTLS
 * fingerprint and role. Validated on creation; anything WebRTC requires and is missing is an
 * {@link SdpException} with a message the client can act on.
 */
public record RemoteTransportInfo(String iceUfrag, String icePwd, String fingerprintAlgorithm,
                                  String fingerprint, String setup) {
    /** Enough of a bad value to recognise it; the SDP may carry up to 64 KiB of it. */
    private static final int MAX_QUOTED_CHARS = 120;

    static RemoteTransportInfo of(SessionDescription sdp, MediaDescription first) throws SdpException {
        String group = sdp.attribute("group");
        if (group == null || !group.startsWith("BUNDLE")) {
            throw new SdpException("the relay needs a=group:BUNDLE (RFC 9143); set bundlePolicy 'max-bundle'");
        }
        if (!first.hasAttribute("rtcp-mux")) {
            throw new SdpException("the relay needs a=rtcp-mux (RFC 5761) in every m-section");
        }
        String ufrag = sdp.attribute(first, "ice-ufrag");
        String pwd = sdp.attribute(first, "ice-pwd");
        if (ufrag == null || pwd == null || ufrag.isBlank() || pwd.isBlank()) {
            throw new SdpException("a=ice-ufrag and a=ice-pwd are required");
        }
        String fingerprint = sdp.attribute(first, "fingerprint");
        if (fingerprint == null) {
            throw new SdpException("a=fingerprint is required (DTLS-SRTP, RFC 5763)");
        }
        String[] parts = fingerprint.trim().split("\\s+");
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("sha-256")) {
            throw new SdpException("a=fingerprint must be sha-256 <hex>, got: " + quote(fingerprint));
        }
        // Checked here, as a session would parse it, so that a bad value is a bad_sdp reply
        // before any Transport state changes (RFC 8122 §5: 32 hex pairs for sha-256).
        try {
            DtlsSession.checkFingerprint(parts[0], parts[1]);
        } catch (IllegalArgumentException e) {
            throw new SdpException("a=fingerprint is not a sha-256 fingerprint (32 hex bytes, colon-separated, "
                    + "RFC 8122): " + quote(parts[1]));
        }
        String setup = sdp.attribute(first, "setup");
        if (setup == null) {
            throw new SdpException("a=setup is required (RFC 4145)");
        }
        return new RemoteTransportInfo(ufrag.trim(), pwd.trim(), parts[0].toLowerCase(Locale.ROOT),
                parts[1].toUpperCase(Locale.ROOT), setup.trim());
    }

    private static String quote(String value) {
        return value.length() <= MAX_QUOTED_CHARS ? value : value.substring(0, MAX_QUOTED_CHARS) + "...";
    }
}
