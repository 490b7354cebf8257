package dev.relay.signaling.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the relay's offer on a subscriber's PeerConnection: one {@code sendonly} m-section per
 * forwarded track, in slot order (m-sections are never removed, RFC 8829 §5.2.2; a slot whose
 * track is gone becomes {@code inactive}, and rejected with port 0 unless it tags the BUNDLE group,
 * so that its place can be recycled). The relay offers {@code actpass} so the browser
 * answers {@code active} and the relay stays the DTLS server (RFC 5763 §5).
 */
public final class SubscribeOffer {
    /**
     * The relay's id for the audio level extension (RFC 6464) in every subscribe offer: ids are
     * per PeerConnection (RFC 8285 §5), so one fixed number serves all subscribers.
     */
    public static final int AUDIO_LEVEL_EXTENSION_ID = 1;
    /**
     * The relay's id for transport-wide sequence numbers
     * (draft-holmer-rmcat-transport-wide-cc-extensions-01) in every subscribe offer: the browser's
     * feedback on them drives the subscriber's downlink estimate (docs/quality.md).
     */
    public static final int TRANSPORT_CC_EXTENSION_ID = 3;
    /**
     * One m-section.
     *
     * @param rtxSsrc        the retransmission stream (RFC 4588) of a video slot, 0 for none
     * @param rtxPayloadType its payload type, -1 for none
     * @param redPayloadType the payload type offered for redundant audio (RFC 2198) of an audio
     *                       slot, whose blocks are {@code payloadType}; -1 for none
     */
    public record Slot(String mid, String kind, String codecName, int payloadType, String fmtp,
                       long ssrc, String streamId, String trackId, boolean active, boolean rejected, long rtxSsrc,
                       int rtxPayloadType, int redPayloadType) {
        /** Without redundant audio. */
        public Slot(String mid, String kind, String codecName, int payloadType, String fmtp, long ssrc,
                    String streamId, String trackId, boolean active, boolean rejected, long rtxSsrc,
                    int rtxPayloadType) {
            this(mid, kind, codecName, payloadType, fmtp, ssrc, streamId, trackId, active, rejected, rtxSsrc,
                    rtxPayloadType, -1);
        }

        /** An m-section that is not rejected. */
        public Slot(String mid, String kind, String codecName, int payloadType, String fmtp, long ssrc,
                    String streamId, String trackId, boolean active) {
            this(mid, kind, codecName, payloadType, fmtp, ssrc, streamId, trackId, active, false);
        }

        /** Without a retransmission stream. */
        public Slot(String mid, String kind, String codecName, int payloadType, String fmtp, long ssrc,
                    String streamId, String trackId, boolean active, boolean rejected) {
            this(mid, kind, codecName, payloadType, fmtp, ssrc, streamId, trackId, active, rejected, 0, -1);
        }

        boolean hasRtx() {
            return rtxSsrc != 0 && rtxPayloadType >= 0;
        }
    }

    private SubscribeOffer() {
    }

    public static String build(List<Slot> slots, LocalTransportInfo local, long sessionId, long version) {
        StringBuilder sdp = new StringBuilder();
        LocalTransportInfo.appendSessionHeader(sdp, sessionId, version);
        List<String> bundle = new ArrayList<>();
        for (Slot slot : slots) {
            if (!slot.rejected()) { // RFC 8843 §7.3.3: a rejected m-section leaves the BUNDLE group
                bundle.add(slot.mid());
            }
        }
        sdp.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
        sdp.append("a=ice-lite\r\n");
        sdp.append("a=msid-semantic: WMS *\r\n");
        for (Slot slot : slots) {
            int pt = slot.payloadType();
            sdp.append("m=").append(slot.kind()).append(slot.rejected() ? " 0" : " 9").append(" UDP/TLS/RTP/SAVPF ")
                    .append(pt).append(slot.hasRtx() ? " " + slot.rtxPayloadType() : "")
                    // Opus first: an answerer that keeps one codec (GStreamer webrtcbin) keeps that one.
                    .append(slot.redPayloadType() >= 0 ? " " + slot.redPayloadType() : "").append("\r\n");
            sdp.append("c=IN IP4 0.0.0.0\r\n");
            sdp.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
            local.appendTransportAttributes(sdp, "actpass");
            sdp.append("a=mid:").append(slot.mid()).append("\r\n");
            if (slot.kind().equals("audio")) {
                sdp.append("a=extmap:").append(AUDIO_LEVEL_EXTENSION_ID).append(' ')
                        .append(PublishNegotiation.AUDIO_LEVEL_EXTENSION).append("\r\n");
            }
            sdp.append("a=extmap:").append(TRANSPORT_CC_EXTENSION_ID).append(' ')
                    .append(PublishNegotiation.TRANSPORT_CC_EXTENSION).append("\r\n");
            sdp.append(slot.active() ? "a=sendonly\r\n" : "a=inactive\r\n");
            if (slot.active()) {
                sdp.append("a=msid:").append(slot.streamId()).append(' ').append(slot.trackId()).append("\r\n");
            }
            sdp.append("a=rtcp-mux\r\n");
            sdp.append("a=rtcp-rsize\r\n");
            String clock = slot.kind().equals("audio") ? "/48000/2" : "/90000";
            sdp.append("a=rtpmap:").append(pt).append(' ').append(slot.codecName()).append(clock).append("\r\n");
            sdp.append("a=rtcp-fb:").append(pt).append(" transport-cc\r\n");
            if (slot.kind().equals("video")) {
                if (slot.hasRtx()) {
                    sdp.append("a=rtcp-fb:").append(pt).append(" nack\r\n"); // RFC 4585 §4.2 generic NACK
                }
                sdp.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
                sdp.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
            }
            if (!slot.fmtp().isEmpty()) {
                sdp.append("a=fmtp:").append(pt).append(' ').append(slot.fmtp()).append("\r\n");
            }
            if (slot.hasRtx()) {
                // RFC 4588 §8.6: the retransmission payload type and the stream it repairs.
                sdp.append("a=rtpmap:").append(slot.rtxPayloadType()).append(" rtx/90000\r\n");
                sdp.append("a=fmtp:").append(slot.rtxPayloadType()).append(" apt=").append(pt).append("\r\n");
            }
            if (slot.redPayloadType() >= 0) {
                // RFC 2198 §5: Opus with the frame before it; the relay sends what the publisher sent.
                sdp.append("a=rtpmap:").append(slot.redPayloadType()).append(" red/48000/2\r\n");
                sdp.append("a=fmtp:").append(slot.redPayloadType()).append(' ').append(pt).append('/').append(pt)
                        .append("\r\n");
            }
            if (slot.active()) {
                if (slot.hasRtx()) {
                    sdp.append("a=ssrc-group:FID ").append(slot.ssrc()).append(' ').append(slot.rtxSsrc()).append("\r\n");
                }
                sdp.append("a=ssrc:").append(slot.ssrc()).append(" cname:").append(slot.streamId()).append("\r\n");
                sdp.append("a=ssrc:").append(slot.ssrc()).append(" msid:").append(slot.streamId()).append(' ')
                        .append(slot.trackId()).append("\r\n");
                if (slot.hasRtx()) {
                    sdp.append("a=ssrc:").append(slot.rtxSsrc()).append(" cname:").append(slot.streamId()).append("\r\n");
                    sdp.append("a=ssrc:").append(slot.rtxSsrc()).append(" msid:").append(slot.streamId()).append(' ')
                            .append(slot.trackId()).append("\r\n");
                }
            }
        }
        return sdp.toString();
    }

    /** Validates the browser's answer; returns its transport parameters and the sections it rejected. */
    public static SubscribeAnswer parseAnswer(String answerSdp) throws SdpException {
        SessionDescription answer = SessionDescription.parse(answerSdp);
        if (answer.media().isEmpty()) {
            throw new SdpException("the answer has no m-sections");
        }
        MediaDescription first = null;
        Set<String> rejected = new HashSet<>();
        for (MediaDescription m : answer.media()) {
            if (m.port() != 0 || m.hasAttribute("bundle-only")) {
                if (first == null) {
                    first = m;
                }
            } else if (m.mid() != null) {
                rejected.add(m.mid());
            }
        }
        if (first == null) {
            throw new SdpException("the answer rejects every m-section");
        }
        RemoteTransportInfo remote = RemoteTransportInfo.of(answer, first);
        if (!remote.setup().equals("active")) {
            throw new SdpException("answer a=setup:active: the relay is the DTLS server (got " + remote.setup() + ")");
        }
        boolean audioLevel = false;
        boolean transportCc = false;
        Map<String, Integer> red = new HashMap<>();
        for (MediaDescription m : answer.media()) {
            Integer transportCcId = m.extmaps().get(PublishNegotiation.TRANSPORT_CC_EXTENSION);
            if (m.port() != 0 && transportCcId != null && transportCcId == TRANSPORT_CC_EXTENSION_ID) {
                transportCc = true;
            }
            if (m.port() != 0 && m.kind().equals("audio")
                    && m.extmaps().containsKey(PublishNegotiation.AUDIO_LEVEL_EXTENSION)) {
                audioLevel = true;
            }
            if (m.port() != 0 && m.kind().equals("audio") && m.mid() != null) {
                int redPt = -1;
                boolean opus = false;
                for (Map.Entry<Integer, String> e : m.rtpmaps().entrySet()) {
                    String encoding = e.getValue().toLowerCase(Locale.ROOT);
                    if (encoding.startsWith("red/")) {
                        redPt = e.getKey();
                    }
                    opus |= encoding.startsWith("opus/");
                }
                if (redPt >= 0 && opus) { // RED carries Opus: without Opus it cannot be decoded
                    red.put(m.mid(), redPt);
                }
            }
        }
        return new SubscribeAnswer(remote, Set.copyOf(rejected), audioLevel, Map.copyOf(red), transportCc);
    }
}
