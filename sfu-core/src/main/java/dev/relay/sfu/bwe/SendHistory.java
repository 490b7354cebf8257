package dev.relay.sfu.bwe;

import dev.relay.codecs.rtp.SeqNum;
import java.util.Arrays;

/**
 * What left on one Transport, by transport-wide sequence number
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): send time, size and probe cluster,
 * kept until feedback reports the packet received or lost.
 *
 * <p>A ring of a power-of-two number of slots indexed by the low bits of the 16-bit sequence
 * number. Each slot remembers its whole sequence number, so a status for a number the ring has
 * overwritten, or never held, finds nothing instead of another packet's send time. Sequence
 * numbers are assumed consecutive, as the sender assigns them: slot {@code s} is overwritten every
 * {@code capacity} packets, long before the 16-bit number comes round again.
 *
 * <p>Pure state; allocates nothing after construction.
 */
final class SendHistory {
    /** About 3 s at 2,500 packets/s: many 50-250 ms feedback intervals, even behind a long queue. */
    static final int DEFAULT_CAPACITY = 8192;

    static final int UNREPORTED = 0;
    static final int LOST = 1;
    static final int ACKED = 2;

    private static final int EMPTY = -1;

    private final int mask;
    private final int[] seqs;
    private final long[] sendNanos;
    private final int[] sizes;
    private final int[] clusters;
    private final byte[] fates;

    SendHistory() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity a power of two, at most 32768 (half the sequence number space). */
    SendHistory(int capacity) {
        if (capacity < 2 || capacity > 0x8000 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two up to 32768: " + capacity);
        }
        mask = capacity - 1;
        seqs = new int[capacity];
        sendNanos = new long[capacity];
        sizes = new int[capacity];
        clusters = new int[capacity];
        fates = new byte[capacity];
        Arrays.fill(seqs, EMPTY);
    }

    void add(int seq, int bytes, long sentAt, int cluster) {
        int s = seq & mask;
        seqs[s] = seq & SeqNum.MASK;
        sendNanos[s] = sentAt;
        sizes[s] = bytes;
        clusters[s] = cluster;
        fates[s] = UNREPORTED;
    }

    /** @return the slot holding {@code seq}, or -1 when the ring does not hold it. */
    int slot(int seq) {
        int s = seq & mask;
        return seqs[s] == (seq & SeqNum.MASK) ? s : -1;
    }

    long sendNanos(int slot) {
        return sendNanos[slot];
    }

    int bytes(int slot) {
        return sizes[slot];
    }

    /** @return the probe cluster id, or -1. */
    int cluster(int slot) {
        return clusters[slot];
    }

    /** @return {@link #UNREPORTED}, {@link #LOST} or {@link #ACKED}. */
    int fate(int slot) {
        return fates[slot];
    }

    void markLost(int slot) {
        fates[slot] = LOST;
    }

    void markAcked(int slot) {
        fates[slot] = ACKED;
    }
}
