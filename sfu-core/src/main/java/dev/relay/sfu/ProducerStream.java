package dev.relay.sfu;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiveStatistics;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;

/**
 * One RTP stream a Producer receives: its only one, or one simulcast layer (RFC 8853), with the
 * receive statistics its report block is made of and its own throttled keyframe requests (a PLI
 * names one SSRC, RFC 4585 §6.3.1). A layer's SSRC is not in the SDP: it is bound from the first
 * packet that carries the layer's rid (RFC 8852 §3.3). Owned by the Router's worker thread.
 */
final class ProducerStream {
    private final Producer producer;
    private final int index;
    /** The rid as ASCII, compared with the rid header extension's bytes; null for a single stream. */
    private final byte[] rid;
    private final MediaContext context;
    private ReceiveStatistics stats;
    private final KeyframeRequestThrottle keyframes =
            new KeyframeRequestThrottle(Producer.KEYFRAME_REQUEST_INTERVAL_NANOS);
    /** The last packets, for subscribers' NACKs (RFC 4585 §6.2.1); null when not retransmitting. */
    private final PacketCache cache;
    /** What the relay itself lost of this stream, to NACK the publisher for; null when not repairing. */
    private final NackGenerator losses;
    /** The publisher's RTX stream for this one (RFC 4588), 0 if none (yet: a layer's is bound by repaired-rid). */
    private int rtxSsrc;
    /** When a packet of its RTX stream last arrived (0: never). */
    private long lastRtxNanos;
    /** The publisher negotiated NACK and RTX for this stream: the relay may NACK it. */
    private boolean repairable;
    /** 0 until bound (simulcast); RTP SSRC 0 is valid but never chosen by browsers. */
    private int ssrc;
    private boolean bound;
    private long packetsReceived;
    private long bytesReceived;
    /** What this stream costs a subscriber now (a simulcast layer's bitrate, for allocation). */
    private final ByteRate rate = new ByteRate();
    private long lastPacketNanos;

    ProducerStream(Producer producer, int index, String rid, int ssrc, boolean bound, MediaContext context,
                   boolean retransmissions) {
        this.producer = producer;
        this.index = index;
        this.rid = rid == null ? null : rid.getBytes(StandardCharsets.US_ASCII);
        this.ssrc = ssrc;
        this.bound = bound;
        this.context = context;
        this.stats = new ReceiveStatistics(producer.codec().clockRate());
        this.cache = retransmissions ? new PacketCache() : null;
        this.losses = retransmissions ? new NackGenerator() : null;
    }

    int rtxSsrc() {
        return rtxSsrc;
    }

    void rtxSsrc(int ssrc) {
        rtxSsrc = ssrc;
    }

    long lastRtxNanos() {
        return lastRtxNanos;
    }

    void onRtxPacket(long receiveNanos) {
        lastRtxNanos = receiveNanos;
    }

    void repairable(boolean negotiated) {
        repairable = negotiated;
    }


    /** The cache subscribers' retransmissions come from, or null. */
    PacketCache cache() {
        return cache;
    }

    Producer producer() {
        return producer;
    }

    int index() {
        return index;
    }

    int ssrc() {
        return ssrc;
    }

    boolean isBound() {
        return bound;
    }

    /** Binds (or re-binds, after the publisher changed it) this layer's SSRC; the statistics start over. */
    void bind(int newSsrc) {
        ssrc = newSsrc;
        bound = true;
        stats = new ReceiveStatistics(producer.codec().clockRate()); // rare: once per layer, or on an SSRC change
    }

    /** True if {@code len} bytes at {@code off} are this stream's rid (in a rid or repaired-rid extension). */
    boolean hasRid(byte[] buf, int off, int len) {
        if (rid == null || len != rid.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf[off + i] != rid[i]) {
                return false;
            }
        }
        return true;
    }

    void onPacket(RtpPacket rtp, long receiveNanos) {
        packetsReceived++;
        bytesReceived += rtp.length();
        rate.add(rtp.length(), receiveNanos);
        lastPacketNanos = receiveNanos;
        stats.onPacket(rtp.sequenceNumber(), rtp.timestamp(), receiveNanos);
        if (cache != null) {
            cache.put(rtp.buffer(), rtp.offset(), rtp.length(), rtp.sequenceNumber(), receiveNanos);
        }
        if (losses != null && repairable) {
            losses.received(rtp.sequenceNumber(), receiveNanos);
        }
    }

    /**
     * NACKs the publisher for what the relay lost of this stream and is due (RFC 4585 §6.2.1), and
     * asks for a keyframe when it gave up on some; returns RTCP packets sent.
     */
    int sendNack(long nowNanos) {
        if (losses == null || !bound || !repairable) {
            return 0; // NACK only a publisher that negotiated it, with RTX to answer on
        }
        int sent = 0;
        if (losses.isDue(nowNanos)) {
            int[] lost = context.nacked;
            int count = losses.poll(nowNanos, lost);
            if (count > 0) {
                RouterTransport source = producer.source();
                byte[] out = context.rtcpOut;
                int len = NackPacket.write(out, 0, source.rtcpSsrc(), ssrc, lost, count);
                if (len > 0 && source.sender().sendRtcp(out, 0, len) >= 0) {
                    context.count(MediaEvent.NACK_SENT);
                    sent++;
                }
            }
        }
        if (losses.takeKeyframeRequest()) {
            requestKeyframe(nowNanos);
        }
        return sent;
    }

    /** When a packet of this stream last arrived (0: never); a layer that stops is left by its consumers. */
    long lastPacketNanos() {
        return lastPacketNanos;
    }

    void onSenderReport(long ntpTimestamp, long receiveNanos) {
        stats.onSenderReport(ntpTimestamp, receiveNanos);
    }

    /** A PLI for this stream now, or once the throttle interval has passed; audio needs none. */
    void requestKeyframe(long nowNanos) {
        if (producer.codec().kind() != MediaKind.VIDEO || !bound) {
            return;
        }
        if (keyframes.request(nowNanos)) {
            sendPli();
        } else {
            context.keyframeRequestHeld();
        }
    }

    /** Sends a held keyframe request whose interval has passed; returns packets sent. */
    int sendHeldKeyframeRequest(long nowNanos) {
        if (!keyframes.isHeld()) {
            return 0;
        }
        if (keyframes.releaseDue(nowNanos)) {
            return sendPli();
        }
        context.keyframeRequestHeld();
        return 0;
    }

    private int sendPli() {
        RouterTransport source = producer.source();
        byte[] out = context.rtcpOut;
        int len = PliPacket.write(out, 0, source.rtcpSsrc(), ssrc);
        if (source.sender().sendRtcp(out, 0, len) < 0) {
            return 0;
        }
        context.count(MediaEvent.KEYFRAME_REQUEST_SENT);
        return 1;
    }

    boolean hasReportBlock() {
        return bound && stats.hasPackets();
    }

    /** Writes this stream's report block (RFC 3550 §6.4.2) and starts a new loss interval. */
    int writeReportBlock(byte[] buf, int off, long nowNanos) {
        return ReceiverReport.writeBlock(buf, off, ssrc, stats.takeFractionLost(), stats.cumulativeLost(),
                stats.extendedHighestSeq(), stats.jitter(), stats.lastSrNtpMiddle(), stats.delaySinceLastSr(nowNanos));
    }

    long packetsReceived() {
        return packetsReceived;
    }

    /** Bits per second over the last half second (0 when nothing arrived in it). */
    long bitrateBps(long nowNanos) {
        return rate.bps(nowNanos);
    }

    /** As {@link #bitrateBps}, but holding the highest recent window (a keyframe's) while it decays. */
    long peakBitrateBps(long nowNanos) {
        return rate.peakBps(nowNanos);
    }

    /** As {@link #bitrateBps}, averaged over about 2 s. */
    long averageBitrateBps(long nowNanos) {
        return rate.averageBps(nowNanos);
    }

    long bytesReceived() {
        return bytesReceived;
    }

    ReceiveStatistics stats() {
        return stats;
    }
}
