package dev.relay.sfu.bwe;

import java.util.Random;

/**
 * A one-way path through one bottleneck for the estimator's scenarios: a FIFO queue of limited
 * bytes drained at the capacity, then a fixed propagation delay, with optional random loss after
 * the queue (a lossy wireless hop, say). Deterministic for a given seed. Allocates nothing per packet.
 */
final class BottleneckLink implements Link {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int queueLimitBytes;
    private final long propagationNanos;
    private final Random random;
    private long capacityBps;
    private double lossRate;
    private long busyUntil;
    private long queueDrops;
    private long randomDrops;

    BottleneckLink(long capacityBps, int queueLimitBytes, long propagationNanos, double lossRate, long seed) {
        this.capacityBps = capacityBps;
        this.queueLimitBytes = queueLimitBytes;
        this.propagationNanos = propagationNanos;
        this.lossRate = lossRate;
        this.random = new Random(seed);
    }

    /** Packets already queued keep the times they were given; new ones drain at this rate. */
    void setCapacity(long bps) {
        capacityBps = bps;
    }

    void setLossRate(double rate) {
        lossRate = rate;
    }

    @Override
    public long send(int bytes, long sendNanos) {
        long start = Math.max(sendNanos, busyUntil);
        long queued = (start - sendNanos) * capacityBps / (8 * NANOS_PER_SECOND);
        if (queued + bytes > queueLimitBytes) {
            queueDrops++;
            return DROPPED;
        }
        busyUntil = start + bytes * 8 * NANOS_PER_SECOND / capacityBps;
        if (lossRate > 0 && random.nextDouble() < lossRate) {
            randomDrops++;
            return DROPPED;
        }
        return busyUntil + propagationNanos;
    }

    long queueDrops() {
        return queueDrops;
    }

    long randomDrops() {
        return randomDrops;
    }
}
