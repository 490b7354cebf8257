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
 * loss-free hour still bites on the first lossy window. A decrease stops at {@link #ACKED_FLOOR}
 * of the rate the receiver acknowledged: what got through is what the path carries, and windows
 * that close every few tens of milliseconds during a burst of loss would otherwise compound the
 * decrease down to the minimum (a link that steps from 5 Mbit/s to 400 kbit/s loses half of what
 * is in flight for a second, while still delivering its 400 kbit/s).
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing.
 */
final class LossBasedControl {
    static final double HIGH_LOSS = 0.10;
    static final double LOW_LOSS = 0.02;
    static final double INCREASE = 1.05;
    static final int MIN_PACKETS = 40;
    static final long MAX_WINDOW_NANOS = 1_000_000_000L;
    static final double ACKED_FLOOR = 0.85;

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
        return onReport(lostPackets, receivedPackets, targetBps, 0, nowNanos);
    }

    /** @param ackedBps what the receiver acknowledged lately; a decrease stops at {@link #ACKED_FLOOR} of it */
    boolean onReport(int lostPackets, int receivedPackets, long targetBps, long ackedBps, long nowNanos) {
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
            boundBps = Math.max((long)(targetBps * (1 - 0.5 * lossFraction)),
                Math.min(targetBps, (long)(ACKED_FLOOR * ackedBps)));
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
