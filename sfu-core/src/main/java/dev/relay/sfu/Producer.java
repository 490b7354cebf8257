package dev.relay.sfu;

import dev.relay.codecs.rtp.ReceiveStatistics;
import java.util.Arrays;

/**
 * One incoming track on a publisher's Transport. Owned by the Router's worker thread.
 */
public final class Producer {
    /** mediasoup and Jitsi send at most one keyframe request per ~second per stream. */
    static final long KEYFRAME_REQUEST_INTERVAL_NANOS = 500_000_000L;

    final int id;
    final Codec codec;
    final int ssrc;
    final int payloadType;
    final RouterTransport source;
    final ReceiveStatistics stats;
    SimpleConsumer[] consumers = new SimpleConsumer[0];
    long lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
    boolean keyframeRequestPending;
    long packetsReceived;
    long bytesReceived;

    Producer(int id, Codec codec, int ssrc, int payloadType, RouterTransport source) {
        this.id = id;
        this.codec = codec;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.source = source;
        this.stats = new ReceiveStatistics(codec.clockRate());
    }

    void addConsumer(SimpleConsumer consumer) {
        SimpleConsumer[] next = Arrays.copyOf(consumers, consumers.length + 1);
        next[consumers.length] = consumer;
        consumers = next;
    }

    void removeConsumer(SimpleConsumer consumer) {
        int index = -1;
        for (int i = 0; i < consumers.length; i++) {
            if (consumers[i] == consumer) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            return;
        }
        SimpleConsumer[] next = new SimpleConsumer[consumers.length - 1];
        System.arraycopy(consumers, 0, next, 0, index);
        System.arraycopy(consumers, index + 1, next, index, consumers.length - index - 1);
        consumers = next;
    }

    /** Asks for a keyframe; the worker sends at most one PLI per interval (DESIGN-NOTES). */
    void requestKeyframe() {
        if (codec.kind() == MediaKind.VIDEO) {
            keyframeRequestPending = true;
            if (source.router != null) {
                source.router.worker().keyframeRequested();
            }
        }
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
