package dev.relay.loadgen;

import dev.relay.codecs.rtp.SeqNum;

/**
 * What a subscriber knows about one SSRC the relay forwards to it: counts from the RTP header
 * (in the clear in SRTP, RFC 3711 §3.1), the RFC 3550 receiver statistics for our RR, and the
 * window counters the report is made of. Owned by the I/O loop of its transport.
 */
final class ReceiveStream {
    final int ssrc;
    final boolean video;
    /** Load generator index of the peer that publishes this track (from the track id), or -1. */
    final int publisher;
    final String trackId;
    final int clockRate;

    boolean active = true;
    private boolean started;
    private int maxSeq;
    private long cycles;
    private long baseExtSeq;
    long received;
    // RFC 3550 §6.4.1 fraction lost: counts at the previous report.
    private long priorExpected;
    private long priorReceived;
    // RFC 3550 §6.4.1 / A.8 interarrival jitter, in timestamp units.
    private double jitter;
    private long lastTransit;
    private boolean haveTransit;
    /** Middle 32 bits of the NTP time of the relay's last SR, and when it arrived (RFC 3550 §6.4.1 LSR/DLSR). */
    long lastSrCompactNtp;
    long lastSrArrivalNanos;

    long decrypted;
    long decryptFailures;
    long badProbes;
    long misrouted;

    private long windowStartExtSeq;
    private long windowStartReceived;
    private boolean windowStarted;

    ReceiveStream(int ssrc, boolean video, int publisher, String trackId) {
        this.ssrc = ssrc;
        this.video = video;
        this.publisher = publisher;
        this.trackId = trackId;
        this.clockRate = video ? 90_000 : 48_000;
    }

    /** True once the first packet arrived. */
    boolean started() {
        return started;
    }

    /** Updates the sequence state (RFC 3550 A.1, without the probation) and jitter. */
    void onPacket(int seq, long rtpTimestamp, long arrivalNanos) {
        if (!started) {
            started = true;
            maxSeq = seq;
            baseExtSeq = seq;
        } else if (SeqNum.isNewer(seq, maxSeq)) {
            if (seq < maxSeq) {
                cycles += 1 << 16;
            }
            maxSeq = seq;
        }
        received++;
        long arrival = (arrivalNanos / 1000) * clockRate / 1_000_000L;
        long transit = arrival - rtpTimestamp;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            // Timestamps wrap at 2^32; a difference that large is a wrap, not jitter.
            if (d < (1L << 31)) {
                jitter += (d - jitter) / 16.0;
            }
        }
        lastTransit = transit;
        haveTransit = true;
    }

    long extendedHighestSeq() {
        return cycles + maxSeq;
    }

    /** Packets expected since the first one (RFC 3550 A.3). */
    long expected() {
        return started ? extendedHighestSeq() - baseExtSeq + 1 : 0;
    }

    long cumulativeLost() {
        return expected() - received;
    }

    /** Fraction lost since the previous call, in 1/256 (RFC 3550 A.3). */
    int takeFractionLost() {
        long expected = expected();
        long expectedInterval = expected - priorExpected;
        long receivedInterval = received - priorReceived;
        priorExpected = expected;
        priorReceived = received;
        long lostInterval = expectedInterval - receivedInterval;
        return expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
    }

    long jitter() {
        return (long) jitter;
    }

    void markWindowStart() {
        windowStarted = started;
        windowStartExtSeq = started ? extendedHighestSeq() : 0;
        windowStartReceived = received;
    }

    /** Packets the seq range says were sent in the window (from the first one if it began inside). */
    long windowExpected() {
        if (!started) {
            return 0;
        }
        return windowStarted ? extendedHighestSeq() - windowStartExtSeq : expected();
    }

    long windowReceived() {
        return received - windowStartReceived;
    }
}
