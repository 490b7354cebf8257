package dev.relay.sfu;

import java.util.Arrays;

/**
 * Decides, for each sequence number a subscriber reports lost in a Generic NACK (RFC 4585
 * §6.2.1), whether to retransmit it now. A receiver repeats its NACK until the packet arrives; a
 * repeat sooner than one round trip after our retransmission cannot have seen it, so it is
 * ignored; and each packet is retransmitted a bounded number of times, so that a subscriber on a
 * link that loses everything cannot multiply the relay's sending. One per Consumer, keyed by the
 * sequence numbers that Consumer sends; pure logic over the caller's clock, worker thread only.
 *
 * <p>Use: {@link #request} for each number in the NACK; when it answers true, look the packet up
 * and report {@link #retransmitted} or {@link #missed}.
 */
final class NackResponder {
    static final int DEFAULT_CAPACITY = 512;
    static final int DEFAULT_MAX_RETRANSMISSIONS = 3;
    /** Waited between retransmissions of one packet while the subscriber's RTT is unknown. */
    static final long DEFAULT_RTT_NANOS = 100_000_000L;
    /**
     * After this a number is treated as new: above any useful cache age (a second), and below
     * the 13 s in which even a 5000 packets/s stream comes round to the same 16-bit number.
     */
    static final long FORGET_AFTER_NANOS = 5_000_000_000L;

    private static final int EMPTY = -1;

    private final int mask;
    private final int maxRetransmissions;
    private final long defaultRttNanos;
    private final int[] slotSeq;
    private final int[] slotCount;
    private final long[] slotSentNanos;
    private long rttNanos = -1;

    private long requested;
    private long retransmitted;
    private long missedInCache;
    private long suppressed;
    private long capped;

    NackResponder() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_RETRANSMISSIONS, DEFAULT_RTT_NANOS);
    }

    /**
     * @param capacity packets remembered at once, a power of two; a number whose slot a later one
     *     took counts as new again.
     * @param maxRetransmissions retransmissions of one packet at most.
     * @param defaultRttNanos the wait between them while the RTT is unknown.
     */
    NackResponder(int capacity, int maxRetransmissions, long defaultRttNanos) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1 || capacity > 1 << 15) {
            throw new IllegalArgumentException("capacity must be a power of two up to 32768: " + capacity);
        }
        if (maxRetransmissions <= 0 || defaultRttNanos <= 0) {
            throw new IllegalArgumentException("retransmissions " + maxRetransmissions + ", rtt " + defaultRttNanos);
        }
        this.mask = capacity - 1;
        this.maxRetransmissions = maxRetransmissions;
        this.defaultRttNanos = defaultRttNanos;
        this.slotSeq = new int[capacity];
        this.slotCount = new int[capacity];
        this.slotSentNanos = new long[capacity];
        Arrays.fill(slotSeq, EMPTY);
    }

    /** The subscriber's round-trip time (from its report blocks, RFC 3550 §6.4.1); 0 or less: unknown. */
    void rttNanos(long rttNanos) {
        this.rttNanos = rttNanos;
    }

    /** The wait between two retransmissions of one packet. */
    long retransmitIntervalNanos() {
        return rttNanos > 0 ? rttNanos : defaultRttNanos;
    }

    /**
     * The subscriber NACKed {@code seq} (16 bits) at {@code nowNanos}.
     *
     * @return true to retransmit it now; false when it was retransmitted less than an RTT ago or
     *     as often as allowed.
     */
    boolean request(int seq, long nowNanos) {
        requested++;
        int slot = seq & mask;
        if (!remembers(slot, seq, nowNanos)) {
            return true;
        }
        if (slotCount[slot] >= maxRetransmissions) {
            capped++;
            return false;
        }
        if (nowNanos - slotSentNanos[slot] < retransmitIntervalNanos()) {
            suppressed++;
            return false;
        }
        return true;
    }

    /** {@code seq} was retransmitted at {@code nowNanos}, after {@link #request} allowed it. */
    void retransmitted(int seq, long nowNanos) {
        retransmitted++;
        int slot = seq & mask;
        if (!remembers(slot, seq, nowNanos)) {
            slotSeq[slot] = seq & 0xFFFF;
            slotCount[slot] = 0;
        }
        slotCount[slot]++;
        slotSentNanos[slot] = nowNanos;
    }

    /** {@link #request} allowed {@code seq} but the cache no longer had it; nothing is remembered. */
    void missed(int seq) {
        missedInCache++;
    }

    private boolean remembers(int slot, int seq, long nowNanos) {
        return slotSeq[slot] == (seq & 0xFFFF) && nowNanos - slotSentNanos[slot] < FORGET_AFTER_NANOS;
    }

    /** Sequence numbers NACKed by the subscriber. */
    long requested() {
        return requested;
    }

    long retransmitted() {
        return retransmitted;
    }

    /** Allowed, but gone from the cache (too old, never received, or too large). */
    long missedInCache() {
        return missedInCache;
    }

    /** Ignored: a repeat within the retransmit interval. */
    long suppressed() {
        return suppressed;
    }

    /** Ignored: the packet was already retransmitted as often as allowed. */
    long capped() {
        return capped;
    }
}
