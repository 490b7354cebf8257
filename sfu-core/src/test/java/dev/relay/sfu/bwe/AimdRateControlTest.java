package dev.relay.sfu.bwe;

import static dev.relay.sfu.bwe.OveruseDetector.NORMAL;
import static dev.relay.sfu.bwe.OveruseDetector.OVERUSING;
import static dev.relay.sfu.bwe.OveruseDetector.UNDERUSING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AimdRateControlTest {
    private static final long MS = 1_000_000L;
    private static final long MIN = 30_000;
    private static final long MAX = 10_000_000;

    /** One second of normal signals every 50 ms: how far the rate grows from 1 Mbit/s. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "far from capacity: 8 % a second          | 1000000 | 1000000 | 1079000 | 1081000",
        "bounded by 1.5 x acked + 10 kbit/s       | 1000000 | 700000  | 1060000 | 1060000",
        "a bound below the rate holds it          | 1000000 | 200000  | 1000000 | 1000000",
        "acked unknown: no bound                  | 1000000 | 0       | 1079000 | 1081000",
    })
    void shouldIncreaseMultiplicativelyWithinTheAckedBound(String name, long rate, long acked, long low, long high) {
        AimdRateControl aimd = new AimdRateControl(rate, MIN, MAX);
        aimd.update(NORMAL, acked, 0);
        for (long t = 50; t <= 1_000; t += 50) {
            aimd.update(NORMAL, acked, t * MS);
        }
        assertTrue(aimd.rateBps() >= low && aimd.rateBps() <= high, name + ": " + aimd.rateBps());
    }

    @Test
    void shouldStopAtTheAckedBoundWhenGrowingFromBelow() {
        AimdRateControl aimd = new AimdRateControl(500_000, MIN, MAX);
        for (long t = 0; t <= 10_000; t += 50) {
            aimd.update(NORMAL, 400_000, t * MS);
        }
        assertEquals(610_000, aimd.rateBps());
    }

    @Test
    void shouldDecreaseToBetaTimesAckedOncePerRoundTrip() {
        AimdRateControl aimd = new AimdRateControl(2_000_000, MIN, MAX);
        aimd.setRtt(100 * MS);
        assertEquals(850_000, aimd.update(OVERUSING, 1_000_000, 0));
        assertEquals(AimdRateControl.HOLD, aimd.state());
        assertEquals(850_000, aimd.update(OVERUSING, 800_000, 50 * MS), "within a round trip of the last cut");
        assertEquals(680_000, aimd.update(OVERUSING, 800_000, 150 * MS));
    }

    @Test
    void shouldNeverRaiseTheRateOnOveruse() {
        AimdRateControl aimd = new AimdRateControl(500_000, MIN, MAX);
        assertEquals(500_000, aimd.update(OVERUSING, 1_000_000, 0));
    }

    @Test
    void shouldHoldWhileUnderusing() {
        AimdRateControl aimd = new AimdRateControl(500_000, MIN, MAX);
        aimd.update(NORMAL, 500_000, 0);
        assertEquals(500_000, aimd.update(UNDERUSING, 500_000, 500 * MS));
        assertEquals(AimdRateControl.HOLD, aimd.state());
    }

    @Test
    void shouldIncreaseAdditivelyNearTheCapacityOverUseWasSeenAt() {
        AimdRateControl aimd = new AimdRateControl(1_200_000, MIN, MAX);
        aimd.setRtt(100 * MS);
        aimd.update(OVERUSING, 1_000_000, 0);
        assertEquals(1_000_000, aimd.capacityBps());
        long start = aimd.rateBps();
        for (long t = 50; t <= 1_000; t += 50) {
            aimd.update(NORMAL, 1_000_000, t * MS);
        }
        // §5.5: half a packet per response time (200 ms); at 850 kbit/s and 30 frames/s a packet is
        // 28.3 kbit / 3 = 9.4 kbit, so about 24 kbit/s in a second, where 8 % would be 68 kbit/s.
        long grown = aimd.rateBps() - start;
        assertTrue(grown > 15_000 && grown < 35_000, "grew " + grown);
    }

    @Test
    void shouldForgetTheCapacityWhenAckedGoesWellAboveIt() {
        AimdRateControl aimd = new AimdRateControl(1_200_000, MIN, MAX);
        aimd.update(OVERUSING, 1_000_000, 0);
        aimd.update(NORMAL, 2_000_000, 50 * MS);
        assertEquals(-1, aimd.capacityBps());
    }

    @Test
    void shouldClampToMinAndMax() {
        assertEquals(MAX, new AimdRateControl(50_000_000, MIN, MAX).rateBps());
        AimdRateControl aimd = new AimdRateControl(100_000, MIN, MAX);
        assertEquals(MIN, aimd.update(OVERUSING, 10_000, 0));
    }
}
