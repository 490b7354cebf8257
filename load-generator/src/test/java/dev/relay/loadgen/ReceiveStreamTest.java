package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The report's loss accounting from sequence numbers. The RFC 3550 statistics themselves are
 * tested in codecs (ReceiveStatisticsTest); here: the totals and the window the report reads,
 * including across a restart of those statistics.
 */
class ReceiveStreamTest {

    @Test
    void shouldExpectNothingBeforeTheFirstPacket() {
        ReceiveStream stream = new ReceiveStream(1, true, 0, "lg-video-0");
        assertFalse(stream.started());
        assertEquals(0, stream.totalExpected());
        assertEquals(0, stream.totalReceived());
        stream.markWindowStart();
        assertEquals(0, stream.windowExpected());
    }

    @Test
    void shouldCountLossAcrossTheSequenceNumberWrap() {
        ReceiveStream stream = new ReceiveStream(1, true, 0, "lg-video-0");
        int[] seqs = {65533, 65534, 0, 1, 3}; // 65535 and 2 lost
        for (int seq : seqs) {
            stream.onPacket(seq, 0, 0);
        }
        assertTrue(stream.started());
        assertEquals(7, stream.totalExpected());
        assertEquals(5, stream.totalReceived());
        assertEquals(2, stream.statistics.cumulativeLost(), "what the RR reports");
    }

    @Test
    void shouldNotCountALatePacketAsLoss() {
        ReceiveStream stream = new ReceiveStream(1, false, 0, "lg-audio-0");
        stream.onPacket(10, 0, 0);
        stream.onPacket(12, 0, 0);
        stream.onPacket(11, 0, 0);
        assertEquals(3, stream.totalExpected());
        assertEquals(3, stream.totalReceived());
    }

    @Test
    void shouldMeasureOnlyTheWindow() {
        ReceiveStream stream = new ReceiveStream(1, false, 0, "lg-audio-0");
        for (int seq = 100; seq < 110; seq++) {
            stream.onPacket(seq, 0, 0);
        }
        stream.markWindowStart();
        for (int seq = 110; seq < 120; seq += 2) {
            stream.onPacket(seq, 0, 0);
        }
        assertEquals(9, stream.windowExpected(), "109 -> 118");
        assertEquals(5, stream.windowReceived());
    }

    @Test
    void shouldMeasureFromTheFirstPacketWhenTheWindowBeganBeforeIt() {
        ReceiveStream stream = new ReceiveStream(1, false, 0, "lg-audio-0");
        stream.markWindowStart();
        for (int seq = 500; seq < 510; seq += 3) {
            stream.onPacket(seq, 0, 0);
        }
        assertEquals(10, stream.windowExpected(), "500 -> 509");
        assertEquals(4, stream.windowReceived());
    }

    @Test
    void shouldCountALongOutageAsLossThoughTheStatisticsRestart() {
        ReceiveStream stream = new ReceiveStream(1, true, 0, "lg-video-0");
        for (int seq = 65530; seq < 65536 + 10; seq++) {
            stream.onPacket(seq & 0xFFFF, 0, 0);
        }
        stream.markWindowStart();
        // 9 -> 20000 is past RFC 3550 A.1's MAX_DROPOUT: the RR statistics begin again here.
        stream.onPacket(20000, 0, 0);
        stream.onPacket(20001, 0, 0);
        assertEquals(1, stream.statistics.restarts(), "statistics restarted (A.1: the second packet confirms the jump)");
        assertEquals(16 + 19992, stream.totalExpected());
        assertEquals(18, stream.totalReceived());
        assertEquals(19992, stream.windowExpected(), "10..20001");
        assertEquals(2, stream.windowReceived());
    }

    @Test
    void shouldNotCountPacketsTwiceWhenAVeryLatePacketRestartsTheStatistics() {
        ReceiveStream stream = new ReceiveStream(1, true, 0, "lg-video-0");
        for (int seq = 0; seq < 1000; seq++) {
            stream.onPacket(seq, 0, 0);
        }
        stream.markWindowStart();
        stream.onPacket(800, 0, 0); // past MAX_MISORDER behind, alone: a stray (RFC 3550 A.1)
        for (int seq = 1000; seq < 1010; seq++) {
            stream.onPacket(seq, 0, 0);
        }
        assertEquals(1010, stream.totalExpected());
        assertEquals(1011, stream.totalReceived(), "800 arrived twice");
        assertEquals(10, stream.windowExpected());
        assertEquals(11, stream.windowReceived());
    }
}
