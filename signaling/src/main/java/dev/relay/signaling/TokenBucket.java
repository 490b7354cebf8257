package dev.relay.signaling;

import java.util.function.LongSupplier;

/**
 * A token bucket (RFC 2697's committed rate and burst, in messages): {@code rate} tokens a second
 * up to {@code burst}; each message takes one. Time comes from an injected nanosecond clock so
 * tests control it. One per connection, used by that connection's event loop only.
 */
final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long nanosPerToken;
    private final long capacityNanos;
    private final LongSupplier nanoClock;
    /**
     * The bucket as the time at which it would be empty: {@code now - emptyAt} is the credit, in
     * nanoseconds of refill. One long instead of a fractional token count.
     */
    private long emptyAt;

    TokenBucket(int ratePerSecond, int burst, LongSupplier nanoClock) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.nanosPerToken = NANOS_PER_SECOND / ratePerSecond;
        this.capacityNanos = nanosPerToken * burst;
        this.nanoClock = nanoClock;
        this.emptyAt = nanoClock.getAsLong() - capacityNanos; // starts full
    }

    /** Takes one token; false (and nothing taken) if the bucket is empty. */
    boolean tryTake() {
        long now = nanoClock.getAsLong();
        if (now - emptyAt > capacityNanos) {
            emptyAt = now - capacityNanos;
        }
        if (now - emptyAt < nanosPerToken) {
            return false;
        }
        emptyAt += nanosPerToken;
        return true;
    }
}
