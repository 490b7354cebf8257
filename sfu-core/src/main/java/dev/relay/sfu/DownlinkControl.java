package dev.relay.sfu;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import dev.relay.sfu.allocation.BandwidthAllocator;
import dev.relay.sfu.bwe.ProbeSchedule;
import dev.relay.sfu.bwe.SendSideEstimator;

/**
 * One subscriber's downlink (docs/quality.md "Downlink estimate and allocation"): the send-side
 * estimate from its transport-cc feedback ({@link SendSideEstimator}), shared among its simulcast
 * videos by a {@link BandwidthAllocator} every {@link #ALLOCATE_INTERVAL_NANOS}, and probes of
 * padding on an RTX stream when a video gets less than it asked for ({@link ProbeSchedule}), so
 * that the estimate can find headroom. What the subscriber's other streams (audio, single-stream
 * video) cost comes off the estimate first. Worker thread only; allocates nothing after construction.
 */
final class DownlinkControl implements TransportCcSender.SentPacketListener {
    static final long ALLOCATE_INTERVAL_NANOS = 200_000_000L;
    /**
     * A video is paused only once even its lowest layer has not fitted for this long: an estimate
     * that collapses for a moment (a step down of the link, a burst of loss) keeps the lowest layer
     * going while it recovers, rather than freezing the picture.
     */
    static final long PAUSE_AFTER_NANOS = 3_000_000_000L;
    /**
     * A video whose lowest layer costs at most this much more than what is left for it is not
     * paused at all: the estimate hovers around what is sent, and a lowest layer up to a third over it
     * is better than no picture (a token bucket of 400 kbit/s, BandwidthStepTest, carried the
     * 320 px layer fine while the estimate said 10-20 % less).
     */
    static final long LOWEST_LAYER_TOLERANCE_PERCENT = 75;
    static final long INITIAL_BPS = 1_500_000L;
    static final long MIN_BPS = 100_000L;
    static final long MAX_BPS = 20_000_000L;
    /** Videos one subscriber's allocation shares its estimate among; more are not limited. */
    static final int MAX_TRACKS = 32;
    static final int MAX_LAYERS = 4;
    /** Padding packets one duty cycle sends at most, so that a probe never starves the worker. */
    private static final int MAX_PROBE_PACKETS_PER_CALL = 16;
    private static final int PROBE_PADDING_BYTES = 255;

    private final SendSideEstimator estimator = new SendSideEstimator(INITIAL_BPS, MIN_BPS, MAX_BPS);
    private final BandwidthAllocator allocator = new BandwidthAllocator(MAX_TRACKS, MAX_LAYERS);
    private final SimulcastConsumer[] tracks = new SimulcastConsumer[MAX_TRACKS];
    private final long[] layerBps = new long[MAX_LAYERS];
    private final RouterTransport transport;
    private final MediaContext context;
    private long nextAllocateNanos;
    private final ProbeSchedule probes = new ProbeSchedule();
    private final int[] previousTarget = new int[MAX_TRACKS];
    /** Since when the allocator has wanted each video paused; -1 while it has not. */
    private final long[] pausedSince = new long[MAX_TRACKS];
    /** What each video's lowest layer costs now (its average). */
    private final long[] lowestBps = new long[MAX_TRACKS];

    DownlinkControl(RouterTransport transport, MediaContext context) {
        this.transport = transport;
        this.context = context;
    }

    /** Shares the estimate with this video from now on; false if {@link #MAX_TRACKS} are shared already. */
    boolean add(SimulcastConsumer consumer) {
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            if (tracks[slot] == null) {
                tracks[slot] = consumer;
                previousTarget[slot] = BandwidthAllocator.PAUSED;
                pausedSince[slot] = -1;
                java.util.Arrays.fill(layerBps, 0);
                allocator.setTrack(slot, BandwidthAllocator.PRIORITY_NORMAL, consumer.requestedLayer(), layerBps);
                return true;
            }
        }
        return false;
    }

    void remove(SimulcastConsumer consumer) {
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            if (tracks[slot] == consumer) {
                tracks[slot] = null;
                allocator.removeTrack(slot);
            }
        }
    }

    @Override
    public void onPacketSent(int transportSeq, int bytes, long sendNanos) {
        estimator.onPacketSent(transportSeq, bytes, sendNanos, -1);
    }

    void onFeedback(TransportCcFeedback feedback, long nowNanos) {
        estimator.onFeedback(feedback, nowNanos);
    }

    void onRemb(long bps, long nowNanos) {
        estimator.onRemb(bps, nowNanos);
    }

    long estimateBps() {
        return estimator.estimateBps();
    }

    long allocatedBps() {
        return allocator.allocatedBps();
    }

    SendSideEstimator estimator() {
        return estimator;
    }

    /** Allocation when due, then any probe padding due now; returns packets sent. */
    int poll(long nowNanos) {
        if (nowNanos - nextAllocateNanos >= 0) {
            nextAllocateNanos = nowNanos + ALLOCATE_INTERVAL_NANOS;
            boolean down = allocate(nowNanos);
            long factor = probes.onAllocation(allocator.deficient(), down, allocator.allocatedBps(), nowNanos);
            if (factor > 0) {
                estimator.startProbe(Math.min(MAX_BPS, estimator.estimateBps() * factor / 100), nowNanos);
                context.count(MediaEvent.PROBE_STARTED);
            }
        }
        return sendProbe(nowNanos);
    }

    /** Shares the estimate; returns true if some video stepped down (or paused) for bandwidth. */
    private boolean allocate(long nowNanos) {
        RouterTransport speaker = transport.router().speakers().dominantSource();
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            SimulcastConsumer consumer = tracks[slot];
            if (consumer == null) {
                continue;
            }
            Producer producer = consumer.producer();
            // What keeping a layer costs is its average; what taking one on costs, its recent peak
            // (a keyframe's window): neither a keyframe pushes a subscriber off its layer, nor the
            // gap between two keyframes lures it onto one its link does not carry.
            int current = allocator.target(slot);
            for (int layer = 0; layer < MAX_LAYERS; layer++) {
                if (layer >= producer.streamCount()) {
                    layerBps[layer] = 0;
                } else {
                    ProducerStream stream = producer.stream(layer);
                    layerBps[layer] = layer <= current ? stream.averageBitrateBps(nowNanos)
                            : stream.peakBitrateBps(nowNanos);
                }
            }
            // Screen shares first, then the active speaker's video (docs/quality.md).
            int priority = producer.isScreenShare() ? BandwidthAllocator.PRIORITY_SCREEN
                    : speaker != null && producer.source() == speaker
                    ? BandwidthAllocator.PRIORITY_SPEAKER : BandwidthAllocator.PRIORITY_NORMAL;
            allocator.setTrack(slot, priority, consumer.requestedLayer(), layerBps);
            lowestBps[slot] = producer.stream(0).averageBitrateBps(nowNanos);
        }
        long budget = Math.max(0, estimator.estimateBps() - transport.otherStreamsBps(nowNanos));
        allocator.allocate(budget, nowNanos);
        boolean down = false;
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            if (tracks[slot] == null) {
                continue;
            }
            int target = allocator.target(slot);
            if (target == BandwidthAllocator.PAUSED && budget >= lowestBps[slot] * LOWEST_LAYER_TOLERANCE_PERCENT / 100) {
                // Near enough: the lowest layer a little over the estimate beats no picture at all.
                target = 0;
            }
            if (target == BandwidthAllocator.PAUSED && tracks[slot].requestedLayer() >= 0) {
                if (pausedSince[slot] < 0) {
                    pausedSince[slot] = nowNanos;
                }
                if (nowNanos - pausedSince[slot] < PAUSE_AFTER_NANOS) {
                    target = 0; // not yet: the lowest layer while the estimate recovers
                }
            } else {
                pausedSince[slot] = -1;
            }
            if (target != previousTarget[slot]) {
                boolean stepDown = target < previousTarget[slot] && target < tracks[slot].requestedLayer();
                if (stepDown && target >= 0) {
                    context.count(MediaEvent.LAYER_DOWN_FOR_BANDWIDTH);
                }
                down |= stepDown;
                tracks[slot].setAllocatedLayer(target, nowNanos);
                previousTarget[slot] = target;
            }
        }
        return down;
    }

    private int sendProbe(long nowNanos) {
        int due = estimator.probeBytesDue(nowNanos);
        if (due <= 0) {
            return 0;
        }
        SimulcastConsumer via = null;
        for (int slot = 0; slot < MAX_TRACKS && via == null; slot++) {
            if (tracks[slot] != null && tracks[slot].canProbe()) {
                via = tracks[slot];
            }
        }
        if (via == null) {
            return 0;
        }
        int sent = 0;
        byte[] out = context.rtpOut;
        while (due > 0 && sent < MAX_PROBE_PACKETS_PER_CALL) {
            int length = via.writeProbe(out, Math.min(PROBE_PADDING_BYTES, due));
            if (length < 0) {
                break;
            }
            int bytes = transport.sender().sendRtp(out, 0, length);
            if (bytes < 0) {
                break;
            }
            context.countOut(bytes);
            due -= bytes;
            sent++;
        }
        return sent;
    }
}
