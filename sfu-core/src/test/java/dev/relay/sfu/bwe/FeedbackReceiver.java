package dev.relay.sfu.bwe;

import dev.relay.codecs.rtcp.TransportCcFeedback;

/**
 * The subscriber's side of the scenarios: notes when each packet arrives (or that it never
 * does), writes real transport-cc feedback with {@link TransportCcFeedback#write} every
 * {@link #INTERVAL_NANOS}, and hands it to the estimator after the return path's delay.
 *
 * <p>A feedback covers every packet from the first not yet reported up to the last that has
 * arrived by then; losses after that one wait for the next arrival, as a real receiver cannot tell
 * a lost packet from a late one before something newer arrives. The receiver's clock is the
 * simulation's plus an offset, so the estimator cannot rely on the two sharing an origin.
 * Allocates nothing after construction.
 */
final class FeedbackReceiver {
    static final long INTERVAL_NANOS = 50_000_000L;
    static final long NOT_ARRIVED = Link.DROPPED;
    private static final int RING = 1 << 15;
    private static final int OUTBOX = 32;
    private static final int MTU = 1200;
    private static final long REFERENCE_NANOS = 64_000_000L;

    private final long returnNanos;
    private final long clockOffsetNanos;
    private final int[] seqs = new int[RING];
    private final long[] arrivals = new long[RING];
    private long head;
    private long tail;
    private final int[] deltas = new int[RING];
    private final byte[][] messages = new byte[OUTBOX][MTU];
    private final int[] lengths = new int[OUTBOX];
    private final long[] deliverAt = new long[OUTBOX];
    private long outHead;
    private long outTail;
    private long nextFeedback;
    private int feedbackCount;
    private final TransportCcFeedback feedback = new TransportCcFeedback();

    FeedbackReceiver(long returnNanos, long clockOffsetNanos) {
        this.returnNanos = returnNanos;
        this.clockOffsetNanos = clockOffsetNanos;
    }

    /** @param arrivalNanos when it arrives, or {@link #NOT_ARRIVED}; called in send order. */
    void onSent(int seq, long arrivalNanos) {
        if (tail - head == RING) {
            throw new IllegalStateException("receiver ring full");
        }
        int i = (int)(tail++ & (RING - 1));
        seqs[i] = seq;
        arrivals[i] = arrivalNanos;
    }

    /** Writes feedback when one is due and delivers what the return path has carried by now. */
    void tick(long nowNanos, SendSideEstimator estimator) {
        if (nowNanos >= nextFeedback) {
            nextFeedback = nowNanos + INTERVAL_NANOS;
            writeFeedback(nowNanos);
        }
        while (outHead < outTail && deliverAt[(int)(outHead % OUTBOX)] <= nowNanos) {
            int o = (int)(outHead++ % OUTBOX);
            if (!feedback.wrap(messages[o], 0, lengths[o])) {
                throw new IllegalStateException("wrote feedback that does not wrap");
            }
            estimator.onFeedback(feedback, nowNanos);
        }
    }

    private void writeFeedback(long nowNanos) {
        long last = -1;
        for (long p = head; p < tail; p++) {
            long arrival = arrivals[(int)(p & (RING - 1))];
            if (arrival == NOT_ARRIVED) {
                continue;
            }
            if (arrival > nowNanos) {
                break;
            }
            last = p;
        }
        while (last >= head) {
            int count = (int)(last - head + 1);
            int reference = -1;
            long previousTicks = 0;
            for (int k = 0; k < count; k++) {
                long arrival = arrivals[(int)((head + k) & (RING - 1))];
                if (arrival == NOT_ARRIVED) {
                    deltas[k] = TransportCcFeedback.NOT_RECEIVED;
                    continue;
                }
                long local = arrival + clockOffsetNanos;
                long ticks = local / TransportCcFeedback.DELTA_TICK_NANOS;
                if (reference < 0) {
                    reference = (int)(local / REFERENCE_NANOS);
                    previousTicks = (long)reference * TransportCcFeedback.TICKS_PER_REFERENCE_TIME;
                }
                deltas[k] = (int)(ticks - previousTicks);
                previousTicks = ticks;
            }
            if (outTail - outHead == OUTBOX) {
                throw new IllegalStateException("feedback outbox full");
            }
            int o = (int)(outTail % OUTBOX);
            int length = TransportCcFeedback.write(messages[o], 0, MTU, 0x5E1F, 0xCAFE,
                seqs[(int)(head & (RING - 1))], reference, feedbackCount++, deltas, count);
            if (length == 0) {
                throw new IllegalStateException("nothing written");
            }
            lengths[o] = length;
            deliverAt[o] = nowNanos + returnNanos;
            outTail++;
            head += TransportCcFeedback.writtenStatusCount(messages[o], 0);
        }
    }
}
