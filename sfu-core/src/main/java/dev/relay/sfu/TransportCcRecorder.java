package dev.relay.sfu;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import dev.relay.codecs.rtp.SeqNum;
import java.util.Arrays;

/**
 * Arrival times of one publisher Transport's packets by transport-wide sequence number, and
 * the transport-wide congestion control feedback that reports them to the publisher
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). Without it Chromium's bandwidth
 * estimate stays low and its upper simulcast layers stay off.
 *
 * <p>Arrivals go into a ring of a fixed number of sequence numbers, the window, ending at the
 * highest one seen. Each feedback reports from the first sequence number no feedback has
 * covered yet up to the highest, marking the gaps not received; the next starts where it
 * stopped. What arrives after a feedback has reported its sequence number (as lost) is not
 * reported again, and counted as late. A duplicate is counted and its first arrival kept. A
 * packet that leaves the window before any feedback reported it is counted as dropped, as is
 * one older than the window on arrival.
 *
 * <p>Pure logic over the caller's clock; allocates nothing after construction. Owned by the
 * Router's worker thread.
 */
final class TransportCcRecorder {
    /** About a second of sequence numbers at 2,000 packets/s: several 50-250 ms feedback intervals. */
    static final int DEFAULT_WINDOW = 2048;
    /**
     * This many packets in a row, each older than the window, mean the sender's numbering jumped
     * back (no stray reordering is that deep): start over from the newest one.
     */
    static final int RESYNC_AFTER = 32;
    private static final long NONE = Long.MIN_VALUE;
    private static final long HALF_TICK_NANOS = TransportCcFeedback.DELTA_TICK_NANOS / 2;

    private final int window;
    private final int mask;
    /** Arrival nanos per sequence number in (highest - window, highest], or NONE. */
    private final long[] arrivals;
    /** Scratch for the writer's input, one per status of a feedback. */
    private final int[] deltas;

    private boolean started;
    private boolean reported;
    /** Sequence numbers unwrapped to longs, so the window's arithmetic never wraps. */
    private long highest;
    /** The first sequence number no feedback has covered. */
    private long next;
    private int feedbackCount;
    private int olderThanWindowInARow;

    private long duplicates;
    private long late;
    private long dropped;
    private long feedbackPackets;

    TransportCcRecorder() {
        this(DEFAULT_WINDOW);
    }

    /** @param window a power of two: how many sequence numbers, up to the highest, are kept. */
    TransportCcRecorder(int window) {
        if (window < 2 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window must be a power of two: " + window);
        }
        this.window = window;
        this.mask = window - 1;
        this.arrivals = new long[window];
        this.deltas = new int[window];
        Arrays.fill(arrivals, NONE);
    }

    /**
     * One packet arrived at {@code arrivalNanos} with this transport-wide sequence number (see
     * {@link TransportCcFeedback#transportSequenceNumber}).
     */
    void record(int sequenceNumber, long arrivalNanos) {
        int seq = sequenceNumber & SeqNum.MASK;
        if (!started) {
            restart(seq, arrivalNanos);
            return;
        }
        long s = highest + SeqNum.diff(seq, (int) (highest & SeqNum.MASK));
        if (s > highest) {
            olderThanWindowInARow = 0;
            advance(s);
            arrivals[index(s)] = arrivalNanos;
            return;
        }
        if (s <= highest - window) {
            if (++olderThanWindowInARow >= RESYNC_AFTER) {
                restart(seq, arrivalNanos);
            } else {
                dropped++;
            }
            return;
        }
        olderThanWindowInARow = 0;
        int i = index(s);
        if (arrivals[i] != NONE) {
            duplicates++;
            return;
        }
        if (s < next) {
            if (reported) {
                late++;
                return;
            }
            // Reordered before the first feedback: that one starts at the earliest.
            next = s;
        }
        arrivals[i] = arrivalNanos;
    }

    /**
     * Writes one feedback message covering what arrived since the last one, as far as
     * {@code capacity} allows; call again for the rest (it continues where this one stopped)
     * until it returns 0.
     *
     * <p>The reference time is the first reported arrival's, rounded down to 64 ms; each delta
     * is the difference of two arrivals each rounded to 250 us, so rounding never accumulates.
     *
     * @param capacity bytes available at {@code buf[off]}; 28 always hold at least one status.
     * @param senderSsrc the relay's RTCP SSRC on this Transport.
     * @param mediaSsrc an SSRC of the publisher's (libwebrtc puts the last received one; the
     *     receiver ignores it).
     * @return bytes written, or 0 when nothing is waiting or not even one received packet fits.
     */
    int writeFeedback(byte[] buf, int off, int capacity, int senderSsrc, int mediaSsrc) {
        if (!started || next > highest) {
            return 0;
        }
        int count = (int) (highest - next + 1);
        int referenceTime = 0;
        long previousTicks = NONE;
        for (int i = 0; i < count; i++) {
            long arrival = arrivals[index(next + i)];
            if (arrival == NONE) {
                deltas[i] = TransportCcFeedback.NOT_RECEIVED;
                continue;
            }
            long ticks = Math.floorDiv(arrival + HALF_TICK_NANOS, TransportCcFeedback.DELTA_TICK_NANOS);
            if (previousTicks == NONE) {
                long reference = Math.floorDiv(ticks, TransportCcFeedback.TICKS_PER_REFERENCE_TIME);
                referenceTime = (int) (reference & TransportCcFeedback.REFERENCE_TIME_MASK);
                previousTicks = reference * TransportCcFeedback.TICKS_PER_REFERENCE_TIME;
            }
            // Past 16 bits the writer ends the message there; keep the value out of range, not wrapped.
            long delta = ticks - previousTicks;
            deltas[i] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, delta));
            previousTicks = ticks;
        }
        int length = TransportCcFeedback.write(buf, off, capacity, senderSsrc, mediaSsrc,
                (int) (next & SeqNum.MASK), referenceTime, feedbackCount, deltas, count);
        if (length == 0) {
            return 0;
        }
        next += TransportCcFeedback.writtenStatusCount(buf, off);
        feedbackCount = (feedbackCount + 1) & 0xFF;
        reported = true;
        feedbackPackets++;
        return length;
    }

    /** @return statuses the next feedback would cover, 0 when there is nothing to report. */
    int pendingStatuses() {
        return started && next <= highest ? (int) (highest - next + 1) : 0;
    }

    /** @return packets whose sequence number had already arrived. */
    long duplicates() {
        return duplicates;
    }

    /** @return packets that arrived after a feedback had reported them lost. */
    long late() {
        return late;
    }

    /** @return packets never reported: older than the window, or pushed out of it unreported. */
    long dropped() {
        return dropped;
    }

    long feedbackPackets() {
        return feedbackPackets;
    }

    /** Moves the window's end to {@code s}, clearing the slots it takes over. */
    private void advance(long s) {
        long oldest = s - window;
        countUnreported(next, Math.min(highest, oldest));
        for (long x = Math.max(highest + 1, oldest + 1); x <= s; x++) {
            arrivals[index(x)] = NONE;
        }
        if (next <= oldest) {
            next = oldest + 1;
        }
        highest = s;
    }

    private void restart(int seq, long arrivalNanos) {
        if (started) {
            countUnreported(next, highest);
        }
        Arrays.fill(arrivals, NONE);
        started = true;
        reported = false;
        highest = seq;
        next = seq;
        olderThanWindowInARow = 0;
        arrivals[index(seq)] = arrivalNanos;
    }

    /** Counts as dropped the received packets in [from, to] that are still in the window. */
    private void countUnreported(long from, long to) {
        for (long x = Math.max(from, highest - window + 1); x <= to; x++) {
            if (arrivals[index(x)] != NONE) {
                dropped++;
            }
        }
    }

    private int index(long s) {
        return (int) (s & mask);
    }
}
