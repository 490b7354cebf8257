package dev.relay.signaling.sdp;

import java.util.List;

/**
 * What our SDP says about one of our Transports: ICE-lite credentials, host candidates
 * (RFC 8839 §5.1) and our DTLS certificate fingerprint (RFC 8122 §5).
 *
 * @param port    the UDP port of the host candidates
 * @param tcpPort the port of passive ICE-TCP host candidates (RFC 6544), or -1 for none
 */
public record LocalTransportInfo(String iceUfrag, String icePwd, String fingerprintSha256,
                                 List<String> candidateAddresses, int port, int tcpPort) {
    /**
     * Type preference of a TCP host candidate (RFC 8445 §5.1.2.2: 0..126): below UDP's 126, so a
     * peer that can use UDP does (RFC 6544 §4.2), TCP is the fallback.
     */
    static final int TCP_TYPE_PREFERENCE = 100;

    /** UDP host candidates only. */
    public LocalTransportInfo(String iceUfrag, String icePwd, String fingerprintSha256,
                              List<String> candidateAddresses, int port) {
        this(iceUfrag, icePwd, fingerprintSha256, candidateAddresses, port, -1);
    }

    void appendTransportAttributes(StringBuilder sdp, String setup) {
        int foundation = 1;
        for (String address : candidateAddresses) {
            // Host candidate, component 1 (rtcp-mux), highest type preference (RFC 8445 §5.1.2.1).
            sdp.append("a=candidate:").append(foundation++).append(" 1 udp 2130706431 ")
                    .append(address).append(' ').append(port).append(" typ host\r\n");
        }
        if (tcpPort >= 0) {
            for (String address : candidateAddresses) {
                // RFC 6544 §4.5: "tcptype passive"; we accept connections, never open them.
                sdp.append("a=candidate:").append(foundation++).append(" 1 tcp ").append(TCP_PRIORITY)
                        .append(' ').append(address).append(' ').append(tcpPort)
                        .append(" typ host tcptype passive\r\n");
            }
        }
        sdp.append("a=end-of-candidates\r\n");
        sdp.append("a=ice-ufrag:").append(iceUfrag).append("\r\n");
        sdp.append("a=ice-pwd:").append(icePwd).append("\r\n");
        appendFingerprint(sdp);
        sdp.append("a=setup:").append(setup).append("\r\n");
    }

    /**
     * RFC 8445 §5.1.2.1 priority with the local preference of RFC 6544 §4.2: direction
     * preference 4 for passive ({@code 2^13 * 4}) plus the highest other preference (8191), as
     * the UDP candidates have the highest local preference. Component 1.
     */
    static final long TCP_PRIORITY = ((long) TCP_TYPE_PREFERENCE << 24) + (((1L << 13) * 4 + 8191) << 8) + (256 - 1);

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
