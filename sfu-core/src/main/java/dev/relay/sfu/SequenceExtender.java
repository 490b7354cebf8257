package dev.relay.sfu;

import dev.relay.codecs.rtp.SeqNum;

/**
 * Extends the 16-bit sequence numbers of one RTP stream to a count that does not wrap (RFC 3550
 * A.1 counts the same as cycles plus max_seq), so that a table keyed by it needs no wrap-around
 * cases. A number is placed within half the space of the highest one seen (RFC 1982 serial
 * arithmetic, {@link SeqNum#diff}). What counts as a restart is the caller's policy; this class
 * only numbers. Pure logic, one owner thread.
 */
final class SequenceExtender {
    /** The first number starts here, so that numbers up to half the space behind it stay positive. */
    private static final long FIRST_CYCLE = 1L << 16;

    private boolean started;
    private long highest;

    boolean started() {
        return started;
    }

    /** The highest extended number recorded; meaningless before {@link #started()}. */
    long highest() {
        return highest;
    }

    /** The extended value of {@code seq} nearest the highest, without recording it. */
    long extend(int seq) {
        return highest + SeqNum.diff(seq, (int) highest);
    }

    /** Records {@code seq}: the highest advances when it is newer. Returns its extended value. */
    long update(int seq) {
        if (!started) {
            started = true;
            highest = FIRST_CYCLE + (seq & SeqNum.MASK);
            return highest;
        }
        long extended = extend(seq);
        if (extended > highest) {
            highest = extended;
        }
        return extended;
    }

    /**
     * Starts over at {@code seq} (the sender restarted its sequence), numbered more than a whole
     * cycle above everything extended so far, so that no earlier number is ever equal to, or
     * within half the space of, a new one.
     */
    void restart(int seq) {
        if (!started) {
            update(seq);
            return;
        }
        highest = (((highest >>> 16) + 2) << 16) | (seq & SeqNum.MASK);
    }
}
