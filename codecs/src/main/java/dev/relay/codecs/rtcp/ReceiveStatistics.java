package dev.relay.codecs.rtcp;

import dev.relay.codecs.rtp.RtpTimestamp;

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
    /** Sequence number that would confirm a restart (A.1 bad_seq); -1: none pending. */
    private int badSeq = -1;
    private long restarts;

    public ReceiveStatistics(int clockRate) {
        this.clockRate = clockRate;
    }

    /**
     * Records one packet (A.1 update_seq). A jump of {@code MAX_DROPOUT} or more, or a packet more
     * than {@code MAX_MISORDER} behind, is taken as a restart of the sender only when the next
     * packet follows it in sequence; a lone stray packet is ignored. A restart begins the
     * sequence, loss and interval counts again (A.1 init_seq); jitter carries on (A.8).
     */
    public void onPacket(int seq, long rtpTimestamp, long arrivalNanos) {
        if (!initialized) {
            initialized = true;
            initSequence(seq);
            received = 1;
            transit = arrivalUnits(arrivalNanos) - rtpTimestamp;
            return;
        }
        int udelta = (seq - maxSeq) & 0xFFFF;
        if (udelta < MAX_DROPOUT) {
            if (seq < maxSeq) {
                cycles += 1 << 16;
            }
            maxSeq = seq;
        } else if (udelta <= (1 << 16) - MAX_MISORDER) {
            if (seq != badSeq) {
                // A very large jump: wait for the next packet to tell a restart from a stray.
                badSeq = (seq + 1) & 0xFFFF;
                return;
            }
            initSequence(seq);
            restarts++;
        }
        // else: a duplicate or a packet reordered by less than MAX_MISORDER, counted as received.
        received++;
        long nowTransit = arrivalUnits(arrivalNanos) - rtpTimestamp;
        // RTP timestamps wrap at 2^32 (A.8 computes D in 32-bit arithmetic): a wrap between two
        // packets must read as one tick, not as four billion ticks of jitter.
        long d = Math.abs(RtpTimestamp.diff(nowTransit, transit));
        transit = nowTransit;
        jitterQ4 += d - ((jitterQ4 + 8) >> 4);
    }

    /** A.1 init_seq: the sequence (and with it expected, lost and the report interval) starts here. */
    private void initSequence(int seq) {
        baseSeq = seq;
        maxSeq = seq;
        badSeq = -1;
        cycles = 0;
        received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
    }

    /** How often the sender restarted its sequence (each resets {@link #expected} and {@link #received}). */
    public long restarts() {
        return restarts;
    }

    /** Records a Sender Report's NTP time (the middle 32 bits go back as LSR, §6.4.1). */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSrNtpMiddle = NtpTime.compact(ntpTimestamp);
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
