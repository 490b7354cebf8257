package dev.relay.sfu.bwe;

/**
 * Compares the queue-growth signal m(i) with an adaptive threshold and says whether the path is
 * over-used, under-used or normal (draft-ietf-rmcat-gcc-02 §5.4).
 *
 * <p>Over-use is signalled only once m(i) has stayed above the threshold for
 * {@link #OVERUSE_TIME_NANOS} and is not falling: a single spike is not a queue. Under-use is m(i)
 * below minus the threshold (the queue drains). The threshold follows |m(i)|, up quickly (K_u)
 * and down slowly (K_d), so that a flow competing with loss-based TCP traffic, whose queue never
 * empties, is not starved by a fixed threshold (§5.4); it stays in [6, 600] ms and ignores
 * samples more than 15 ms above it, which are sudden spikes such as a route change, not drift.
 *
 * <p>The gains are the draft's: K_u = 0.01 and K_d = 0.00018 per ms of time between updates.
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing.
 */
final class OveruseDetector {
    static final int NORMAL = 0;
    static final int OVERUSING = 1;
    static final int UNDERUSING = 2;

    static final double INITIAL_THRESHOLD_MS = 12.5;
    static final double MIN_THRESHOLD_MS = 6;
    static final double MAX_THRESHOLD_MS = 600;
    static final double K_UP = 0.01;
    static final double K_DOWN = 0.00018;
    /** Samples this far above the threshold do not move it (§5.4). */
    static final double MAX_ADAPT_OFFSET_MS = 15;
    /** draft-ietf-rmcat-gcc-02 §5.4: overuse_time_th, 10 ms. */
    static final long OVERUSE_TIME_NANOS = 10_000_000L;
    /** A gap longer than this between updates is a pause, not a time step of the threshold filter. */
    static final long MAX_ADAPT_STEP_NANOS = 100_000_000L;

    private final double kUp;
    private final double kDown;
    private double thresholdMs = INITIAL_THRESHOLD_MS;
    private long lastUpdate = Long.MIN_VALUE;
    private double previousSignal;
    private long overuseNanos;
    private int overuseCount;
    private int state = NORMAL;

    OveruseDetector() {
        this(K_UP, K_DOWN);
    }

    OveruseDetector(double kUp, double kDown) {
        this.kUp = kUp;
        this.kDown = kDown;
    }

    /**
     * @param signalMs m(i), the trendline's scaled slope.
     * @param sendDeltaNanos the send spacing of the groups the signal came from: how long the
     *     signal has held, for the over-use timer.
     * @param nowNanos arrival time of the group (any clock, only differences count).
     * @return {@link #NORMAL}, {@link #OVERUSING} or {@link #UNDERUSING}.
     */
    int detect(double signalMs, long sendDeltaNanos, long nowNanos) {
        if (signalMs > thresholdMs) {
            overuseNanos = overuseCount == 0 ? sendDeltaNanos / 2 : overuseNanos + sendDeltaNanos;
            overuseCount++;
            if (overuseNanos > OVERUSE_TIME_NANOS && overuseCount > 1 && signalMs >= previousSignal) {
                state = OVERUSING;
                overuseNanos = 0;
                overuseCount = 0;
            }
        } else if (signalMs < -thresholdMs) {
            overuseNanos = 0;
            overuseCount = 0;
            state = UNDERUSING;
        } else {
            overuseNanos = 0;
            overuseCount = 0;
            state = NORMAL;
        }
        previousSignal = signalMs;
        adapt(signalMs, nowNanos);
        return state;
    }

    int state() {
        return state;
    }

    double thresholdMs() {
        return thresholdMs;
    }

    private void adapt(double signalMs, long nowNanos) {
        double magnitude = Math.abs(signalMs);
        if (lastUpdate == Long.MIN_VALUE) {
            lastUpdate = nowNanos;
        }
        if (magnitude > thresholdMs + MAX_ADAPT_OFFSET_MS) {
            lastUpdate = nowNanos;
            return;
        }
        double k = magnitude < thresholdMs ? kDown : kUp;
        long step = Math.min(Math.max(nowNanos - lastUpdate, 0), MAX_ADAPT_STEP_NANOS);
        thresholdMs += k * (magnitude - thresholdMs) * (step / 1e6);
        thresholdMs = Math.max(MIN_THRESHOLD_MS, Math.min(MAX_THRESHOLD_MS, thresholdMs));
        lastUpdate = nowNanos;
    }
}
