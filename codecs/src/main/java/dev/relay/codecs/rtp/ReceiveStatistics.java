package dev.relay.codecs.rtp;


/**
 * Reception statistics of one incoming RTP stream, for the report blocks we send back
 * (RFC 3550 §6.4.1, algorithms of Appendix A.1, A.3 and A.8). Pure logic: the caller passes
 * arrival times, so tests drive it with a fake clock. The relay keeps one per Producer for the
 * RRs it sends publishers; the load generator keeps one per stream it receives.
 */
public final class ReceiveStatistics {
    private static final int MAX_DROPOUT = 3000;
    private static final int MAX_MISORDER = 100;

    private final int clockRate;
    private boolean initialized;
    private int baseSeq;
    private int maxSeq;
    private long cycles;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private long transit;
    /** Interarrival jitter in timestamp units, scaled by 16 as Appendix A.8 suggests. */
    private long jitterQ4;
    private long lastSrNtpMiddle;
    private long lastSrArrivalNanos;

    public ReceiveStatistics(int clockRate) {
        this.clockRate = clockRate;
    }

    /** Records one packet (A.1 update_seq, simplified: a big jump restarts the sequence). */
    public void onPacket(int seq, long rtpTimestamp, long arrivalNanos) {
        if (!initialized) {
            initialized = true;
            baseSeq = seq;
            maxSeq = seq;
            received = 1;
            transit = arrivalUnits(arrivalNanos) - rtpTimestamp;
            return;
        }
        int delta = SeqNum.diff(seq, maxSeq);
        if (delta > 0 && delta < MAX_DROPOUT) {
            if (seq < maxSeq) {
                cycles += 1 << 16;
            }
            maxSeq = seq;
        } else if (delta <= -MAX_MISORDER || delta >= MAX_DROPOUT) {
            // The sender restarted or jumped: start the statistics again from here.
            initialized = false;
            onPacket(seq, rtpTimestamp, arrivalNanos);
            return;
        }
        received++;
        long nowTransit = arrivalUnits(arrivalNanos) - rtpTimestamp;
        // RTP timestamps wrap at 2^32 (A.8 computes D in 32-bit arithmetic): a wrap between two
        // packets must read as one tick, not as four billion ticks of jitter.
        long d = Math.abs(RtpTimestamp.diff(nowTransit, transit));
        transit = nowTransit;
        jitterQ4 += d - ((jitterQ4 + 8) >> 4);
    }

    /** Records a Sender Report's NTP time (the middle 32 bits go back as LSR, §6.4.1). */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSrNtpMiddle = (ntpTimestamp >>> 16) & 0xFFFFFFFFL;
        lastSrArrivalNanos = arrivalNanos;
    }

    public boolean hasPackets() {
        return initialized;
    }

    public long extendedHighestSeq() {
        return cycles + maxSeq;
    }

    public long expected() {
        return extendedHighestSeq() - baseSeq + 1;
    }

    /** Cumulative number lost, clamped to the 24-bit signed field. */
    public int cumulativeLost() {
        long lost = expected() - received;
        return (int) Math.max(-0x800000, Math.min(0x7FFFFF, lost));
    }

    public long received() {
        return received;
    }

    public long jitter() {
        return jitterQ4 >> 4;
    }

    /**
     * Fraction lost since the previous call, in 1/256 (A.3), and advances the interval. Call
     * once per report sent.
     */
    public int takeFractionLost() {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        expectedPrior = expected;
        long receivedInterval = received - receivedPrior;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval == 0 || lostInterval <= 0) {
            return 0;
        }
        return (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    }

    public long lastSrNtpMiddle() {
        return lastSrNtpMiddle;
    }

    /** Delay since the last SR in units of 1/65536 s (§6.4.1 DLSR); 0 if no SR yet. */
    public long delaySinceLastSr(long nowNanos) {
        if (lastSrArrivalNanos == 0) {
            return 0;
        }
        long delayNanos = nowNanos - lastSrArrivalNanos;
        return (delayNanos * 65536L / 1_000_000_000L) & 0xFFFFFFFFL;
    }

    /** Arrival time in timestamp units; split so that days of uptime times 90 kHz cannot overflow. */
    private long arrivalUnits(long arrivalNanos) {
        return arrivalNanos / 1_000_000_000L * clockRate + arrivalNanos % 1_000_000_000L * clockRate / 1_000_000_000L;
    }
}
