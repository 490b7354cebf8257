package dev.relay.codecs.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** RFC 3550 Appendix A.3/A.8 statistics driven by a fake clock. */
class ReceiveStatisticsTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldCountLossAcrossSequenceWrap() {
        ReceiveStatistics stats = new ReceiveStatistics(90000);
        long t = 1_000 * MS;
        int[] seqs = {65533, 65534, 65535, 1, 2, 4};
        for (int seq : seqs) {
            stats.onPacket(seq, 0, t);
        }
        assertEquals((1L << 16) + 4, stats.extendedHighestSeq());
        assertEquals(8, stats.expected());
        assertEquals(2, stats.cumulativeLost());
        assertEquals(2 * 256 / 8, stats.takeFractionLost());
        assertEquals(0, stats.takeFractionLost(), "no new packets: interval loss is zero");
    }

    @Test
    void shouldNotCountReorderingAsLoss() {
        ReceiveStatistics stats = new ReceiveStatistics(48000);
        stats.onPacket(10, 0, 0);
        stats.onPacket(12, 1920, 40 * MS);
        stats.onPacket(11, 960, 41 * MS);
        assertEquals(0, stats.cumulativeLost());
        assertEquals(12, stats.extendedHighestSeq());
    }

    @Test
    void shouldHaveZeroJitterForPerfectlyPacedStream() {
        ReceiveStatistics stats = new ReceiveStatistics(48000);
        for (int i = 0; i < 100; i++) {
            stats.onPacket(i, i * 960L, i * 20 * MS);
        }
        assertEquals(0, stats.jitter());
    }

    @Test
    void shouldEstimateJitterOfAlternatingDelay() {
        ReceiveStatistics stats = new ReceiveStatistics(90000);
        for (int i = 0; i < 2000; i++) {
            long arrival = i * 33 * MS + (i % 2 == 0 ? 0 : 10 * MS);
            stats.onPacket(i, i * 2970L, arrival);
        }
        // |D| is 10 ms = 900 ticks every packet, so J converges to 900 (A.8).
        assertEquals(900, stats.jitter(), 10);
    }

    @Test
    void shouldReportDelaySinceLastSenderReport() {
        ReceiveStatistics stats = new ReceiveStatistics(90000);
        assertFalse(stats.hasPackets());
        stats.onSenderReport(0x1234_5678_9ABC_DEF0L, 1_000 * MS);
        assertEquals(0x5678_9ABCL, stats.lastSrNtpMiddle());
        assertEquals(65536L / 2, stats.delaySinceLastSr(1_500 * MS));
    }

    @Test
    void shouldHaveZeroJitterWhenTimestampsWrapAround() {
        ReceiveStatistics stats = new ReceiveStatistics(90000);
        long ts = 0xFFFF_FFFFL - 5 * 3000L;
        for (int i = 0; i < 20; i++) {
            stats.onPacket(i, (ts + i * 3000L) & 0xFFFF_FFFFL, i * 33_333_333L);
        }
        assertEquals(0, stats.jitter(), 1);
    }

    @Test
    void shouldHaveZeroJitterAfterDaysOfUptime() {
        ReceiveStatistics stats = new ReceiveStatistics(90000);
        long start = 40L * 24 * 3600 * 1_000_000_000L; // 40 days of System.nanoTime
        for (int i = 0; i < 20; i++) {
            stats.onPacket(i, i * 3000L, start + i * 33_333_333L);
        }
        assertEquals(0, stats.jitter(), 1);
    }

    @Test
    void shouldIgnoreALoneStrayPacketFarOutOfSequence() {
        ReceiveStatistics stats = new ReceiveStatistics(48000);
        for (int seq = 1000; seq < 1200; seq++) {
            stats.onPacket(seq, 0, 0);
        }
        stats.onPacket(40000, 0, 0);
        for (int seq = 1200; seq < 1210; seq++) {
            stats.onPacket(seq, 0, 0);
        }
        assertEquals(0, stats.restarts());
        assertEquals(210, stats.expected());
        assertEquals(0, stats.cumulativeLost(), "the stray is neither loss nor a restart");
    }

    @Test
    void shouldRestartFromScratchWhenTwoPacketsConfirmAJumpAfterAWrap() {
        ReceiveStatistics stats = new ReceiveStatistics(90000);
        for (int i = 0; i < 16; i++) {
            stats.onPacket((65528 + i) & 0xFFFF, 0, 0);
        }
        stats.takeFractionLost();
        stats.onPacket(20000, 0, 0);
        stats.onPacket(20001, 0, 0);
        stats.onPacket(20003, 0, 0);
        assertEquals(1, stats.restarts());
        assertEquals(20003, stats.extendedHighestSeq(), "the wrap count starts again");
        assertEquals(3, stats.expected());
        assertEquals(1, stats.cumulativeLost());
        assertEquals(256 / 3, stats.takeFractionLost(), "the interval starts again too: never negative");
    }

    @Test
    void shouldCountAPacketReorderedByLessThanTheMisorderLimit() {
        ReceiveStatistics stats = new ReceiveStatistics(48000);
        for (int seq = 500; seq < 600; seq++) {
            if (seq != 550) {
                stats.onPacket(seq, 0, 0);
            }
        }
        stats.onPacket(550, 0, 0);
        for (int seq = 600; seq < 700; seq++) {
            stats.onPacket(seq, 0, 0);
        }
        assertEquals(0, stats.cumulativeLost());
        assertEquals(0, stats.restarts());
    }
}
