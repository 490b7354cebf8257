package dev.relay.loadgen;

/**
 * Counts of one-way latencies in microseconds, log-linear like HdrHistogram (which the build
 * does not pin): values below 2,048 us have their own bucket; above, each power of two is split
 * into 1,024 buckets, so a reported percentile is within 0.1% of the true value. 30 powers of two
 * above 2 ms cover more than an hour in 31,744 buckets (250 KiB).
 *
 * <p>Owned by one I/O loop thread; {@link #add} merges another loop's copy after the run.
 * Recording allocates nothing.
 */
final class LatencyHistogram {
    private static final int LINEAR_LIMIT = 2048;
    private static final int SUB_BUCKETS = 1024;
    private static final int SUB_BUCKET_BITS = 10;
    private static final int POWERS_ABOVE_LINEAR = 30;
    private static final long MAX_TRACKABLE = (1L << (11 + POWERS_ABOVE_LINEAR)) - 1;

    private final long[] counts = new long[LINEAR_LIMIT + POWERS_ABOVE_LINEAR * SUB_BUCKETS];
    private long total;
    private long max;
    private long min = Long.MAX_VALUE;

    void record(long micros) {
        long value = micros < 0 ? 0 : Math.min(micros, MAX_TRACKABLE);
        counts[index(value)]++;
        total++;
        if (value > max) {
            max = value;
        }
        if (value < min) {
            min = value;
        }
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
        min = Math.min(min, other.min);
    }

    void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
        min = Long.MAX_VALUE;
    }

    long count() {
        return total;
    }

    long maxMicros() {
        return max;
    }

    /**
     * The smallest recorded value v such that at least {@code quantile} of all values are <= v,
     * as the lower edge of its bucket (exact below 2 ms); -1 when empty.
     */
    long percentileMicros(double quantile) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(Math.max(lowerEdge(i), min), max);
            }
        }
        return max;
    }

    static int index(long value) {
        if (value < LINEAR_LIMIT) {
            return (int) value;
        }
        int msb = 63 - Long.numberOfLeadingZeros(value);
        int shift = msb - SUB_BUCKET_BITS;
        return LINEAR_LIMIT + (msb - 11) * SUB_BUCKETS + (int) ((value >>> shift) - SUB_BUCKETS);
    }

    static long lowerEdge(int index) {
        if (index < LINEAR_LIMIT) {
            return index;
        }
        int power = (index - LINEAR_LIMIT) / SUB_BUCKETS;
        int sub = (index - LINEAR_LIMIT) % SUB_BUCKETS;
        int msb = power + 11;
        return (long) (SUB_BUCKETS + sub) << (msb - SUB_BUCKET_BITS);
    }
}
