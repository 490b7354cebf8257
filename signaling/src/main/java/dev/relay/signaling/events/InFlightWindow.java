package dev.relay.signaling.events;

/**
 * Spool records handed to the producer and not yet acknowledged, in the order they were sent.
 * Kafka acknowledges each partition in order but partitions independently, so acknowledgements
 * arrive out of order; the spool may only forget a prefix. {@link #acknowledgedBelow} is that
 * prefix: every record sent before the oldest one still waiting.
 *
 * <p>A ring of sequence numbers with a flag each, bounded by {@link #capacity}: the sender stops
 * sending while it is full. Sequence numbers only grow, so finding one is a binary search. Pure:
 * one thread, no clock.
 */
final class InFlightWindow {
    private final long[] seqs;
    private final boolean[] done;
    private final int mask;
    private int head;
    private int size;

    /** @param capacity records in flight at most; rounded up to a power of two */
    InFlightWindow(int capacity) {
        int n = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        seqs = new long[n];
        done = new boolean[n];
        mask = n - 1;
    }

    int capacity() {
        return seqs.length;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == seqs.length;
    }

    /** Records {@code seq} as sent; it must be greater than every one sent before. */
    void sent(long seq) {
        if (isFull()) {
            throw new IllegalStateException("in-flight window full");
        }
        if (size > 0 && seq <= seqs[(head + size - 1) & mask]) {
            throw new IllegalArgumentException("sequence numbers must grow: " + seq);
        }
        int slot = (head + size) & mask;
        seqs[slot] = seq;
        done[slot] = false;
        size++;
    }

    /** Marks {@code seq} acknowledged; false if it is not in flight (already acknowledged or never sent). */
    boolean acknowledged(long seq) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = seqs[(head + mid) & mask];
            if (v < seq) {
                lo = mid + 1;
            } else if (v > seq) {
                hi = mid - 1;
            } else {
                int slot = (head + mid) & mask;
                if (done[slot]) {
                    return false;
                }
                done[slot] = true;
                while (size > 0 && done[head]) {
                    head = (head + 1) & mask;
                    size--;
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Every record below the returned sequence number is acknowledged: the oldest one in flight,
     * or {@code nextToSend} when none is.
     */
    long acknowledgedBelow(long nextToSend) {
        return size == 0 ? nextToSend : seqs[head];
    }

    /** Forgets everything in flight (the producer was closed; those records are sent again later). */
    void clear() {
        head = 0;
        size = 0;
    }
}
