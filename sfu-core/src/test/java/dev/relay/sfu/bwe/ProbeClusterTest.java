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
    void shouldSendForTheMinimumDurationAndFivePackets() {
        long min = ProbeCluster.MIN_DURATION_NANOS;
        ProbeCluster cluster = new ProbeCluster();
        // 50 kbit/s: two 1,200-byte packets are ahead of the rate for the whole minimum duration.
        cluster.start(0, 50_000, 0);
        for (int i = 0; i < 2; i++) {
            cluster.onSent(1_200, i * MS);
        }
        assertFalse(cluster.finishSending(min - 1));
        assertFalse(cluster.finishSending(min), "two packets are too few");
        assertEquals(1, cluster.bytesBehind(min), "big packets got ahead: ask for another anyway");
        for (int i = 2; i < ProbeCluster.MIN_PACKETS; i++) {
            cluster.onSent(1_200, min);
        }
        assertTrue(cluster.finishSending(min));
        assertEquals(0, cluster.bytesBehind(min + MS));
    }

    /**
     * Twenty packets of 1,000 bytes sent 1 ms apart (8 Mbit/s counting all but the last) in a
     * cluster aiming at targetBps, arriving arrivalMicros apart; acked of them acknowledged. The
     * result is the slower of the two rates, never above the target; with less than
     * {@link ProbeCluster#MIN_ACKED_SHARE} acknowledged there is none.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "arrives as sent                      | 8000000 | 1000 | 20 | 8000000",
        "the bottleneck halves it             | 8000000 | 2000 | 20 | 4000000",
        "faster arrival than send             | 8000000 | 500  | 20 | 8000000",
        "capped at the target (send higher)   | 3000000 | 2000 | 20 | 3000000",
        "capped at the target (both higher)   | 2000000 | 500  | 20 | 2000000",
        "90 % acknowledged is enough          | 8000000 | 2000 | 18 | 4000000",
        "85 % acknowledged gives no result    | 8000000 | 2000 | 17 | 0",
        "one packet has no interval           | 8000000 | 2000 | 1  | 0",
    })
    void shouldMeasureTheRateTheBottleneckLetThrough(String name, long targetBps, long arrivalMicros, int acked,
                                                     long expected) {
        ProbeCluster cluster = new ProbeCluster();
        cluster.start(1, targetBps, 0);
        for (int i = 0; i < 20; i++) {
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
