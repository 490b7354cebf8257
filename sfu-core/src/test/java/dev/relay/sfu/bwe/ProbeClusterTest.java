package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeClusterTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    @Test
    void shouldAskForTheBytesThatKeepItOnRate() {
        ProbeCluster cluster = new ProbeCluster();
        cluster.start(7, 8_000_000, 100 * MS);
        assertEquals(0, cluster.bytesBehind(100 * MS));
        assertEquals(5_000, cluster.bytesBehind(105 * MS));
        cluster.onSent(3_000, 105 * MS);
        assertEquals(2_000, cluster.bytesBehind(105 * MS));
        cluster.onSent(4_000, 105 * MS);
        assertEquals(0, cluster.bytesBehind(105 * MS), "ahead of the rate");
    }

    @Test
    void shouldSendForFifteenMillisecondsAndFivePackets() {
        ProbeCluster cluster = new ProbeCluster();
        cluster.start(0, 800_000, 0);
        for (int i = 0; i < 2; i++) {
            cluster.onSent(1_200, i * MS);
        }
        assertFalse(cluster.finishSending(14 * MS));
        assertFalse(cluster.finishSending(15 * MS), "two packets are too few");
        assertEquals(1, cluster.bytesBehind(15 * MS), "big packets got ahead: ask for another anyway");
        for (int i = 0; i < 3; i++) {
            cluster.onSent(1_200, 15 * MS);
        }
        assertTrue(cluster.finishSending(15 * MS));
        assertEquals(0, cluster.bytesBehind(16 * MS));
    }

    /**
     * Six packets of 1,000 bytes sent 1 ms apart (8 Mbit/s counting all but the last), arriving
     * arrivalMicros apart; acked of them acknowledged. The result is the slower of the two rates.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "arrives as sent                 | 1000 | 6 | 8000000",
        "the bottleneck halves it        | 2000 | 6 | 4000000",
        "faster arrival than send        | 500  | 6 | 8000000",
        "five of six is enough           | 2000 | 5 | 4000000",
        "four of six is too few          | 2000 | 4 | 0",
        "one packet has no interval      | 2000 | 1 | 0",
    })
    void shouldMeasureTheRateTheBottleneckLetThrough(String name, long arrivalMicros, int acked, long expected) {
        ProbeCluster cluster = new ProbeCluster();
        cluster.start(1, 8_000_000, 0);
        for (int i = 0; i < 6; i++) {
            cluster.onSent(1_000, i * MS);
        }
        for (int i = 0; i < acked; i++) {
            cluster.onAcked(1_000, 50 * MS + i * arrivalMicros * US);
        }
        assertEquals(expected, cluster.resultBps());
    }

    @Test
    void shouldTakeTheEarliestArrivalAsTheStartEvenWhenReordered() {
        ProbeCluster cluster = new ProbeCluster();
        cluster.start(1, 8_000_000, 0);
        for (int i = 0; i < 5; i++) {
            cluster.onSent(1_000, i * MS);
        }
        cluster.onAcked(1_000, 12 * MS);
        cluster.onAcked(500, 10 * MS);
        cluster.onAcked(1_000, 14 * MS);
        cluster.onAcked(1_000, 16 * MS);
        cluster.onAcked(1_000, 18 * MS);
        // 4,000 bytes after the first arrival (500 bytes at 10 ms), over 8 ms.
        assertEquals(4_000_000, cluster.receiveBps());
        cluster.onLost();
        assertFalse(cluster.allReported(), "still sending");
        cluster.stopSending();
        assertTrue(cluster.allReported());
    }
}
