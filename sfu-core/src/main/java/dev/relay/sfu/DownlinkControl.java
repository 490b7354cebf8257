package dev.relay.sfu;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import dev.relay.sfu.allocation.BandwidthAllocator;
import dev.relay.sfu.bwe.SendSideEstimator;

/**
 * One subscriber's downlink (docs/quality.md "Downlink estimate and allocation"): the send-side
 * estimate from its transport-cc feedback ({@link SendSideEstimator}), shared among its simulcast
 * videos by a {@link BandwidthAllocator} every {@link #ALLOCATE_INTERVAL_NANOS}, and probes of
 * padding on an RTX stream when a video gets less than it asked for, so that the estimate can
 * find headroom. What the subscriber's other streams (audio, single-stream video) cost comes off
 * the estimate first. Worker thread only; allocates nothing after construction.
 */
final class DownlinkControl implements TransportCcSender.SentPacketListener {
    static final long ALLOCATE_INTERVAL_NANOS = 200_000_000L;
    /** How long after one probe the next may start. */
    static final long PROBE_INTERVAL_NANOS = 1_500_000_000L;
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
    private long lastProbeNanos = Long.MIN_VALUE / 2;

    DownlinkControl(RouterTransport transport, MediaContext context) {
        this.transport = transport;
        this.context = context;
    }

    /** Shares the estimate with this video from now on; false if {@link #MAX_TRACKS} are shared already. */
    boolean add(SimulcastConsumer consumer) {
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            if (tracks[slot] == null) {
                tracks[slot] = consumer;
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
            allocate(nowNanos);
            if (allocator.deficient() && nowNanos - lastProbeNanos >= PROBE_INTERVAL_NANOS) {
                lastProbeNanos = nowNanos;
                estimator.startProbe(Math.min(MAX_BPS, 2 * estimator.estimateBps()), nowNanos);
            }
        }
        return sendProbe(nowNanos);
    }

    private void allocate(long nowNanos) {
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            SimulcastConsumer consumer = tracks[slot];
            if (consumer == null) {
                continue;
            }
            Producer producer = consumer.producer();
            for (int layer = 0; layer < MAX_LAYERS; layer++) {
                layerBps[layer] = layer < producer.streamCount() ? producer.stream(layer).bitrateBps(nowNanos) : 0;
            }
            allocator.setTrack(slot, BandwidthAllocator.PRIORITY_NORMAL, consumer.requestedLayer(), layerBps);
        }
        long budget = Math.max(0, estimator.estimateBps() - transport.otherStreamsBps(nowNanos));
        if (allocator.allocate(budget, nowNanos)) {
            for (int slot = 0; slot < MAX_TRACKS; slot++) {
                if (tracks[slot] != null) {
                    tracks[slot].setAllocatedLayer(allocator.target(slot), nowNanos);
                }
            }
        }
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
