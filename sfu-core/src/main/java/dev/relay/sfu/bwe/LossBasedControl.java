package dev.relay.sfu.bwe;

/**
 * The loss-based bound on the target (draft-ietf-rmcat-gcc-02 §6), from the losses transport-cc
 * feedback reports.
 *
 * <p>Losses and receptions are counted into a report window that closes once it holds
 * {@link #MIN_PACKETS} statuses, or {@link #MAX_WINDOW_NANOS} has passed with at least one:
 * one 50 ms feedback of a few packets would turn a 5 % random loss into 0 % and 20 % in turn. For
 * each closed window with loss fraction p, from the current target A: p above 10 % bounds the
 * rate at A * (1 - 0.5 p); p under 2 % lets it grow to 1.05 A; in between it holds A. The bound
 * starts from the current target rather than its own last value, so a bound grown unused during a
 * loss-free hour still bites on the first lossy window.
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing.
 */
final class LossBasedControl {
    static final double HIGH_LOSS = 0.10;
    static final double LOW_LOSS = 0.02;
    static final double INCREASE = 1.05;
    static final int MIN_PACKETS = 40;
    static final long MAX_WINDOW_NANOS = 1_000_000_000L;

    private final long minBps;
    private final long maxBps;
    private long boundBps;
    private int lost;
    private int received;
    private long windowStart = Long.MIN_VALUE;
    private double lossFraction;

    LossBasedControl(long initialBps, long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.boundBps = initialBps;
    }

    /**
     * Statuses of one feedback.
     *
     * @param targetBps the target before this feedback, the A the bound moves from.
     * @return true when a window closed and {@link #boundBps()} moved.
     */
    boolean onReport(int lostPackets, int receivedPackets, long targetBps, long nowNanos) {
        if (windowStart == Long.MIN_VALUE) {
            windowStart = nowNanos;
        }
        lost += lostPackets;
        received += receivedPackets;
        int total = lost + received;
        if (total < MIN_PACKETS && (total == 0 || nowNanos - windowStart < MAX_WINDOW_NANOS)) {
            return false;
        }
        lossFraction = (double)lost / total;
        if (lossFraction > HIGH_LOSS) {
            boundBps = (long)(targetBps * (1 - 0.5 * lossFraction));
        } else if (lossFraction < LOW_LOSS) {
            boundBps = (long)(targetBps * INCREASE);
        } else {
            boundBps = targetBps;
        }
        boundBps = Math.max(minBps, Math.min(maxBps, boundBps));
        lost = 0;
        received = 0;
        windowStart = nowNanos;
        return true;
    }

    /** A measurement the target jumps to, such as a successful probe, lifts the bound with it. */
    void raiseTo(long bps) {
        boundBps = Math.max(boundBps, Math.min(maxBps, bps));
    }

    long boundBps() {
        return boundBps;
    }

    /** @return the loss fraction of the last closed window. */
    double lossFraction() {
        return lossFraction;
    }
}
