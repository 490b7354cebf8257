package dev.relay.sfu.bwe;

import dev.relay.codecs.rtcp.TransportCcFeedback;

/**
 * Turns transport-cc receive times, 24-bit reference times of 64 ms plus 250 us deltas
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), into nanoseconds on one unwrapped
 * receiver timeline. Reference times are compared modulo 2^24, the nearer way round, as senders
 * write their clock modulo 2^24; the wrap comes every 12.4 days, but a receiver's clock may start
 * anywhere.
 *
 * <p>Only differences between its values mean anything: the receiver's clock has its own origin.
 */
final class ArrivalClock {
    private static final int HALF_RANGE = 1 << 23;
    private static final long TICKS_PER_REFERENCE = TransportCcFeedback.TICKS_PER_REFERENCE_TIME;

    private boolean started;
    private int lastReference;
    private long unwrappedReference;
    private long currentReference;

    /** Takes the reference time of the feedback about to be read. */
    void onReferenceTime(int referenceTime) {
        int reference = referenceTime & TransportCcFeedback.REFERENCE_TIME_MASK;
        if (!started) {
            started = true;
            unwrappedReference = reference;
        } else {
            int diff = (reference - lastReference) & TransportCcFeedback.REFERENCE_TIME_MASK;
            unwrappedReference += diff >= HALF_RANGE ? diff - (1 << 24) : diff;
        }
        lastReference = reference;
        currentReference = reference;
    }

    /**
     * @param receiveTimeTicks a status's {@link TransportCcFeedback#statusReceiveTimeTicks()} of the
     *     feedback whose reference time was given last.
     */
    long toNanos(long receiveTimeTicks) {
        long ticks = unwrappedReference * TICKS_PER_REFERENCE + (receiveTimeTicks - currentReference * TICKS_PER_REFERENCE);
        return ticks * TransportCcFeedback.DELTA_TICK_NANOS;
    }
}
