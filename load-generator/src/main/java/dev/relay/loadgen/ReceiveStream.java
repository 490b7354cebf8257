package dev.relay.loadgen;

import dev.relay.codecs.rtcp.ReceiveStatistics;
import dev.relay.codecs.rtp.SeqNum;

/**
 * What a subscriber knows about one SSRC the relay forwards to it: the RFC 3550 receive
 * statistics our RRs carry ({@link #statistics}, from the RTP header, in the clear in SRTP,
 * RFC 3711 §3.1), what decrypting and checking the probe found, and the counts the report's
 * measurement window is made of. Owned by the I/O loop of its transport.
 */
final class ReceiveStream {
    final int ssrc;
    final boolean video;
    /** Load generator index of the peer that publishes this track (from the track id), or -1. */
    final int publisher;
    final String trackId;
    /** Feeds the RR blocks; restarts its sequence state on a big jump (RFC 3550 A.1). */
    final ReceiveStatistics statistics;

    boolean active = true;

    long decrypted;
    long decryptFailures;
    long badProbes;
    long misrouted;

    // The report counts every packet since the first one, while the statistics begin again when
    // the sender restarts its sequence (RFC 3550 A.1: a jump confirmed by the next packet). These
    // carry expected over such a restart, so a long outage still reads as loss and the window
    // never goes backwards; received is every packet, strays included.
    private long expectedBeforeRestart;
    private long received;
    /** Extended seq (in the statistics' numbering) of the first packet not yet expected by an earlier run. */
    private long runFirstExtSeq;

    private long windowStartExpected;
    private long windowStartReceived;

    ReceiveStream(int ssrc, boolean video, int publisher, String trackId) {
        this.ssrc = ssrc;
        this.video = video;
        this.publisher = publisher;
        this.trackId = trackId;
        this.statistics = new ReceiveStatistics(video ? 90_000 : 48_000);
    }

    /** True once the first packet arrived. */
    boolean started() {
        return statistics.hasPackets();
    }

    void onPacket(int seq, long rtpTimestamp, long arrivalNanos) {
        received++;
        if (!statistics.hasPackets()) {
            statistics.onPacket(seq, rtpTimestamp, arrivalNanos);
            runFirstExtSeq = statistics.extendedHighestSeq();
            return;
        }
        long highestBefore = statistics.extendedHighestSeq();
        long expectedBefore = runExpected();
        long restartsBefore = statistics.restarts();
        statistics.onPacket(seq, rtpTimestamp, arrivalNanos);
        if (statistics.restarts() != restartsBefore) {
            // Count on from the packet after the highest one seen, as if there had been no
            // restart: a jump ahead is that many expected, a late run none.
            expectedBeforeRestart += expectedBefore;
            runFirstExtSeq = statistics.extendedHighestSeq() - SeqNum.diff(seq, (int) highestBefore & SeqNum.MASK)
                    + 1;
        }
    }

    /** Packets the sequence numbers say were sent since the first one arrived; 0 before it. */
    long totalExpected() {
        return statistics.hasPackets() ? expectedBeforeRestart + runExpected() : 0;
    }

    long totalReceived() {
        return received;
    }

    private long runExpected() {
        return Math.max(0, statistics.extendedHighestSeq() - runFirstExtSeq + 1);
    }

    void markWindowStart() {
        windowStartExpected = totalExpected();
        windowStartReceived = totalReceived();
    }

    /** Packets the seq range says were sent in the window (from the first one if it began inside). */
    long windowExpected() {
        return totalExpected() - windowStartExpected;
    }

    long windowReceived() {
        return totalReceived() - windowStartReceived;
    }
}
