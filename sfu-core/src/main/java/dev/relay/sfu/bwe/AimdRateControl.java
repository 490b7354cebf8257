package dev.relay.sfu.bwe;

/**
 * The delay-based rate A_hat: additive-increase / multiplicative-decrease driven by the
 * detector's signal (draft-ietf-rmcat-gcc-02 §5.5).
 *
 * <p>States: over-use moves to Decrease, under-use to Hold (the queue drains; wait), normal
 * from Hold or Increase to Increase. Decrease sets the rate to {@link #BETA} times the acknowledged
 * rate, at most once per round trip (the queue needs that long to show the cut), and never
 * raises it. Increase is multiplicative, {@link #ETA_PER_SECOND} per second, while the link
 * capacity is unknown or the acknowledged rate is far from it; near it, additive: about half a
 * packet per response time (100 ms + RTT), as §5.5 describes. The link capacity is the average of
 * the acknowledged rates at which over-use was seen; "near" is within three standard deviations.
 * An increase never takes the rate above 1.5 times the acknowledged rate plus 10 kbit/s, so an
 * application-limited sender does not build an estimate it never tested (§5.5).
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing.
 */
final class AimdRateControl {
    static final int HOLD = 0;
    static final int INCREASE = 1;
    static final int DECREASE = 2;

    /** §5.5: beta, 0.85. */
    static final double BETA = 0.85;
    /** §5.5: eta, 1.08 per second at most. */
    static final double ETA_PER_SECOND = 1.08;
    static final double ACKED_HEADROOM = 1.5;
    static final long ACKED_HEADROOM_BPS = 10_000;
    static final long MIN_ADDITIVE_BITS = 1_000;
    static final long DEFAULT_RTT_NANOS = 100_000_000L;
    static final long BASE_RESPONSE_NANOS = 100_000_000L;
    /** Cuts are at least this far apart even on a fast path, at most this far on a slow one. */
    static final long MIN_DECREASE_INTERVAL_NANOS = 10_000_000L;
    static final long MAX_DECREASE_INTERVAL_NANOS = 200_000_000L;
    /** §5.5's expected packet size assumes 30 frames/s of packets up to 1,200 bytes. */
    static final double FRAMES_PER_SECOND = 30;
    static final int MAX_PACKET_BITS = 1_200 * 8;
    /** Weight of a new sample in the link capacity's average and relative variance. */
    static final double CAPACITY_SMOOTHING = 0.05;
    /** Relative standard deviation of the capacity estimate stays within [2 %, 25 %]. */
    static final double MIN_RELATIVE_VARIANCE = 0.02 * 0.02;
    static final double MAX_RELATIVE_VARIANCE = 0.25 * 0.25;
    /** A capacity seen once is trusted to about 10 %. */
    static final double INITIAL_RELATIVE_VARIANCE = 0.1 * 0.1;

    private final long minBps;
    private final long maxBps;
    private long rateBps;
    private int state = INCREASE;
    private long lastUpdate = Long.MIN_VALUE;
    private long lastDecrease = Long.MIN_VALUE;
    private long rttNanos = DEFAULT_RTT_NANOS;
    private double capacityBps = -1;
    private double capacityRelativeVariance = INITIAL_RELATIVE_VARIANCE;

    AimdRateControl(long initialBps, long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.rateBps = clamp(initialBps);
    }

    /**
     * One detector output.
     *
     * @param ackedBps the acknowledged rate, 0 when not yet known (then no headroom bound applies).
     * @return the new rate.
     */
    long update(int delayState, long ackedBps, long nowNanos) {
        if (lastUpdate == Long.MIN_VALUE) {
            lastUpdate = nowNanos;
        }
        long elapsed = Math.max(0, nowNanos - lastUpdate);
        lastUpdate = nowNanos;
        if (delayState == OveruseDetector.OVERUSING) {
            state = DECREASE;
        } else if (delayState == OveruseDetector.UNDERUSING) {
            state = HOLD;
        } else {
            state = INCREASE;
        }

        if (state == DECREASE) {
            decrease(ackedBps, nowNanos);
        } else if (state == INCREASE) {
            increase(ackedBps, elapsed);
        }
        return rateBps;
    }

    /** A measurement the rate should jump to, such as a successful probe. */
    void setRate(long bps, long nowNanos) {
        rateBps = clamp(bps);
        lastUpdate = nowNanos;
    }

    void setRtt(long nanos) {
        rttNanos = nanos;
    }

    long rateBps() {
        return rateBps;
    }

    int state() {
        return state;
    }

    /** @return the link capacity estimate, or -1 while unknown. */
    long capacityBps() {
        return (long)capacityBps;
    }

    /** @return true when the acknowledged rate is within three standard deviations of the capacity. */
    boolean nearCapacity(long ackedBps) {
        if (capacityBps < 0) {
            return false;
        }
        double sigma = capacityBps * Math.sqrt(capacityRelativeVariance);
        return Math.abs(ackedBps - capacityBps) <= 3 * sigma;
    }

    private void decrease(long ackedBps, long nowNanos) {
        long interval = Math.max(MIN_DECREASE_INTERVAL_NANOS, Math.min(rttNanos, MAX_DECREASE_INTERVAL_NANOS));
        if (lastDecrease != Long.MIN_VALUE && nowNanos - lastDecrease < interval) {
            return;
        }
        if (ackedBps <= 0) {
            return;
        }
        long cut = (long)(BETA * ackedBps);
        if (cut < rateBps) {
            rateBps = clamp(cut);
            lastDecrease = nowNanos;
        }
        updateCapacity(ackedBps);
        state = HOLD;
    }

    private void increase(long ackedBps, long elapsed) {
        long next;
        if (ackedBps > 0 && capacityBps >= 0 && ackedBps > capacityBps + 3 * capacityBps * Math.sqrt(capacityRelativeVariance)) {
            // Well above what over-use was seen at: the path changed, the old capacity is no guide.
            capacityBps = -1;
        }
        if (nearCapacity(ackedBps)) {
            double responseNanos = BASE_RESPONSE_NANOS + rttNanos;
            double alpha = 0.5 * Math.min(elapsed / responseNanos, 1.0);
            double bitsPerFrame = rateBps / FRAMES_PER_SECOND;
            double packetsPerFrame = Math.ceil(bitsPerFrame / MAX_PACKET_BITS);
            double packetBits = bitsPerFrame / packetsPerFrame;
            next = rateBps + Math.max(MIN_ADDITIVE_BITS, (long)(alpha * packetBits));
        } else {
            double eta = Math.pow(ETA_PER_SECOND, Math.min(elapsed / 1e9, 1.0));
            next = (long)Math.ceil(rateBps * eta);
        }
        if (ackedBps > 0) {
            long bound = (long)(ACKED_HEADROOM * ackedBps) + ACKED_HEADROOM_BPS;
            next = Math.min(next, Math.max(rateBps, bound));
        }
        rateBps = clamp(next);
    }

    private void updateCapacity(long ackedBps) {
        if (capacityBps < 0) {
            capacityBps = ackedBps;
            capacityRelativeVariance = INITIAL_RELATIVE_VARIANCE;
            return;
        }
        double sigma = capacityBps * Math.sqrt(capacityRelativeVariance);
        if (ackedBps < capacityBps - 3 * sigma) {
            // Far below the old capacity: the path changed, start the average over.
            capacityBps = ackedBps;
            capacityRelativeVariance = INITIAL_RELATIVE_VARIANCE;
            return;
        }
        capacityBps = (1 - CAPACITY_SMOOTHING) * capacityBps + CAPACITY_SMOOTHING * ackedBps;
        double relative = (ackedBps - capacityBps) / capacityBps;
        capacityRelativeVariance = (1 - CAPACITY_SMOOTHING) * capacityRelativeVariance
            + CAPACITY_SMOOTHING * relative * relative;
        capacityRelativeVariance = Math.max(MIN_RELATIVE_VARIANCE, Math.min(MAX_RELATIVE_VARIANCE, capacityRelativeVariance));
    }

    private long clamp(long bps) {
        return Math.max(minBps, Math.min(maxBps, bps));
    }
}
