package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Loss accounting from sequence numbers, across the 16-bit wrap (RFC 3550 A.1, A.3). */
class ReceiveStreamTest {

    @Test
    void shouldCountLossAcrossTheSequenceNumberWrap() {
        ReceiveStream stream = new ReceiveStream(1, true, 0, "lg-video-0");
        int[] seqs = {65533, 65534, 0, 1, 3}; // 65535 and 2 lost
        for (int seq : seqs) {
            stream.onPacket(seq, 0, 0);
        }
        assertEquals(65536 + 3, stream.extendedHighestSeq());
        assertEquals(7, stream.expected());
        assertEquals(5, stream.received);
        assertEquals(2, stream.cumulativeLost());
        assertEquals(2 * 256 / 7, stream.takeFractionLost());
        assertEquals(0, stream.takeFractionLost(), "nothing new since the last report");
    }

    @Test
    void shouldIgnoreLateReorderedPacketsForTheHighestSequenceNumber() {
        ReceiveStream stream = new ReceiveStream(1, false, 0, "lg-audio-0");
        stream.onPacket(10, 0, 0);
        stream.onPacket(12, 0, 0);
        stream.onPacket(11, 0, 0);
        assertEquals(12, stream.extendedHighestSeq());
        assertEquals(0, stream.cumulativeLost());
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
}
