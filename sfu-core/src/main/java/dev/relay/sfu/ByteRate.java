package dev.relay.sfu;

/**
 * The bitrate of a stream over the last complete window of {@link #WINDOW_NANOS}: what a
 * simulcast layer costs a subscriber, for the bandwidth allocator (docs/quality.md). A keyframe
 * makes one window several times the next, so {@link #peakBps} holds the highest window and lets
 * it fall by a tenth per window: an allocation that counts a layer at its peak does not take the
 * layer on between two keyframes and drop it at the next, while {@link #averageBps} (a quarter
 * of each new window, about 2 s of memory) is what keeping a layer costs, so that one keyframe
 * does not push a subscriber off the layer it has. Pure; the caller brings the time; allocates
 * nothing.
 */
final class ByteRate {
    static final long WINDOW_NANOS = 500_000_000L;

    private long windowStart = Long.MIN_VALUE;
    private long bytesInWindow;
    private long lastWindowBps;
    private long peakBps;
    private long averageBps;

    void add(int bytes, long nowNanos) {
        roll(nowNanos);
        bytesInWindow += bytes;
    }

    /** Bits per second over the last complete window; 0 once a whole window passed with nothing. */
    long bps(long nowNanos) {
        roll(nowNanos);
        return lastWindowBps;
    }

    /** The highest recent window, falling by a tenth per window since (0 after a silent window). */
    long peakBps(long nowNanos) {
        roll(nowNanos);
        return peakBps;
    }

    /** A moving average of the windows, a quarter of each new one (0 after a silent window). */
    long averageBps(long nowNanos) {
        roll(nowNanos);
        return averageBps;
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
        peakBps = lastWindowBps == 0 ? 0 : Math.max(lastWindowBps, peakBps * 9 / 10);
        averageBps = lastWindowBps == 0 ? 0 : averageBps == 0 ? lastWindowBps : (3 * averageBps + lastWindowBps) / 4;
        bytesInWindow = 0;
        windowStart = elapsed < 2 * WINDOW_NANOS ? windowStart + WINDOW_NANOS : nowNanos;
    }
}
