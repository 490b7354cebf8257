package dev.relay.signaling.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers a publisher's offer (RFC 8829 §5.3): every audio/video m-section the client sends is
 * accepted {@code recvonly} with the offerer's most preferred codec the relay forwards
 * ({@link CodecChoice}); everything else is rejected with port 0 and, unless the offerer turned
 * it off itself, a reason. The relay answers {@code a=setup:passive} and is the DTLS server.
 */
public final class PublishNegotiation {
    /** Header extensions the relay keeps on the publisher side (RFC 8843 MID for SSRC binding). */
    public static final String MID_EXTENSION = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /** RFC 8852 §3.3: the rid of a simulcast layer, by which the relay binds the layer's SSRC. */
    public static final String RID_EXTENSION = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    /** draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: the relay feeds back every arrival. */
    /** RFC 6464: the level of each audio packet, passed on to subscribers (active speaker, level meters). */
    public static final String AUDIO_LEVEL_EXTENSION = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /** RFC 8852 §3.2: names the layer a simulcast RTX packet repairs. */
    public static final String REPAIRED_RID_EXTENSION = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public static final String TRANSPORT_CC_EXTENSION =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    private final RemoteTransportInfo remote;
    private final List<TrackOffer> tracks;
    private final List<Rejection> rejected;
    private final Map<String, Integer> extensions;
    private final String answer;

    /**
     * An offered m-section the relay answered with port 0, and why; the client is told (the
     * {@code rejected} field of {@code publishAnswer}, docs/signaling.md).
     */
    public record Rejection(String mid, String kind, String reason) {
    }

    private PublishNegotiation(RemoteTransportInfo remote, List<TrackOffer> tracks, List<Rejection> rejected,
                               Map<String, Integer> extensions, String answer) {
        this.remote = remote;
        this.tracks = tracks;
        this.rejected = rejected;
        this.extensions = extensions;
        this.answer = answer;
    }

    public static PublishNegotiation answer(String offerSdp, LocalTransportInfo local, long sessionId, long version)
            throws SdpException {
        return answer(offerSdp, local, sessionId, version, false, false);
    }

    public static PublishNegotiation answer(String offerSdp, LocalTransportInfo local, long sessionId, long version,
                                            boolean simulcast) throws SdpException {
        return answer(offerSdp, local, sessionId, version, simulcast, false);
    }

    /**
     * @param simulcast       whether simulcast sections (RFC 8853: {@code a=simulcast:send}, {@code a=rid},
     *                        no {@code a=ssrc}) are taken; otherwise they are rejected with a reason
     * @param retransmissions whether the relay NACKs a single-stream video section and takes its RTX
     *                        (RFC 4585 §6.2.1, RFC 4588) when the offer has them
     */
    public static PublishNegotiation answer(String offerSdp, LocalTransportInfo local, long sessionId, long version,
                                            boolean simulcast, boolean retransmissions) throws SdpException {
        return answer(offerSdp, local, sessionId, version, simulcast, retransmissions, false);
    }

    /**
     * @param red whether the relay asks for Opus in RED (RFC 2198) where the offer has it, by
     *            answering {@code red} before {@code opus}: libwebrtc then sends every frame with
     *            the one before it (docs/quality.md "Audio redundancy")
     */
    public static PublishNegotiation answer(String offerSdp, LocalTransportInfo local, long sessionId, long version,
                                            boolean simulcast, boolean retransmissions, boolean red)
            throws SdpException {
        SessionDescription offer = SessionDescription.parse(offerSdp);
        if (offer.media().isEmpty()) {
            throw new SdpException("the offer has no m-sections");
        }
        RemoteTransportInfo remote = RemoteTransportInfo.of(offer, offer.media().get(0));
        if (remote.setup().equals("passive")) {
            throw new SdpException("the relay is the DTLS server: offer a=setup:actpass or active");
        }
        StringBuilder body = new StringBuilder();
        List<String> bundle = new ArrayList<>();
        List<TrackOffer> tracks = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        Map<String, Integer> extensions = new HashMap<>();
        for (MediaDescription m : offer.media()) {
            String mid = m.mid();
            if (mid == null) {
                throw new SdpException("every m-section needs a=mid (RFC 8843)");
            }
            Verdict verdict = acceptable(m, simulcast, retransmissions, red);
            if (verdict.rejection() != null) {
                rejected.add(verdict.rejection());
            }
            TrackOffer track = verdict.track();
            if (track == null) {
                body.append("m=").append(m.kind()).append(" 0 ").append(m.protocol()).append(' ')
                        .append(m.formats().isEmpty() ? "0" : m.formats().get(0)).append("\r\n");
                body.append("c=IN IP4 0.0.0.0\r\n");
                body.append("a=mid:").append(mid).append("\r\n");
                continue;
            }
            bundle.add(mid);
            tracks.add(track);
            m.extmaps().forEach(extensions::putIfAbsent);
            int pt = track.payloadType();
            int rtxPt = track.rtxPayloadType();
            int redPt = track.redPayloadType();
            body.append("m=").append(m.kind()).append(" 9 UDP/TLS/RTP/SAVPF ").append(redPt >= 0 ? redPt + " " : "")
                    .append(pt).append(rtxPt >= 0 ? " " + rtxPt : "").append("\r\n");
            body.append("c=IN IP4 0.0.0.0\r\n");
            body.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
            local.appendTransportAttributes(body, "passive");
            body.append("a=mid:").append(mid).append("\r\n");
            // RFC 8285 §6: the answer uses the offer's ids, for the extensions the relay reads.
            appendExtension(body, m, MID_EXTENSION);
            if (track.simulcast()) {
                appendExtension(body, m, RID_EXTENSION);
                if (track.repaired()) {
                    appendExtension(body, m, REPAIRED_RID_EXTENSION);
                }
            }
            boolean transportCc = appendExtension(body, m, TRANSPORT_CC_EXTENSION);
            if (m.kind().equals("audio")) {
                appendExtension(body, m, AUDIO_LEVEL_EXTENSION);
            }
            body.append("a=recvonly\r\n");
            body.append("a=rtcp-mux\r\n");
            if (m.hasAttribute("rtcp-rsize")) {
                body.append("a=rtcp-rsize\r\n");
            }
            body.append("a=rtpmap:").append(pt).append(' ').append(m.rtpmaps().get(pt)).append("\r\n");
            if (m.kind().equals("video")) {
                if (rtxPt >= 0) {
                    body.append("a=rtcp-fb:").append(pt).append(" nack\r\n"); // the relay NACKs its own losses
                }
                body.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
                body.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
            }
            if (transportCc) {
                body.append("a=rtcp-fb:").append(pt).append(" transport-cc\r\n");
            }
            if (!track.fmtp().isEmpty()) {
                body.append("a=fmtp:").append(pt).append(' ').append(track.fmtp()).append("\r\n");
            }
            if (rtxPt >= 0) {
                body.append("a=rtpmap:").append(rtxPt).append(" rtx/90000\r\n");
                body.append("a=fmtp:").append(rtxPt).append(" apt=").append(pt).append("\r\n");
            }
            if (redPt >= 0) {
                // RFC 2198 §5; listed first on the m-line, so that it is what the publisher sends.
                body.append("a=rtpmap:").append(redPt).append(' ').append(m.rtpmaps().get(redPt)).append("\r\n");
                body.append("a=fmtp:").append(redPt).append(' ').append(pt).append('/').append(pt).append("\r\n");
            }
            if (track.simulcast()) {
                // RFC 8853 §5.3: the answerer receives the same layers, in the same order.
                for (String rid : track.rids()) {
                    body.append("a=rid:").append(rid).append(" recv\r\n");
                }
                body.append("a=simulcast:recv ").append(String.join(";", track.rids())).append("\r\n");
            }
        }
        if (tracks.isEmpty()) {
            StringBuilder why = new StringBuilder("the offer sends no audio or video the relay can take");
            for (Rejection r : rejected) {
                why.append("; m-section ").append(r.mid()).append(" (").append(r.kind()).append("): ")
                        .append(r.reason());
            }
            throw new SdpException(why.toString());
        }
        StringBuilder sdp = new StringBuilder();
        LocalTransportInfo.appendSessionHeader(sdp, sessionId, version);
        sdp.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
        sdp.append("a=ice-lite\r\n");
        // Also at session level (RFC 8122 §5), so that rejected m-sections are well formed for
        // answer parsers that look for a fingerprint in every section (GStreamer webrtcbin).
        local.appendFingerprint(sdp);
        sdp.append("a=msid-semantic: WMS\r\n");
        sdp.append(body);
        return new PublishNegotiation(remote, tracks, rejected, Map.copyOf(extensions), sdp.toString());
    }

    /**
     * What the relay makes of one offered m-section: a track, a rejection to report, or neither
     * ({@link #OFF}: a section the offerer itself turned off).
     */
    private record Verdict(TrackOffer track, Rejection rejection) {
        static final Verdict OFF = new Verdict(null, null);

        static Verdict reject(MediaDescription m, String reason) {
            return new Verdict(null, new Rejection(m.mid(), m.kind(), reason));
        }
    }

    /** Echoes the offer's extmap for {@code uri}, if offered; true if it was. */
    private static boolean appendExtension(StringBuilder body, MediaDescription m, String uri) {
        Integer id = m.extmaps().get(uri);
        if (id != null) {
            body.append("a=extmap:").append(id).append(' ').append(uri).append("\r\n");
        }
        return id != null;
    }

    /** The track the relay accepts from m, or why not. */
    private static Verdict acceptable(MediaDescription m, boolean simulcast, boolean retransmissions, boolean red)
            throws SdpException {
        // RFC 8843 §6: port 0 with a=bundle-only is a BUNDLE member the offerer wants, not a rejection
        // (Firefox and GStreamer webrtcbin offer every section after the first this way with max-bundle).
        if (m.port() == 0 && !m.hasAttribute("bundle-only")) {
            return Verdict.OFF;
        }
        if (!(m.kind().equals("audio") || m.kind().equals("video"))) {
            return Verdict.reject(m, "the relay forwards audio and video only");
        }
        String direction = m.direction();
        if (direction.equals("inactive")) {
            return Verdict.OFF;
        }
        if (!(direction.equals("sendonly") || direction.equals("sendrecv"))) {
            return Verdict.reject(m, "the publish PeerConnection only sends: a=" + direction
                    + " is not taken (subscribe on the subscribe PeerConnection, docs/signaling.md)");
        }
        if (!m.hasAttribute("rtcp-mux")) {
            throw new SdpException("m-section " + m.mid() + " lacks a=rtcp-mux");
        }
        CodecChoice codec = CodecChoice.of(m);
        if (!codec.chosen()) {
            return Verdict.reject(m, codec.reason());
        }
        List<Long> rtx = m.rtxSsrcs();
        long ssrc = 0;
        for (long candidate : m.ssrcs()) {
            if (!rtx.contains(candidate)) {
                ssrc = candidate;
                break;
            }
        }
        List<String> rids = List.of();
        if (ssrc == 0) {
            // Simulcast (a=rid) offers carry no SSRCs: each layer's SSRC is bound from its first
            // packet's mid and rid header extensions (RFC 8852 §3.3, RFC 8843 §15).
            if (!simulcast) {
                return Verdict.reject(m, "the m-section names no a=ssrc; simulcast (a=rid) is not "
                        + "supported yet: publish one encoding");
            }
            rids = m.sendRids();
            if (rids.isEmpty() || !m.kind().equals("video")) {
                return Verdict.reject(m, "the m-section names no a=ssrc and no simulcast layers the relay can take "
                        + "(a=simulcast:send with 1-" + MediaDescription.MAX_RIDS + " a=rid send lines, RFC 8853)");
            }
            if (!m.extmaps().containsKey(MID_EXTENSION) || !m.extmaps().containsKey(RID_EXTENSION)) {
                return Verdict.reject(m, "a simulcast section needs the mid and rtp-stream-id header extensions "
                        + "(a=extmap, RFC 8843 §15, RFC 8852 §3.3): the relay binds each layer by them");
            }
        }
        String trackId = m.mid();
        String msid = m.attribute("msid");
        if (msid != null) {
            String[] parts = msid.trim().split("\\s+");
            if (parts.length == 2 && !parts[1].isBlank()) {
                trackId = parts[1];
            }
        }
        // RTX and NACK towards the publisher: a single stream's RTX SSRC comes from a=ssrc-group:FID,
        // a simulcast layer's is bound by its repaired-rid (RFC 4588 §8.3, RFC 8852 §3.2).
        int rtxPt = retransmissions && m.kind().equals("video") ? m.rtxPayloadType(codec.payloadType()) : -1;
        long rtxSsrc = rtxPt >= 0 && rids.isEmpty() ? m.rtxSsrcFor(ssrc) : 0;
        boolean repaired = rtxPt >= 0 && (rids.isEmpty() ? rtxSsrc != 0 : m.extmaps().containsKey(REPAIRED_RID_EXTENSION));
        int redPt = red && codec.name().equals("opus") ? m.redPayloadType(codec.payloadType()) : -1;
        return new Verdict(new TrackOffer(m.mid(), m.kind().toLowerCase(Locale.ROOT), trackId, codec.name(),
                codec.payloadType(), codec.fmtp(), ssrc, rids, rtxSsrc, repaired ? rtxPt : -1, redPt), null);
    }

    public RemoteTransportInfo remote() {
        return remote;
    }

    public List<TrackOffer> tracks() {
        return tracks;
    }

    /** Sections the relay rejected for a reason the client should hear (not the ones it turned off). */
    public List<Rejection> rejected() {
        return rejected;
    }

    /**
     * The id the publisher gives header extension {@code uri} (RFC 8285; one id per URI across a
     * BUNDLE group, RFC 8843 §9.2), or -1 if no accepted section offers it.
     */
    public int extensionId(String uri) {
        return extensions.getOrDefault(uri, -1);
    }

    public String answerSdp() {
        return answer;
    }
}
