package dev.relay.sfu.bwe;

/**
 * One probe: a short burst sent at a target rate above the estimate, and what the receiver made
 * of it (draft-ietf-rmcat-gcc-02 leaves probing to the sender; this is the usual packet-train
 * measurement). Sending lasts at least {@link #MIN_DURATION_NANOS} and {@link #MIN_PACKETS}
 * packets. The result is the rate the bottleneck let through: acknowledged bytes over the time
 * between the first and the last arrival (the first packet's bytes excluded: they arrived at the
 * start of that interval, not during it), and no more than the rate the burst was actually sent at
 * (the last packet's bytes excluded likewise). A cluster of which less than
 * {@link #MIN_ACKED_SHARE} was acknowledged, or fewer than {@link #MIN_ACKED_PACKETS} packets,
 * gives no result: too few points, or losses that say the rate was too high to tell.
 *
 * <p>Reused in place; allocates nothing.
 */
final class ProbeCluster {
    static final long MIN_DURATION_NANOS = 250_000_000L;
    static final int MIN_PACKETS = 5;
    static final int MIN_ACKED_PACKETS = 4;
    static final double MIN_ACKED_SHARE = 0.9;
    /** Keeps target * elapsed far from overflow; no cluster is sent this long. */
    private static final long MAX_ELAPSED_NANOS = 1_000_000_000L;

    private int id = -1;
    private long targetBps;
    private long startNanos;
    private boolean sending;
    private int sentPackets;
    private long sentBytes;
    private long firstSend;
    private long lastSend;
    private int lastSentBytes;
    private int ackedPackets;
    private int lostPackets;
    private long ackedBytes;
    private long firstArrival;
    private long lastArrival;
    private int firstArrivalBytes;

    void start(int clusterId, long target, long nowNanos) {
        id = clusterId;
        targetBps = target;
        startNanos = nowNanos;
        sending = true;
        sentPackets = 0;
        sentBytes = 0;
        ackedPackets = 0;
        lostPackets = 0;
        ackedBytes = 0;
    }

    /** Frees the slot for another cluster. */
    void clear() {
        id = -1;
        sending = false;
    }

    int id() {
        return id;
    }

    long targetBps() {
        return targetBps;
    }

    long startNanos() {
        return startNanos;
    }

    boolean sending() {
        return sending;
    }

    /** @return true once the cluster has sent enough and stops taking packets. */
    boolean finishSending(long nowNanos) {
        if (sending && nowNanos - startNanos >= MIN_DURATION_NANOS && sentPackets >= MIN_PACKETS) {
            sending = false;
        }
        return !sending;
    }

    /** Ends sending early: the caller did not keep up, or a newer cluster replaced this one. */
    void stopSending() {
        sending = false;
    }

    /**
     * @return bytes to send by {@code nowNanos} to be on the target rate, 0 when ahead of it; at
     *     least 1 when the time is up but packets are still missing (large packets got ahead of
     *     the rate), so that the caller sends another.
     */
    long bytesBehind(long nowNanos) {
        if (!sending) {
            return 0;
        }
        long elapsed = Math.min(Math.max(0, nowNanos - startNanos), MAX_ELAPSED_NANOS);
        long behind = targetBps * elapsed / 8_000_000_000L - sentBytes;
        if (behind <= 0 && elapsed >= MIN_DURATION_NANOS && sentPackets < MIN_PACKETS) {
            return 1;
        }
        return Math.max(0, behind);
    }

    void onSent(int bytes, long sendNanos) {
        if (sentPackets == 0) {
            firstSend = sendNanos;
        }
        sentPackets++;
        sentBytes += bytes;
        lastSend = sendNanos;
        lastSentBytes = bytes;
    }

    void onAcked(int bytes, long arrivalNanos) {
        if (ackedPackets == 0 || arrivalNanos < firstArrival) {
            firstArrival = arrivalNanos;
            firstArrivalBytes = bytes;
        }
        if (ackedPackets == 0 || arrivalNanos > lastArrival) {
            lastArrival = arrivalNanos;
        }
        ackedPackets++;
        ackedBytes += bytes;
    }

    void onLost() {
        lostPackets++;
    }

    int sentPackets() {
        return sentPackets;
    }

    int ackedPackets() {
        return ackedPackets;
    }

    /** @return true when feedback has reported every packet sent, received or lost. */
    boolean allReported() {
        return !sending && ackedPackets + lostPackets >= sentPackets;
    }

    /** @return bits per second the burst left at, or 0 when it cannot be told. */
    long sendBps() {
        long span = lastSend - firstSend;
        if (sentPackets < 2 || span <= 0) {
            return 0;
        }
        return (sentBytes - lastSentBytes) * 8_000_000_000L / span;
    }

    /** @return bits per second the burst arrived at, or 0 when it cannot be told. */
    long receiveBps() {
        long span = lastArrival - firstArrival;
        if (ackedPackets < 2 || span <= 0) {
            return 0;
        }
        return (ackedBytes - firstArrivalBytes) * 8_000_000_000L / span;
    }

    /** @return the probe's measurement in bits per second, or 0 when it gave none. */
    long resultBps() {
        if (sentPackets == 0 || ackedPackets < MIN_ACKED_PACKETS || ackedPackets < MIN_ACKED_SHARE * sentPackets) {
            return 0;
        }
        long send = sendBps();
        long receive = receiveBps();
        if (send == 0 || receive == 0) {
            return 0;
        }
        // Never more than was aimed at: media sent alongside (a keyframe) and a bottleneck's burst
        // allowance (a token bucket's) can make a short measurement look faster than the path.
        return Math.min(targetBps, Math.min(send, receive));
    }
}
