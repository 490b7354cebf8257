package dev.relay.signaling.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers a publisher's offer (RFC 8829 §5.3): every audio/video m-section the client sends is
 * accepted {@code recvonly} with one codec the relay forwards; everything else is rejected
 * with port 0. The relay answers {@code a=setup:passive} and is the DTLS server.
 */
public final class PublishNegotiation {
    /** Header extensions the relay keeps on the publisher side (RFC 8843 MID for SSRC binding). */
    private static final String MID_EXTENSION = "urn:ietf:params:rtp-hdrext:sdes:mid";

    private final RemoteTransportInfo remote;
    private final List<TrackOffer> tracks;
    private final String answer;

    private PublishNegotiation(RemoteTransportInfo remote, List<TrackOffer> tracks, String answer) {
        this.remote = remote;
        this.tracks = tracks;
        this.answer = answer;
    }

    public static PublishNegotiation answer(String offerSdp, LocalTransportInfo local, long sessionId, long version)
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
        for (MediaDescription m : offer.media()) {
            String mid = m.mid();
            if (mid == null) {
                throw new SdpException("every m-section needs a=mid (RFC 8843)");
            }
            TrackOffer track = acceptable(m);
            if (track == null) {
                body.append("m=").append(m.kind()).append(" 0 ").append(m.protocol()).append(' ')
                        .append(m.formats().isEmpty() ? "0" : m.formats().get(0)).append("\r\n");
                body.append("c=IN IP4 0.0.0.0\r\n");
                body.append("a=mid:").append(mid).append("\r\n");
                continue;
            }
            bundle.add(mid);
            tracks.add(track);
            int pt = track.payloadType();
            body.append("m=").append(m.kind()).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n");
            body.append("c=IN IP4 0.0.0.0\r\n");
            body.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
            local.appendTransportAttributes(body, "passive");
            body.append("a=mid:").append(mid).append("\r\n");
            Integer midExtension = m.extmaps().get(MID_EXTENSION);
            if (midExtension != null) {
                body.append("a=extmap:").append(midExtension).append(' ').append(MID_EXTENSION).append("\r\n");
            }
            body.append(track.ssrc() == 0 && "inactive".equals(m.direction()) ? "a=inactive\r\n" : "a=recvonly\r\n");
            body.append("a=rtcp-mux\r\n");
            if (m.hasAttribute("rtcp-rsize")) {
                body.append("a=rtcp-rsize\r\n");
            }
            body.append("a=rtpmap:").append(pt).append(' ').append(m.rtpmaps().get(pt)).append("\r\n");
            if (m.kind().equals("video")) {
                // PLI and FIR only: the relay asks for keyframes but does not NACK upstream yet.
                body.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
                body.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
            }
            if (!track.fmtp().isEmpty()) {
                body.append("a=fmtp:").append(pt).append(' ').append(track.fmtp()).append("\r\n");
            }
        }
        if (tracks.isEmpty()) {
            throw new SdpException("the offer sends no audio (Opus) or video (VP8/H.264) the relay can forward");
        }
        StringBuilder sdp = new StringBuilder();
        LocalTransportInfo.appendSessionHeader(sdp, sessionId, version);
        sdp.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
        sdp.append("a=ice-lite\r\n");
        sdp.append("a=msid-semantic: WMS\r\n");
        sdp.append(body);
        return new PublishNegotiation(remote, tracks, sdp.toString());
    }

    /** The track the relay accepts from m, or null to reject the m-section. */
    private static TrackOffer acceptable(MediaDescription m) throws SdpException {
        if (m.port() == 0 || !(m.kind().equals("audio") || m.kind().equals("video"))) {
            return null;
        }
        String direction = m.direction();
        if (!(direction.equals("sendonly") || direction.equals("sendrecv"))) {
            return null;
        }
        if (!m.hasAttribute("rtcp-mux")) {
            throw new SdpException("m-section " + m.mid() + " lacks a=rtcp-mux");
        }
        Map<Integer, String> rtpmaps = m.rtpmaps();
        int chosen = -1;
        String codec = null;
        for (String wanted : m.kind().equals("audio") ? new String[] {"opus"} : new String[] {"VP8", "H264"}) {
            for (Map.Entry<Integer, String> e : rtpmaps.entrySet()) {
                String encoding = e.getValue();
                int slash = encoding.indexOf('/');
                String name = slash < 0 ? encoding : encoding.substring(0, slash);
                if (!name.equalsIgnoreCase(wanted)) {
                    continue;
                }
                // H.264: the relay forwards packetization-mode=1 (non-interleaved, RFC 6184 §6.3).
                if (wanted.equals("H264") && !m.fmtp(e.getKey()).contains("packetization-mode=1")) {
                    continue;
                }
                chosen = e.getKey();
                codec = wanted;
                break;
            }
            if (codec != null) {
                break;
            }
        }
        if (codec == null) {
            return null;
        }
        List<Long> rtx = m.rtxSsrcs();
        long ssrc = 0;
        for (long candidate : m.ssrcs()) {
            if (!rtx.contains(candidate)) {
                ssrc = candidate;
                break;
            }
        }
        if (ssrc == 0) {
            // Simulcast (a=rid) offers carry no SSRCs; binding by MID/RID is not supported yet.
            throw new SdpException("m-section " + m.mid() + " names no a=ssrc; simulcast is not supported yet");
        }
        String trackId = m.mid();
        String msid = m.attribute("msid");
        if (msid != null) {
            String[] parts = msid.trim().split("\\s+");
            if (parts.length == 2 && !parts[1].isBlank()) {
                trackId = parts[1];
            }
        }
        return new TrackOffer(m.mid(), m.kind().toLowerCase(Locale.ROOT), trackId, codec, chosen,
                m.fmtp(chosen), ssrc);
    }

    public RemoteTransportInfo remote() {
        return remote;
    }

    public List<TrackOffer> tracks() {
        return tracks;
    }

    public String answerSdp() {
        return answer;
    }
}
