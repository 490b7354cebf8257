package dev.relay.signaling;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Refusals by {@link Limit}, for {@code relay_limits_refused_total{limit}}. Counted on the control
 * thread and on Netty's event loops (connections, message rate, slow readers), hence atomics; a
 * refusal is rare next to a message, so the contention does not matter.
 */
final class LimitCounters {
    private final AtomicLongArray counts = new AtomicLongArray(Limit.values().length);

    void refused(Limit limit) {
        counts.incrementAndGet(limit.ordinal());
    }

    long get(Limit limit) {
        return counts.get(limit.ordinal());
    }
}
