package dev.relay.sfu.bwe;

/**
 * Groups acknowledged packets into bursts and yields, per completed group, how far it was sent
 * and how far it arrived after the previous group (draft-ietf-rmcat-gcc-02 §5.2): the delay
 * variation d(i) = (t(i) - t(i-1)) - (T(i) - T(i-1)) that the trendline filters.
 *
 * <p>A group is the packets sent within {@link #BURST_NANOS} of its first packet. A packet sent
 * later still joins the group when it arrived less than a burst time after the group's last
 * arrival and with a negative delay variation against it: the draft's rule for a burst that a
 * network interface or a queue let out late in one go. A group's send and arrival times are its
 * last packet's.
 *
 * <p>Packets come in sequence-number order, which is send order. One sent before the current
 * group's first packet (reordered in the feedback) is ignored. A group arriving earlier than the
 * previous one, or more than {@link #MAX_ARRIVAL_JUMP_NANOS} later than its send spacing explains,
 * means the receiver's clock jumped: the grouping starts over.
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing.
 */
final class InterArrival {
    /** draft-ietf-rmcat-gcc-02 §5.2: burst_time, 5 ms. */
    static final long BURST_NANOS = 5_000_000L;
    static final long MAX_ARRIVAL_JUMP_NANOS = 3_000_000_000L;

    private boolean hasCurrent;
    private boolean hasPrevious;
    private long firstSend;
    private long lastSend;
    private long lastArrival;
    private long groupBytes;
    private long previousSend;
    private long previousArrival;
    private long previousBytes;

    private long sendDelta;
    private long arrivalDelta;
    private long sizeDelta;
    private long groupArrival;

    /**
     * @return true when this packet closed a group and a new delta between the last two complete
     *     groups is ready in {@link #sendDeltaNanos()}, {@link #arrivalDeltaNanos()},
     *     {@link #sizeDeltaBytes()} and {@link #arrivalNanos()}.
     */
    boolean onPacket(long sendNanos, long arrivalNanos, int bytes) {
        if (!hasCurrent) {
            startGroup(sendNanos, arrivalNanos, bytes);
            return false;
        }
        if (sendNanos < firstSend) {
            return false;
        }
        if (belongsToGroup(sendNanos, arrivalNanos)) {
            lastSend = Math.max(lastSend, sendNanos);
            lastArrival = Math.max(lastArrival, arrivalNanos);
            groupBytes += bytes;
            return false;
        }
        boolean ready = false;
        if (hasPrevious) {
            long sent = lastSend - previousSend;
            long arrived = lastArrival - previousArrival;
            if (arrived < 0 || arrived - sent > MAX_ARRIVAL_JUMP_NANOS) {
                hasPrevious = false;
                startGroup(sendNanos, arrivalNanos, bytes);
                return false;
            }
            sendDelta = sent;
            arrivalDelta = arrived;
            sizeDelta = groupBytes - previousBytes;
            groupArrival = lastArrival;
            ready = true;
        }
        previousSend = lastSend;
        previousArrival = lastArrival;
        previousBytes = groupBytes;
        hasPrevious = true;
        startGroup(sendNanos, arrivalNanos, bytes);
        return ready;
    }

    /** Forgets all groups, as after a long silence. */
    void reset() {
        hasCurrent = false;
        hasPrevious = false;
    }

    long sendDeltaNanos() {
        return sendDelta;
    }

    long arrivalDeltaNanos() {
        return arrivalDelta;
    }

    long sizeDeltaBytes() {
        return sizeDelta;
    }

    /** @return the last arrival of the later of the two groups the delta is between. */
    long arrivalNanos() {
        return groupArrival;
    }

    private boolean belongsToGroup(long sendNanos, long arrivalNanos) {
        if (sendNanos - firstSend <= BURST_NANOS) {
            return true;
        }
        long arrived = arrivalNanos - lastArrival;
        long sent = sendNanos - lastSend;
        // A packet arriving before the group's last one is reordered, not part of a burst.
        return arrived >= 0 && arrived < BURST_NANOS && arrived - sent < 0;
    }

    private void startGroup(long sendNanos, long arrivalNanos, int bytes) {
        hasCurrent = true;
        firstSend = sendNanos;
        lastSend = sendNanos;
        lastArrival = arrivalNanos;
        groupBytes = bytes;
    }
}
