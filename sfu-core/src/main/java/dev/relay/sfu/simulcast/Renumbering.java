package dev.relay.sfu.simulcast;

/**
 * Maps one counter of the layer being forwarded (the RTP sequence number, the VP8 PictureID)
 * onto the subscriber's counter, with the values of dropped packets taken out: a receiver NACKs
 * a missing sequence number (RFC 4585 §6.2.1) and waits for a missing picture, so a packet the
 * relay chose not to send must leave no hole. A value that never arrived (lost upstream) keeps
 * its place, so the receiver's NACK for it and a late arrival agree.
 *
 * <p>The output value given to each of the last {@code window} input values is remembered, so a
 * reordered packet gets the number it would have had in order; older ones are refused. Drops
 * that arrive late (after a newer value went out) cannot be taken out any more and leave their
 * hole. Arithmetic is modulo 2^bits, with RFC 1982 serial-number order (half the space apart
 * counts as older, as in {@code SeqNum}).
 */
final class Renumbering {
    private static final int DROPPED = -1;

    private final int mask;
    private final int half;
    private final int[] outputOffsets;
    private final int windowMask;
    private boolean started;
    private int highestIn;
    private int offset;
    /** How many input values back from highestIn (inclusive) the window describes. */
    private int known;

    /**
     * @param bits   counter width: 16 for sequence numbers, 15 for PictureIDs.
     * @param window input values remembered for reordering; a power of two.
     */
    Renumbering(int bits, int window) {
        if (Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window must be a power of two: " + window);
        }
        this.mask = (1 << bits) - 1;
        this.half = 1 << (bits - 1);
        this.outputOffsets = new int[window];
        this.windowMask = window - 1;
    }

    boolean started() {
        return started;
    }

    /** From {@code firstIn} on, a new input stream (another layer) continues at {@code firstOut}. */
    void restart(int firstIn, int firstOut) {
        started = true;
        offset = (firstOut - firstIn) & mask;
        highestIn = (firstIn - 1) & mask;
        known = 0;
    }

    /** The output value after the highest one given out or kept for a lost input. */
    int next() {
        return (highestIn + offset + 1) & mask;
    }

    /** @return the output value for {@code in}, or -1 if it is older than the window or was dropped. */
    int forward(int in) {
        int ahead = diff(in, highestIn);
        if (ahead > 0) {
            advance(in, ahead, offset);
            return (in + offset) & mask;
        }
        if (-ahead >= known) {
            return -1;
        }
        int slot = outputOffsets[in & windowMask];
        return slot == DROPPED ? -1 : (in + slot) & mask;
    }

    /** {@code in} is not sent: if it is the newest, the values after it close up. */
    void drop(int in) {
        int ahead = diff(in, highestIn);
        if (ahead > 0) {
            advance(in, ahead, DROPPED);
            offset = (offset - 1) & mask;
        }
    }

    private void advance(int in, int ahead, int slot) {
        // Values skipped over were lost upstream: they keep the current offset, so they get
        // their own place if they turn up late. A jump wider than the window rewrites it all.
        int skipped = Math.min(ahead - 1, outputOffsets.length);
        for (int back = skipped; back >= 1; back--) {
            outputOffsets[(in - back) & windowMask] = offset;
        }
        outputOffsets[in & windowMask] = slot;
        highestIn = in;
        known = Math.min(outputOffsets.length, known + ahead);
    }

    private int diff(int a, int b) {
        int d = (a - b) & mask;
        return d >= half ? d - mask - 1 : d;
    }
}
