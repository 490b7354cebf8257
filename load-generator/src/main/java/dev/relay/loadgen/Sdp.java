package dev.relay.loadgen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SDP a browser would write for the load generator's two PeerConnections, and a reader for
 * the relay's SDP. Only what BUNDLE + rtcp-mux + ICE + DTLS-SRTP with Opus and VP8 needs
 * (RFC 8829 JSEP, RFC 8843 BUNDLE, RFC 8839 ICE attributes, RFC 8122 fingerprint).
 */
final class Sdp {
    static final int PT_OPUS = 111;
    static final int PT_VP8 = 96;
    /**
     * An active TCP host candidate's priority (RFC 8445 §5.1.2.1): type preference 126 (host),
     * local preference 2^13 * 6 + 8191 (RFC 6544 §4.2: direction preference 6 for an active host
     * candidate), component 1.
     */
    static final long TCP_ACTIVE_HOST_PRIORITY = (126L << 24) + ((6L * 8192 + 8191) << 8) + 255;

    private Sdp() {
    }

    /**
     * Our side of one transport, as the SDP announces it: its host candidate is {@code address:port}
     * over {@code protocol}, "udp", or "tcp" for an active ICE-TCP candidate (RFC 6544 §4.5).
     */
    record LocalTransport(String iceUfrag, String icePwd, String fingerprintSha256, String address, int port,
                          String protocol) {
        LocalTransport(String iceUfrag, String icePwd, String fingerprintSha256, String address, int port) {
            this(iceUfrag, icePwd, fingerprintSha256, address, port, "udp");
        }

        LocalTransport(String iceUfrag, String icePwd, String fingerprintSha256, int port) {
            this(iceUfrag, icePwd, fingerprintSha256, "127.0.0.1", port);
        }
    }

    /** One m-section of the relay's SDP. */
    record Media(String kind, int port, String mid, String direction, List<Integer> formats,
                 Map<Integer, String> rtpmaps, Map<Integer, String> fmtps, Map<Integer, List<String>> rtcpFbs,
                 String msid, long ssrc, boolean rtcpRsize) {

        /** The track id of {@code a=msid:<stream> <track>}, or null. */
        String trackId() {
            if (msid == null) {
                return null;
            }
            String[] parts = msid.trim().split("\\s+");
            return parts.length == 2 ? parts[1] : null;
        }

        String streamId() {
            if (msid == null) {
                return null;
            }
            return msid.trim().split("\\s+")[0];
        }

        boolean isActiveSend() {
            return port != 0 && ("sendonly".equals(direction) || "sendrecv".equals(direction));
        }
    }

    /**
     * The relay's transport parameters and m-sections.
     *
     * @param candidate    its UDP host candidate we can reach
     * @param tcpCandidate its passive ICE-TCP host candidate we can reach (RFC 6544), or null
     */
    record Remote(String iceUfrag, String icePwd, String fingerprintAlgorithm, String fingerprint, String setup,
                  InetSocketAddress candidate, InetSocketAddress tcpCandidate, List<Media> media) {
    }

    /**
     * Reads the relay's answer or offer. The relay is ICE-lite and puts identical transport
     * attributes in every m-section; the first m-section that has them wins.
     *
     * @throws IllegalArgumentException if something WebRTC needs is missing, or the server
     *         offers no candidate on this machine: loopback, or the RFC 2544 benchmarking range
     *         198.18.0.0/15 that the load generator gives its network namespaces (it sends
     *         nowhere else)
     */
    static Remote parse(String sdp) {
        String ufrag = null;
        String pwd = null;
        String fingerprint = null;
        String setup = null;
        InetSocketAddress candidate = null;
        InetSocketAddress tcpCandidate = null;
        List<Media> media = new ArrayList<>();
        MediaBuilder current = null;
        for (String rawLine : sdp.split("\r?\n")) {
            String line = rawLine.trim();
            if (line.startsWith("m=")) {
                if (current != null) {
                    media.add(current.build());
                }
                current = new MediaBuilder(line.substring(2));
                continue;
            }
            if (!line.startsWith("a=")) {
                continue;
            }
            String attribute = line.substring(2);
            int colon = attribute.indexOf(':');
            String name = colon < 0 ? attribute : attribute.substring(0, colon);
            String value = colon < 0 ? "" : attribute.substring(colon + 1);
            switch (name) {
                case "ice-ufrag" -> ufrag = ufrag == null ? value.trim() : ufrag;
                case "ice-pwd" -> pwd = pwd == null ? value.trim() : pwd;
                case "fingerprint" -> fingerprint = fingerprint == null ? value.trim() : fingerprint;
                case "setup" -> setup = setup == null ? value.trim() : setup;
                case "candidate" -> {
                    // A namespace address wins over loopback: a server in a namespace cannot be
                    // reached at the load generator's 127.0.0.1.
                    InetSocketAddress c = localCandidate(value, false);
                    if (c != null && better(c, candidate)) {
                        candidate = c;
                    }
                    InetSocketAddress t = localCandidate(value, true);
                    if (t != null && better(t, tcpCandidate)) {
                        tcpCandidate = t;
                    }
                }
                default -> {
                    if (current != null) {
                        current.attribute(name, value);
                    }
                }
            }
        }
        if (current != null) {
            media.add(current.build());
        }
        if (ufrag == null || pwd == null) {
            throw new IllegalArgumentException("relay SDP lacks a=ice-ufrag / a=ice-pwd");
        }
        if (fingerprint == null || fingerprint.split("\\s+").length != 2) {
            throw new IllegalArgumentException("relay SDP lacks a=fingerprint");
        }
        if (candidate == null) {
            throw new IllegalArgumentException("server SDP has no UDP host candidate on 127.0.0.1 or 198.18.0.0/15"
                    + " (start the relay with --advertise 127.0.0.1)");
        }
        String[] fp = fingerprint.split("\\s+");
        return new Remote(ufrag, pwd, fp[0].toLowerCase(Locale.ROOT), fp[1], setup, candidate, tcpCandidate,
                List.copyOf(media));
    }

    /** The first candidate wins, except that a namespace address beats loopback. */
    private static boolean better(InetSocketAddress c, InetSocketAddress current) {
        return current == null || (current.getAddress().isLoopbackAddress() && !c.getAddress().isLoopbackAddress());
    }

    /**
     * {@code foundation component transport priority address port typ type ...} (RFC 8839 §5.1):
     * a UDP candidate, or with {@code tcp} a TCP one with {@code tcptype passive}, the only kind
     * an active candidate connects to (RFC 6544 §4.5).
     */
    private static InetSocketAddress localCandidate(String value, boolean tcp) {
        String[] t = value.trim().split("\\s+");
        if (t.length < 8 || !t[2].equalsIgnoreCase(tcp ? "tcp" : "udp") || !t[6].equals("typ")) {
            return null;
        }
        if (tcp && !passive(t)) {
            return null;
        }
        try {
            InetAddress address = InetAddress.getByName(t[4]);
            if (!isLocalTarget(address)) {
                return null;
            }
            return new InetSocketAddress(address, Integer.parseInt(t[5]));
        } catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
    }

    private static boolean passive(String[] tokens) {
        for (int i = 8; i + 1 < tokens.length; i++) {
            if (tokens[i].equals("tcptype")) {
                return tokens[i + 1].equals("passive");
            }
        }
        return false;
    }

    /** IPv4 loopback, or 198.18.0.0/15 (benchmarking, RFC 6890 §2.2.2), where the load generator puts its namespaces. */
    static boolean isLocalTarget(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != 4) {
            return false;
        }
        return address.isLoopbackAddress() || ((a[0] & 0xFF) == 198 && (a[1] & 0xFE) == 18);
    }

    /**
     * The offer of a publish PeerConnection, shaped like Chromium's (audio first, then video):
     * BUNDLE, rtcp-mux, actpass, one SSRC per track announced with cname and msid.
     */
    static String publishOffer(LocalTransport local, long sessionId, String streamId,
                               String audioTrackId, long audioSsrc, String videoTrackId, long videoSsrc) {
        StringBuilder sdp = new StringBuilder(2048);
        List<String> mids = new ArrayList<>();
        if (audioTrackId != null) {
            mids.add("0");
        }
        if (videoTrackId != null) {
            mids.add(String.valueOf(mids.size()));
        }
        header(sdp, sessionId);
        sdp.append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n");
        sdp.append("a=extmap-allow-mixed\r\n");
        sdp.append("a=msid-semantic: WMS ").append(streamId).append("\r\n");
        int mid = 0;
        if (audioTrackId != null) {
            media(sdp, "audio", PT_OPUS, local, "actpass", String.valueOf(mid++), "sendonly", true); // BUNDLE: the first m-section carries the candidate
            sdp.append("a=msid:").append(streamId).append(' ').append(audioTrackId).append("\r\n");
            sdp.append("a=rtcp-mux\r\n");
            sdp.append("a=rtpmap:111 opus/48000/2\r\n");
            sdp.append("a=fmtp:111 minptime=10;useinbandfec=1\r\n");
            ssrc(sdp, audioSsrc, streamId, audioTrackId);
        }
        if (videoTrackId != null) {
            media(sdp, "video", PT_VP8, local, "actpass", String.valueOf(mid), "sendonly", mid == 0);
            sdp.append("a=msid:").append(streamId).append(' ').append(videoTrackId).append("\r\n");
            sdp.append("a=rtcp-mux\r\n");
            sdp.append("a=rtcp-rsize\r\n");
            sdp.append("a=rtpmap:96 VP8/90000\r\n");
            sdp.append("a=rtcp-fb:96 nack\r\n");
            sdp.append("a=rtcp-fb:96 nack pli\r\n");
            sdp.append("a=rtcp-fb:96 ccm fir\r\n");
            ssrc(sdp, videoSsrc, streamId, videoTrackId);
        }
        return sdp.toString();
    }

    /**
     * Our answer to a subscribe offer: every m-section accepted with the offer's codec,
     * {@code recvonly} (or {@code inactive} where the relay offers inactive), DTLS active.
     */
    static String subscribeAnswer(LocalTransport local, long sessionId, List<Media> offered) {
        return subscribeAnswer(local, sessionId, offered, false);
    }

    /**
     * @param candidates also announce our host candidate, for a full-ICE server (Janus) that
     *        checks it (RFC 8445 §6.1.4); the ICE-lite relay learns our address from our checks
     */
    static String subscribeAnswer(LocalTransport local, long sessionId, List<Media> offered, boolean candidates) {
        StringBuilder sdp = new StringBuilder(512 + 384 * offered.size());
        header(sdp, sessionId);
        List<String> mids = new ArrayList<>();
        for (Media m : offered) {
            if (m.port() != 0) {
                mids.add(m.mid());
            }
        }
        sdp.append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n");
        sdp.append("a=msid-semantic: WMS\r\n");
        for (Media m : offered) {
            int pt = m.formats().isEmpty() ? 0 : m.formats().get(0);
            if (m.port() == 0) {
                sdp.append("m=").append(m.kind()).append(" 0 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n");
                sdp.append("c=IN IP4 0.0.0.0\r\n");
                sdp.append("a=mid:").append(m.mid()).append("\r\n");
                continue;
            }
            String direction = "inactive".equals(m.direction()) ? "inactive" : "recvonly";
            // With BUNDLE one transport serves all: the candidate goes in the first m-section only.
            media(sdp, m.kind(), pt, local, "active", m.mid(), direction, candidates && m.mid().equals(mids.get(0)));
            sdp.append("a=rtcp-mux\r\n");
            if (m.rtcpRsize()) {
                sdp.append("a=rtcp-rsize\r\n");
            }
            String rtpmap = m.rtpmaps().get(pt);
            if (rtpmap != null) {
                sdp.append("a=rtpmap:").append(pt).append(' ').append(rtpmap).append("\r\n");
            }
            for (String fb : m.rtcpFbs().getOrDefault(pt, List.of())) {
                sdp.append("a=rtcp-fb:").append(pt).append(' ').append(fb).append("\r\n");
            }
            String fmtp = m.fmtps().get(pt);
            if (fmtp != null) {
                sdp.append("a=fmtp:").append(pt).append(' ').append(fmtp).append("\r\n");
            }
        }
        return sdp.toString();
    }

    private static void header(StringBuilder sdp, long sessionId) {
        sdp.append("v=0\r\n");
        sdp.append("o=- ").append(sessionId).append(" 2 IN IP4 127.0.0.1\r\n");
        sdp.append("s=-\r\n");
        sdp.append("t=0 0\r\n");
    }

    private static void media(StringBuilder sdp, String kind, int pt, LocalTransport local, String setup, String mid,
                              String direction, boolean candidate) {
        sdp.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n");
        sdp.append("c=IN IP4 0.0.0.0\r\n");
        sdp.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
        if (candidate) {
            // A host candidate as a browser gathers it; the ICE-lite relay learns our address
            // from our checks anyway (RFC 8445 §2.5).
            if ("tcp".equals(local.protocol())) {
                sdp.append("a=candidate:2 1 tcp ").append(TCP_ACTIVE_HOST_PRIORITY).append(' ').append(local.address())
                        .append(' ').append(local.port()).append(" typ host tcptype active generation 0\r\n");
            } else {
                sdp.append("a=candidate:1 1 udp 2122260223 ").append(local.address()).append(' ').append(local.port())
                        .append(" typ host generation 0\r\n");
            }
        }
        sdp.append("a=ice-ufrag:").append(local.iceUfrag()).append("\r\n");
        sdp.append("a=ice-pwd:").append(local.icePwd()).append("\r\n");
        sdp.append("a=ice-options:trickle\r\n");
        sdp.append("a=fingerprint:sha-256 ").append(local.fingerprintSha256()).append("\r\n");
        sdp.append("a=setup:").append(setup).append("\r\n");
        sdp.append("a=mid:").append(mid).append("\r\n");
        sdp.append("a=").append(direction).append("\r\n");
    }

    private static void ssrc(StringBuilder sdp, long ssrc, String streamId, String trackId) {
        sdp.append("a=ssrc:").append(ssrc).append(" cname:").append(streamId).append("\r\n");
        sdp.append("a=ssrc:").append(ssrc).append(" msid:").append(streamId).append(' ').append(trackId)
                .append("\r\n");
    }

    private static final class MediaBuilder {
        private final String kind;
        private final int port;
        private final List<Integer> formats = new ArrayList<>();
        private final Map<Integer, String> rtpmaps = new LinkedHashMap<>();
        private final Map<Integer, String> fmtps = new LinkedHashMap<>();
        private final Map<Integer, List<String>> rtcpFbs = new LinkedHashMap<>();
        private String mid;
        private String direction = "sendrecv";
        private String msid;
        private long ssrc;
        private boolean rtcpRsize;

        /** {@code <media> <port> <proto> <fmt> ...} (RFC 8866 §5.14). */
        MediaBuilder(String mLine) {
            String[] t = mLine.trim().split("\\s+");
            if (t.length < 3) {
                throw new IllegalArgumentException("bad m= line: " + mLine);
            }
            kind = t[0];
            port = Integer.parseInt(t[1]);
            for (int i = 3; i < t.length; i++) {
                try {
                    formats.add(Integer.parseInt(t[i]));
                } catch (NumberFormatException e) {
                    // Non-RTP formats do not occur in the relay's SDP; ignore them.
                }
            }
        }

        void attribute(String name, String value) {
            switch (name) {
                case "mid" -> mid = value.trim();
                case "sendonly", "recvonly", "sendrecv", "inactive" -> direction = name;
                case "msid" -> msid = value.trim();
                case "rtcp-rsize" -> rtcpRsize = true;
                case "rtpmap", "fmtp", "rtcp-fb" -> {
                    String v = value.trim();
                    int space = v.indexOf(' ');
                    if (space <= 0) {
                        return;
                    }
                    int pt;
                    try {
                        pt = Integer.parseInt(v.substring(0, space));
                    } catch (NumberFormatException e) {
                        return;
                    }
                    String rest = v.substring(space + 1).trim();
                    if (name.equals("rtpmap")) {
                        rtpmaps.put(pt, rest);
                    } else if (name.equals("fmtp")) {
                        fmtps.put(pt, rest);
                    } else {
                        rtcpFbs.computeIfAbsent(pt, k -> new ArrayList<>()).add(rest);
                    }
                }
                case "ssrc" -> {
                    // a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1): the first one names the stream.
                    if (ssrc == 0) {
                        String v = value.trim();
                        int space = v.indexOf(' ');
                        try {
                            ssrc = Long.parseLong(space < 0 ? v : v.substring(0, space));
                        } catch (NumberFormatException e) {
                            // Leave 0: the stream is then not expected.
                        }
                    }
                }
                default -> {
                }
            }
        }

        Media build() {
            return new Media(kind, port, mid, direction, List.copyOf(formats), Map.copyOf(rtpmaps), Map.copyOf(fmtps),
                    Map.copyOf(rtcpFbs), msid, ssrc, rtcpRsize);
        }
    }
}
