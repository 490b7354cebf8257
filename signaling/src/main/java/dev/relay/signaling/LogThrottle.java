package dev.relay.signaling;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARN lines a peer can cause (a refused message, a failed handshake) at most once per interval
 * per kind, each saying how many of its kind were left out since the last one: a client that
 * repeats the fault cannot flood the log, and the log still shows that it did. Any thread.
 */
final class LogThrottle {
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();

    private static final class Kind {
        final AtomicLong nextAt;
        final AtomicLong suppressed = new AtomicLong();

        Kind(long now) {
            nextAt = new AtomicLong(now);
        }
    }

    LogThrottle(Logger log, long intervalNanos, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /** Logs {@code format} at WARN unless a line of {@code kind} was logged within the interval. */
    void warn(String kind, String format, Object... args) {
        long now = nanoClock.getAsLong();
        Kind state = kinds.computeIfAbsent(kind, k -> new Kind(now));
        long next = state.nextAt.get();
        if (now - next < 0 || !state.nextAt.compareAndSet(next, now + intervalNanos)) {
            state.suppressed.incrementAndGet();
            return;
        }
        long suppressed = state.suppressed.getAndSet(0);
        if (suppressed > 0) {
            log.warn(format + " (" + suppressed + " more like this not logged in the last "
                    + intervalNanos / 1_000_000_000L + " s)", args);
        } else {
            log.warn(format, args);
        }
    }
}
