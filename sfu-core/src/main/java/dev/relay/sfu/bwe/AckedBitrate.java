package dev.relay.sfu.bwe;

/**
 * The rate at which the receiver acknowledged bytes: R_hat of draft-ietf-rmcat-gcc-02 §5.5,
 * measured over the last {@link #WINDOW_NANOS} of arrival time.
 *
 * <p>Bytes go into buckets of {@link #BUCKET_NANOS} by arrival time on the receiver's clock; the
 * rate is the bytes of the buckets in the window ending at the newest arrival over the time
 * they span (until the window fills, the first packet's bytes are left out: they arrived at the
 * start of the span, not during it). A packet older than the window (reordered behind newer ones across a whole window)
 * is ignored.
 *
 * <p>Pure state over the caller's timestamps; allocates nothing after construction.
 */
final class AckedBitrate {
    static final long BUCKET_NANOS = 10_000_000L;
    static final int BUCKETS = 50;
    static final long WINDOW_NANOS = BUCKET_NANOS * BUCKETS;
    /** Less arrival time than this says nothing about a rate. */
    static final long MIN_SPAN_NANOS = 20_000_000L;

    private final long[] bytes = new long[BUCKETS];
    private boolean started;
    private long firstArrival;
    private int firstBytes;
    private long newestArrival;
    private long newestBucket;
    private long windowBytes;

    void onAck(long arrivalNanos, int size) {
        long bucket = Math.floorDiv(arrivalNanos, BUCKET_NANOS);
        if (!started) {
            started = true;
            firstArrival = arrivalNanos;
            firstBytes = size;
            newestArrival = arrivalNanos;
            newestBucket = bucket;
        }
        if (bucket > newestBucket) {
            long clear = Math.min(bucket - newestBucket, BUCKETS);
            for (long b = bucket - clear + 1; b <= bucket; b++) {
                int i = (int)Math.floorMod(b, (long)BUCKETS);
                windowBytes -= bytes[i];
                bytes[i] = 0;
            }
            newestBucket = bucket;
        } else if (bucket <= newestBucket - BUCKETS) {
            return;
        }
        newestArrival = Math.max(newestArrival, arrivalNanos);
        bytes[(int)Math.floorMod(bucket, (long)BUCKETS)] += size;
        windowBytes += size;
    }

    /** @return bits per second over the window, or 0 before {@link #MIN_SPAN_NANOS} of arrivals. */
    long bps() {
        if (!started) {
            return 0;
        }
        long bucketsStart = (newestBucket - BUCKETS + 1) * BUCKET_NANOS;
        long windowStart = Math.max(firstArrival, bucketsStart);
        long span = newestArrival - windowStart;
        if (span < MIN_SPAN_NANOS) {
            return 0;
        }
        // The very first packet arrived at the start of the span, not during it.
        long counted = firstArrival >= bucketsStart ? windowBytes - firstBytes : windowBytes;
        return counted * 8 * 1_000_000_000L / span;
    }
}
