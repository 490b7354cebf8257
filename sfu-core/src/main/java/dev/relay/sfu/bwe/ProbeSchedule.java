package dev.relay.sfu.bwe;

/**
 * When one subscriber's downlink is probed, and how hard (docs/quality.md "Downlink estimate and
 * allocation", Probing). A probe is due while some video gets less than it asked for (the
 * allocation is deficient) and the interval since the last one has passed. Bold probes aim at
 * {@link #BOLD_FACTOR_PERCENT} of the estimate every {@link #BOLD_INTERVAL_NANOS}; after
 * {@link #FAILED_BEFORE_GENTLE} probes in a row after which no upgrade held for
 * {@link #VERDICT_NANOS} (none came, or a step down followed), probing turns gentle:
 * {@link #GENTLE_FACTOR_PERCENT} every {@link #GENTLE_INTERVAL_NANOS}, until one succeeds. A
 * subscriber starts gentle, since nothing is known of its link yet.
 *
 * <p>Why gentle: on a link already full, twice the estimate for a quarter second overflows a
 * bottleneck queue of 100 ms and the subscriber's own media is lost with the padding (a short
 * freeze), while 1.25 times still shows a link that grew.
 *
 * <p>Pure logic over the caller's clock; one per subscriber, worker thread only; allocates nothing.
 */
public final class ProbeSchedule {
    public static final long BOLD_INTERVAL_NANOS = 1_500_000_000L;
    public static final long GENTLE_INTERVAL_NANOS = 3_000_000_000L;
    public static final long BOLD_FACTOR_PERCENT = 200;
    public static final long GENTLE_FACTOR_PERCENT = 125;
    public static final int FAILED_BEFORE_GENTLE = 2;
    /**
     * How long what a probe allowed must hold to count as success: longer than a failed upgrade
     * takes to show (a keyframe lost, the estimate cut, in about a second in BandwidthStepTest),
     * short enough that a link that grew is climbed in a few steps.
     */
    public static final long VERDICT_NANOS = 2_500_000_000L;

    private long lastProbeNanos = Long.MIN_VALUE / 2;
    private int failed = FAILED_BEFORE_GENTLE;
    private boolean judged = true;
    private long allocatedAtProbe;

    /**
     * One allocation round: judges the last probe, then says whether a new one starts now.
     *
     * @param deficient   some video gets less than it asked for.
     * @param steppedDown some video stepped down for bandwidth in this round.
     * @param allocatedBps what the allocation gives now.
     * @return the probe's target as a percentage of the estimate, or 0 for no probe now.
     */
    public long onAllocation(boolean deficient, boolean steppedDown, long allocatedBps, long nowNanos) {
        judge(steppedDown, allocatedBps, nowNanos);
        if (!deficient || nowNanos - lastProbeNanos < intervalNanos()) {
            return 0;
        }
        lastProbeNanos = nowNanos;
        judged = false;
        allocatedAtProbe = allocatedBps;
        return gentle() ? GENTLE_FACTOR_PERCENT : BOLD_FACTOR_PERCENT;
    }

    public boolean gentle() {
        return failed >= FAILED_BEFORE_GENTLE;
    }

    public long intervalNanos() {
        return gentle() ? GENTLE_INTERVAL_NANOS : BOLD_INTERVAL_NANOS;
    }

    private void judge(boolean steppedDown, long allocatedBps, long nowNanos) {
        if (judged) {
            return;
        }
        boolean failure;
        if (steppedDown) {
            failure = true;
        } else if (nowNanos - lastProbeNanos >= VERDICT_NANOS) {
            failure = allocatedBps <= allocatedAtProbe;
        } else {
            return;
        }
        judged = true;
        failed = failure ? Math.min(failed + 1, FAILED_BEFORE_GENTLE) : 0;
    }
}
