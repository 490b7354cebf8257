package dev.relay.signaling.sdp;

import java.util.List;

/**
 * What our SDP says about one of our Transports: ICE-lite credentials, host candidates
 * (RFC 8839 §5.1) and our DTLS certificate fingerprint (RFC 8122 §5).
 */
public record LocalTransportInfo(String iceUfrag, String icePwd, String fingerprintSha256,
                                 List<String> candidateAddresses, int port) {

    void appendTransportAttributes(StringBuilder sdp, String setup) {
        int foundation = 1;
        for (String address : candidateAddresses) {
            // Host candidate, component 1 (rtcp-mux), highest type preference (RFC 8445 §5.1.2.1).
            sdp.append("a=candidate:").append(foundation++).append(" 1 udp 2130706431 ")
                    .append(address).append(' ').append(port).append(" typ host\r\n");
        }
        sdp.append("a=end-of-candidates\r\n");
        sdp.append("a=ice-ufrag:").append(iceUfrag).append("\r\n");
        sdp.append("a=ice-pwd:").append(icePwd).append("\r\n");
        appendFingerprint(sdp);
        sdp.append("a=setup:").append(setup).append("\r\n");
    }

    void appendFingerprint(StringBuilder sdp) {
        sdp.append("a=fingerprint:sha-256 ").append(fingerprintSha256).append("\r\n");
    }

    static void appendSessionHeader(StringBuilder sdp, long sessionId, long version) {
        sdp.append("v=0\r\n");
        sdp.append("o=- ").append(sessionId).append(' ').append(version).append(" IN IP4 127.0.0.1\r\n");
        sdp.append("s=-\r\n");
        sdp.append("t=0 0\r\n");
    }
}
