package dev.relay.transport;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Drop counters by {@link DropReason}. Several threads (I/O loops, media workers) increment
 * them, so each slot is an atomic add; this is a counter per dropped packet, never per
 * forwarded one, so it stays off the steady-state path.
 */
public final class DropCounters {
    private final AtomicLongArray counts = new AtomicLongArray(DropReason.count());

    public void increment(DropReason reason) {
        counts.getAndIncrement(reason.ordinal());
    }

    public void add(DropReason reason, int n) {
        counts.getAndAdd(reason.ordinal(), n);
    }

    public long get(DropReason reason) {
        return counts.get(reason.ordinal());
    }

    public long total() {
        long sum = 0;
        for (int i = 0; i < counts.length(); i++) {
            sum += counts.get(i);
        }
        return sum;
    }
}
