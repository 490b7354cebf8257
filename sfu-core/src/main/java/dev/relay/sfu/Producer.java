package dev.relay.sfu;

import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.ReceiveStatistics;
import dev.relay.codecs.rtp.RtpPacket;
import java.util.Arrays;

/**
 * One incoming track on a publisher's Transport, and the fan-out to its Consumers. It owns the
 * publisher-facing RTCP of its stream: the receive statistics its report block is made of and
 * the throttled keyframe requests. Owned by the Router's worker thread.
 */
public final class Producer {
    /** mediasoup and Jitsi send at most one keyframe request per ~second per stream. */
    static final long KEYFRAME_REQUEST_INTERVAL_NANOS = 500_000_000L;
    private static final Consumer[] NONE = new Consumer[0];

    private final int id;
    private final Codec codec;
    private final int ssrc;
    private final RouterTransport source;
    private final MediaContext context;
    private final ReceiveStatistics stats;
    private final KeyframeRequestThrottle keyframes = new KeyframeRequestThrottle(KEYFRAME_REQUEST_INTERVAL_NANOS);
    /** Copy-on-write: changed by commands (rare), iterated per packet without an iterator. */
    private Consumer[] consumers = NONE;
    private long packetsReceived;
    private long bytesReceived;

    Producer(int id, Codec codec, int ssrc, RouterTransport source, MediaContext context) {
        this.id = id;
        this.codec = codec;
        this.ssrc = ssrc;
        this.source = source;
        this.context = context;
        this.stats = new ReceiveStatistics(codec.clockRate());
    }

    /** One packet of this stream from the publisher, arrived at {@code receiveNanos}. */
    void receive(RtpPacket rtp, long receiveNanos) {
        packetsReceived++;
        bytesReceived += rtp.length();
        stats.onPacket(rtp.sequenceNumber(), rtp.timestamp(), receiveNanos);
        Consumer[] list = consumers;
        for (int i = 0; i < list.length; i++) {
            list[i].send(rtp, receiveNanos);
        }
    }

    /** The publisher's Sender Report for this stream: echoed as LSR in our report block. */
    void onSenderReport(long ntpTimestamp, long receiveNanos) {
        stats.onSenderReport(ntpTimestamp, receiveNanos);
    }

    /**
     * Asks the publisher for a keyframe: a PLI now, or, inside the throttle interval, once the
     * interval has passed ({@link #sendHeldKeyframeRequest}). Audio needs none.
     */
    void requestKeyframe(long nowNanos) {
        if (codec.kind() != MediaKind.VIDEO) {
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
        byte[] out = context.rtcpOut;
        int len = PliPacket.write(out, 0, source.rtcpSsrc(), ssrc);
        return source.sender().sendRtcp(out, 0, len) >= 0 ? 1 : 0;
    }

    boolean hasReportBlock() {
        return stats.hasPackets();
    }

    /** Writes this stream's report block (RFC 3550 §6.4.2) and starts a new loss interval. */
    int writeReportBlock(byte[] buf, int off, long nowNanos) {
        return ReceiverReport.writeBlock(buf, off, ssrc, stats.takeFractionLost(), stats.cumulativeLost(),
                stats.extendedHighestSeq(), stats.jitter(), stats.lastSrNtpMiddle(), stats.delaySinceLastSr(nowNanos));
    }

    void addConsumer(Consumer consumer) {
        Consumer[] next = Arrays.copyOf(consumers, consumers.length + 1);
        next[consumers.length] = consumer;
        consumers = next;
    }

    void removeConsumer(Consumer consumer) {
        for (int i = 0; i < consumers.length; i++) {
            if (consumers[i] == consumer) {
                Consumer[] next = new Consumer[consumers.length - 1];
                System.arraycopy(consumers, 0, next, 0, i);
                System.arraycopy(consumers, i + 1, next, i, consumers.length - i - 1);
                consumers = next;
                return;
            }
        }
    }

    /** Detaches every Consumer (the Producer closes) and returns them. */
    Consumer[] removeAllConsumers() {
        Consumer[] removed = consumers;
        consumers = NONE;
        return removed;
    }

    RouterTransport source() {
        return source;
    }

    RouterStats.ProducerSample sample() {
        return new RouterStats.ProducerSample(id, packetsReceived, bytesReceived, stats.cumulativeLost(),
                stats.hasPackets() ? stats.expected() : 0, stats.jitter() * 1000.0 / codec.clockRate());
    }

    public int id() {
        return id;
    }

    public Codec codec() {
        return codec;
    }

    public int ssrc() {
        return ssrc;
    }
}
