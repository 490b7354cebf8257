package dev.relay.sfu;

import dev.relay.codecs.rtp.SeqNum;

/**
 * Finds the packets of one publisher stream the relay lost and says which to NACK upstream
 * (Generic NACK, RFC 4585 §6.2.1), when, and when to give up and ask for a keyframe instead.
 * One per Producer stream; pure logic over the caller's clock, worker thread only, and nothing
 * allocated after construction.
 *
 * <p>Every packet of the stream goes to {@link #received}, including those restored from RTX
 * (by their OSN, RFC 4588 §4) and padding-only ones, since all of them use sequence numbers. A
 * gap makes its numbers <em>missing</em>. A missing number is NACKed first after
 * {@link Config#reorderDelayNanos} (it may only be reordered), or at once when its gap was at
 * least {@link Config#reorderPackets} long (loss, not reordering, is the likely cause); then
 * again every max(RTT, {@link Config#minRetryNanos}) while it is still missing, at most
 * {@link Config#maxNacks} times and no longer than {@link Config#maxAgeNanos} after it went
 * missing. Then it is given up, and so is every number the bounded list cannot hold; a jump of
 * more than {@link Config#maxJump} starts over instead of NACKing the whole jump. Each of these
 * losses raises a keyframe request ({@link #takeKeyframeRequest}), since the decoder downstream
 * cannot go on without the packet.
 *
 * <p>The worker calls {@link #poll} when {@link #isDue} says so and sends what it wrote as one
 * NACK ({@code NackPacket.write}; the numbers come in sequence order, which packs tightest).
 */
final class NackGenerator {
    /**
     * @param capacity missing numbers remembered at once, a power of two; beyond it the oldest
     *     are given up.
     * @param reorderDelayNanos how long a missing number may just be late before its first NACK.
     * @param reorderPackets a gap at least this long is NACKed without the delay.
     * @param minRetryNanos the shortest wait between two NACKs of one number, however short the RTT.
     * @param defaultRttNanos the wait between NACKs while the RTT to the publisher is unknown.
     * @param maxNacks NACKs of one number at most.
     * @param maxAgeNanos how long after it went missing a number is NACKed at most.
     * @param maxJump a larger jump forward (or, confirmed by the next packet, back) is a restart.
     */
    record Config(int capacity, long reorderDelayNanos, int reorderPackets, long minRetryNanos,
                  long defaultRttNanos, int maxNacks, long maxAgeNanos, int maxJump) {
        static final Config DEFAULT = new Config(256, 10_000_000L, 5, 20_000_000L, 100_000_000L, 10,
                1_000_000_000L, 1000);

        Config {
            if (capacity <= 0 || Integer.bitCount(capacity) != 1 || capacity > 1 << 15) {
                throw new IllegalArgumentException("capacity must be a power of two up to 32768: " + capacity);
            }
            if (reorderDelayNanos < 0 || reorderPackets < 1 || minRetryNanos <= 0 || defaultRttNanos <= 0
                    || maxNacks < 1 || maxAgeNanos <= 0 || maxJump < 1 || maxJump >= 1 << 15) {
                throw new IllegalArgumentException("invalid NACK generator config: " + this);
            }
        }
    }

    private final Config config;
    private final int mask;
    private final SequenceExtender seqs = new SequenceExtender();
    /** RFC 3550 A.1 bad_seq: the number that would confirm a restart far behind; -1 for none. */
    private int badSeq = -1;
    private long rttNanos = -1;

    // The missing list: a ring of extended sequence numbers in increasing order, from head for
    // size slots. An entry that arrived or was given up stays as a tombstone until it reaches the
    // head, so that the order (and the binary search over it) holds.
    private final long[] missingSeq;
    private final long[] missingSince;
    private final long[] nextNackNanos;
    private final int[] nacks;
    private final boolean[] gone;
    private int head;
    private int size;
    private int live;
    private long nextDueNanos;
    private boolean keyframeRequest;

    private long nacked;
    private long reordered;
    private long recovered;
    private long gaveUp;
    private long dropped;
    private long resets;

    NackGenerator() {
        this(Config.DEFAULT);
    }

    NackGenerator(Config config) {
        this.config = config;
        this.mask = config.capacity() - 1;
        this.missingSeq = new long[config.capacity()];
        this.missingSince = new long[config.capacity()];
        this.nextNackNanos = new long[config.capacity()];
        this.nacks = new int[config.capacity()];
        this.gone = new boolean[config.capacity()];
    }

    /** The round-trip time to the publisher; 0 or less: unknown. */
    void rttNanos(long rttNanos) {
        this.rttNanos = rttNanos;
    }

    /** The wait between two NACKs of one number. */
    long retryIntervalNanos() {
        return Math.max(rttNanos > 0 ? rttNanos : config.defaultRttNanos(), config.minRetryNanos());
    }

    /** A packet with sequence number {@code seq} arrived at {@code nowNanos}. */
    void received(int seq, long nowNanos) {
        if (!seqs.started()) {
            seqs.update(seq);
            return;
        }
        int ahead = SeqNum.diff(seq, (int) seqs.highest());
        if (ahead > 0) {
            badSeq = -1;
            if (ahead > config.maxJump()) {
                restart(seq);
                return;
            }
            long from = seqs.highest() + 1;
            long to = seqs.update(seq);
            if (to > from) {
                addMissing(from, to, nowNanos);
            }
            return;
        }
        if (ahead == 0) {
            return;
        }
        if (-ahead > config.maxJump()) {
            // Far behind: a stray late packet, or (RFC 3550 A.1) the publisher restarted its
            // sequence, which the next packet in order confirms.
            if ((seq & SeqNum.MASK) == badSeq) {
                restart(seq);
            } else {
                badSeq = SeqNum.add(seq, 1);
            }
            return;
        }
        badSeq = -1;
        int index = find(seqs.extend(seq));
        if (index >= 0 && !gone[index]) {
            if (nacks[index] == 0) {
                reordered++;
            } else {
                recovered++;
            }
            remove(index);
        }
    }

    /** True when {@link #poll} has something to do: a NACK or a give-up is due. */
    boolean isDue(long nowNanos) {
        return live > 0 && nowNanos - nextDueNanos >= 0;
    }

    /**
     * Writes the numbers to NACK now (16 bits, in sequence order) into {@code out}, at most
     * {@code out.length}; the rest stay due for the next call. Gives up numbers past their age or
     * NACK limit.
     *
     * @return how many were written.
     */
    int poll(long nowNanos, int[] out) {
        int count = 0;
        long retry = retryIntervalNanos();
        boolean scheduled = false;
        long next = 0;
        for (int i = 0; i < size; i++) {
            int index = (head + i) & mask;
            if (gone[index]) {
                continue;
            }
            boolean nackDue = nowNanos - nextNackNanos[index] >= 0;
            if (nowNanos - missingSince[index] >= config.maxAgeNanos()
                    || (nackDue && nacks[index] >= config.maxNacks())) {
                gaveUp++;
                keyframeRequest = true;
                remove(index);
                continue;
            }
            if (nackDue && count < out.length) {
                out[count++] = (int) missingSeq[index] & SeqNum.MASK;
                nacks[index]++;
                nextNackNanos[index] = nowNanos + retry;
                nacked++;
            }
            long due = earliest(nextNackNanos[index], missingSince[index] + config.maxAgeNanos());
            next = scheduled ? earliest(next, due) : due;
            scheduled = true;
        }
        nextDueNanos = next;
        dropTombstones();
        return count;
    }

    /** True, and cleared, if packets were given up since the last call: the caller should send a PLI. */
    boolean takeKeyframeRequest() {
        boolean wanted = keyframeRequest;
        keyframeRequest = false;
        return wanted;
    }

    /** Numbers missing now (not arrived, not given up). */
    int missingCount() {
        return live;
    }

    /** When {@link #poll} next has something to do; meaningful while {@link #missingCount()} is above 0. */
    long nextDueNanos() {
        return nextDueNanos;
    }

    /** Numbers written into NACKs (each retry counts). */
    long nacked() {
        return nacked;
    }

    /** Missing numbers that arrived before their first NACK: reordered, not lost. */
    long reordered() {
        return reordered;
    }

    /** Missing numbers that arrived after a NACK: recovered by retransmission (or very late). */
    long recovered() {
        return recovered;
    }

    /** Numbers given up after {@link Config#maxNacks} NACKs or {@link Config#maxAgeNanos}. */
    long gaveUp() {
        return gaveUp;
    }

    /**
     * Numbers given up before their time: the missing list was full, or the stream restarted
     * while they were missing.
     */
    long dropped() {
        return dropped;
    }

    /** Restarts: a jump over {@link Config#maxJump} forward, or a confirmed one back. */
    long resets() {
        return resets;
    }

    private void restart(int seq) {
        dropped += live;
        head = 0;
        size = 0;
        live = 0;
        badSeq = -1;
        seqs.restart(seq);
        resets++;
        keyframeRequest = true;
    }

    /** Numbers {@code [from, to)} went missing at {@code nowNanos}. */
    private void addMissing(long from, long to, long nowNanos) {
        long first = from;
        if (to - from > config.capacity()) {
            // Only the newest fit; the older ones are given up unasked.
            dropped += to - from - config.capacity();
            keyframeRequest = true;
            first = to - config.capacity();
        }
        long due = to - from >= config.reorderPackets() ? nowNanos : nowNanos + config.reorderDelayNanos();
        if (live == 0 || due - nextDueNanos < 0) {
            nextDueNanos = due;
        }
        for (long seq = first; seq < to; seq++) {
            if (size == config.capacity()) {
                dropTombstones();
                if (size == config.capacity()) {
                    dropped++;
                    keyframeRequest = true;
                    remove(head);
                    dropTombstones();
                }
            }
            int index = (head + size) & mask;
            missingSeq[index] = seq;
            missingSince[index] = nowNanos;
            nextNackNanos[index] = due;
            nacks[index] = 0;
            gone[index] = false;
            size++;
            live++;
        }
    }

    private void remove(int index) {
        gone[index] = true;
        live--;
    }

    private void dropTombstones() {
        while (size > 0 && gone[head]) {
            head = (head + 1) & mask;
            size--;
        }
    }

    /** Ring index of extended number {@code seq}, or -1: a binary search, the ring being in order. */
    private int find(long seq) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            long value = missingSeq[(head + middle) & mask];
            if (value < seq) {
                low = middle + 1;
            } else if (value > seq) {
                high = middle - 1;
            } else {
                return (head + middle) & mask;
            }
        }
        return -1;
    }

    private static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }
}
