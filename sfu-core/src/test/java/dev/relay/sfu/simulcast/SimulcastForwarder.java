package dev.relay.sfu.simulcast;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;

/**
 * What a SimulcastConsumer does with each packet of the Producer, minus the sending: parse,
 * {@link LayerSelector} decides, a keyframe request per layer at most every 500 ms,
 * {@link StreamRewriter} numbers, and the copy for the subscriber is rewritten in place.
 */
final class SimulcastForwarder {
    static final int SSRC = 0x2222_0000;
    static final int PAYLOAD_TYPE = 100;
    static final long TIMEOUT_NANOS = 1_500_000_000L;
    private static final long KEYFRAME_INTERVAL_NANOS = 500_000_000L;

    final LayerSelector selector = new LayerSelector(SimulcastPublisher.LAYERS, TIMEOUT_NANOS);
    final StreamRewriter rewriter;
    private final RtpPacket rtp = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private final boolean[] keyframeRequested = new boolean[SimulcastPublisher.LAYERS];
    private final long[] keyframeRequestedNanos = new long[SimulcastPublisher.LAYERS];

    /** The decision on the last packet. */
    int decision;
    /** The layer a keyframe request should go out for after the last packet, or -1. */
    int keyframeRequest;

    SimulcastForwarder(int initialSequenceNumber) {
        rewriter = new StreamRewriter(SimulcastPublisher.LAYERS, 90_000, initialSequenceNumber);
    }

    /** @return the length of the subscriber's packet written into {@code out} at 0, or -1 if none goes out. */
    int onPacket(byte[] in, int length, int layer, long nowNanos, byte[] out) {
        keyframeRequest = -1;
        decision = 0;
        if (!rtp.wrap(in, 0, length)) {
            return -1;
        }
        int seq = rtp.sequenceNumber();
        if (!vp8.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {
            rewriter.drop(layer, seq, -1);
            return -1;
        }
        int pictureId = vp8.hasLongPictureId() ? vp8.pictureId() : -1;
        decision = selector.onPacket(layer, vp8.isKeyframe(), vp8.startOfFrame(), vp8.temporalLayer(),
                vp8.layerSync(), nowNanos);
        if ((decision & LayerSelector.KEYFRAME_NEEDED) != 0) {
            int wanted = selector.keyframeLayer();
            if (!keyframeRequested[wanted] || nowNanos - keyframeRequestedNanos[wanted] >= KEYFRAME_INTERVAL_NANOS) {
                keyframeRequested[wanted] = true;
                keyframeRequestedNanos[wanted] = nowNanos;
                keyframeRequest = wanted;
            }
        }
        if (!LayerSelector.isForward(decision)
                || !rewriter.forward(layer, seq, rtp.timestamp(), rtp.marker(), pictureId, vp8.tl0PicIdx(), nowNanos)) {
            rewriter.drop(layer, seq, pictureId);
            return -1;
        }
        System.arraycopy(in, 0, out, 0, length);
        rtp.wrap(out, 0, length);
        vp8.wrap(out, rtp.payloadOffset(), rtp.payloadLength());
        rewriter.writeTo(rtp, SSRC, PAYLOAD_TYPE);
        rewriter.writeTo(vp8);
        return length;
    }
}
