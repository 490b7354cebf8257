package dev.relay.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code window.relay.stats()} returned, plus {@code sinceJoinMs}: how long after the page
 * sent {@code join} the snapshot was taken (page clock, performance.now()).
 */
record PeerStats(
        String publishState,
        String subscribeState,
        List<Inbound> inbound,
        List<Outbound> outbound,
        double sinceJoinMs) {

    /**
     * One inbound-rtp stream (W3C webrtc-stats names). {@code codec} is the mimeType of its codec
     * (e.g. {@code video/VP9}), or null. Video only: frames, {@code freezeCount} and
     * {@code totalFreezesDuration} (seconds). Audio only: {@code concealedSamples} of
     * {@code totalSamplesReceived}. {@code nackCount} is the NACKs this receiver sent.
     */
    record Inbound(String participantId, String kind, long framesDecoded, long packetsReceived, long bytesReceived,
                   String codec, long frameWidth, long freezeCount, double totalFreezesDuration, long framesDropped,
                   long packetsLost, long nackCount, long retransmittedPacketsReceived, long concealedSamples,
                   long totalSamplesReceived) {
    }

    /**
     * {@code rid} is the simulcast layer (null without simulcast); {@code audioEnergy} is the
     * microphone's total audio energy so far (getStats media-source), 0 for digital silence.
     */
    record Outbound(String kind, long packetsSent, long framesEncoded, String rid, long frameWidth,
                    double audioEnergy) {
    }

    /** The microphone's total audio energy so far (0 for digital silence or no audio sender). */
    double audioEnergy() {
        return outbound.stream().filter(o -> o.kind.equals("audio")).mapToDouble(Outbound::audioEnergy).sum();
    }

    /** Parses the Map/List/Number tree Selenium returns for the stats object. */
    @SuppressWarnings("unchecked")
    static PeerStats fromScript(Object result) {
        if (!(result instanceof Map<?, ?> map)) {
            throw new IllegalStateException("window.relay.stats() returned " + result);
        }
        if (map.get("error") != null) {
            throw new IllegalStateException("window.relay.stats() failed: " + map.get("error"));
        }
        List<Inbound> inbound = new ArrayList<>();
        for (Object o : (List<Object>) map.get("inbound")) {
            Map<String, Object> m = (Map<String, Object>) o;
            inbound.add(new Inbound((String) m.get("participantId"), (String) m.get("kind"),
                    num(m.get("framesDecoded")), num(m.get("packetsReceived")), num(m.get("bytesReceived")),
                    (String) m.get("codec"), num(m.get("frameWidth")), num(m.get("freezeCount")),
                    real(m.get("totalFreezesDuration")), num(m.get("framesDropped")), num(m.get("packetsLost")),
                    num(m.get("nackCount")), num(m.get("retransmittedPacketsReceived")),
                    num(m.get("concealedSamples")), num(m.get("totalSamplesReceived"))));
        }
        List<Outbound> outbound = new ArrayList<>();
        for (Object o : (List<Object>) map.get("outbound")) {
            Map<String, Object> m = (Map<String, Object>) o;
            outbound.add(new Outbound((String) m.get("kind"), num(m.get("packetsSent")), num(m.get("framesEncoded")),
                    (String) m.get("rid"), num(m.get("frameWidth")), real(m.get("audioEnergy"))));
        }
        Object since = map.get("sinceJoinMs");
        return new PeerStats((String) map.get("publishState"), (String) map.get("subscribeState"),
                List.copyOf(inbound), List.copyOf(outbound), since == null ? Double.NaN : ((Number) since).doubleValue());
    }

    private static long num(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    private static double real(Object o) {
        return o == null ? 0 : ((Number) o).doubleValue();
    }

    /** The {@code kind} (audio, video) stream received from {@code participantId}, or null before it exists. */
    Inbound inboundFrom(String participantId, String kind) {
        return inbound.stream().filter(i -> i.kind.equals(kind) && i.participantId.equals(participantId))
                .findFirst().orElse(null);
    }

    long framesDecodedFrom(String participantId) {
        return inbound.stream()
                .filter(i -> i.kind.equals("video") && i.participantId.equals(participantId))
                .mapToLong(Inbound::framesDecoded).sum();
    }

    long audioPacketsFrom(String participantId) {
        return inbound.stream()
                .filter(i -> i.kind.equals("audio") && i.participantId.equals(participantId))
                .mapToLong(Inbound::packetsReceived).sum();
    }

    /** The codec of the video received from {@code participantId}, or null before its first packet. */
    String videoCodecFrom(String participantId) {
        return inbound.stream()
                .filter(i -> i.kind.equals("video") && i.participantId.equals(participantId) && i.codec != null)
                .map(Inbound::codec).findFirst().orElse(null);
    }

    /** The width of the video decoded from {@code participantId} (0 before the first frame). */
    long videoWidthFrom(String participantId) {
        return inbound.stream().filter(i -> i.kind.equals("video") && i.participantId.equals(participantId))
                .mapToLong(Inbound::frameWidth).max().orElse(0);
    }

    /** Video frames this page's publisher has encoded (all simulcast layers). */
    long framesEncoded() {
        return outbound.stream().filter(o -> o.kind.equals("video")).mapToLong(Outbound::framesEncoded).sum();
    }

    /**
     * The frameWidth of the widest video stream (simulcast layer, or the one stream) this page's
     * publisher encoded frames on since {@code earlier}, a snapshot of the same page; 0 if none did.
     * Under CPU or bandwidth pressure Chromium scales its layers down or pauses the top ones, so
     * this is what the publisher sends now, not what it was asked to send.
     */
    long widestVideoEncodedSince(PeerStats earlier) {
        long widest = 0;
        for (Outbound o : outbound) {
            if (!o.kind.equals("video")) {
                continue;
            }
            long framesBefore = earlier.outbound.stream()
                    .filter(e -> e.kind.equals("video") && java.util.Objects.equals(e.rid, o.rid))
                    .mapToLong(Outbound::framesEncoded).max().orElse(0);
            if (o.framesEncoded > framesBefore) {
                widest = Math.max(widest, o.frameWidth);
            }
        }
        return widest;
    }

    /** This page's outgoing video streams: rid, frameWidth and frames encoded of each, for messages. */
    String layerWidths() {
        StringBuilder sb = new StringBuilder();
        for (Outbound o : outbound) {
            if (o.kind.equals("video")) {
                sb.append(sb.length() == 0 ? "" : ", ").append(o.rid).append(' ').append(o.frameWidth)
                        .append(" px ").append(o.framesEncoded).append(" frames");
            }
        }
        return sb.toString();
    }

    /** The simulcast layers (rids) this page's publisher has sent video packets on. */
    java.util.Set<String> layersSending() {
        return outbound.stream().filter(o -> o.kind.equals("video") && o.rid != null && o.packetsSent > 0)
                .map(Outbound::rid).collect(java.util.stream.Collectors.toSet());
    }

    boolean bothConnected() {
        return "connected".equals(publishState) && "connected".equals(subscribeState);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder()
                .append("publish=").append(publishState)
                .append(" subscribe=").append(subscribeState)
                .append(" sinceJoin=").append(Math.round(sinceJoinMs)).append("ms in=[");
        for (Inbound i : inbound) {
            sb.append(' ').append(i.participantId).append('/').append(i.kind)
                    .append(" frames=").append(i.framesDecoded)
                    .append(" pkts=").append(i.packetsReceived)
                    .append(" bytes=").append(i.bytesReceived).append(';');
        }
        sb.append(" ] out=[");
        for (Outbound o : outbound) {
            sb.append(' ').append(o.kind).append(" pkts=").append(o.packetsSent)
                    .append(" frames=").append(o.framesEncoded).append(';');
        }
        return sb.append(" ]").toString();
    }
}
