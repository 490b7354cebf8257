package dev.relay.sfu;

/**
 * The bitrate of a stream over the last complete window of {@link #WINDOW_NANOS}: what a
 * simulcast layer costs a subscriber, for the bandwidth allocator (docs/quality.md). Pure; the
 * caller brings the time; allocates nothing.
 */
final class ByteRate {
    static final long WINDOW_NANOS = 500_000_000L;

    private long windowStart = Long.MIN_VALUE;
    private long bytesInWindow;
    private long lastWindowBps;

    void add(int bytes, long nowNanos) {
        roll(nowNanos);
        bytesInWindow += bytes;
    }

    /** Bits per second over the last complete window; 0 once a whole window passed with nothing. */
    long bps(long nowNanos) {
        roll(nowNanos);
        return lastWindowBps;
    }

    private void roll(long nowNanos) {
        if (windowStart == Long.MIN_VALUE) {
            windowStart = nowNanos;
            return;
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        // A gap of more than one window: the last complete one was empty.
        lastWindowBps = elapsed < 2 * WINDOW_NANOS ? bytesInWindow * 8 * 1_000_000_000L / WINDOW_NANOS : 0;
        bytesInWindow = 0;
        windowStart = elapsed < 2 * WINDOW_NANOS ? windowStart + WINDOW_NANOS : nowNanos;
    }
}
