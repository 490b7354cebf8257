package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeetingSizesTest {
    private static final MeetingSizes TYPICAL = MeetingSizes.typical();

    /** The figures docs/scale-out.md and MeetingSizes' comment quote. */
    @ParameterizedTest(name = "P({0} <= n <= {1}) = {2}")
    @CsvSource({
        "2,     2, 0.447",
        "2,     5, 0.786",
        "10,  100, 0.108",
        "30,  100, 0.0227",
        "2,   100, 1.0",
        "101, 200, 0.0",
    })
    void shouldMatchTheDocumentedShares(int from, int to, double share) {
        double p = 0;
        for (int n = from; n <= to; n++) {
            p += TYPICAL.probability(n);
        }
        assertEquals(share, p, share * 0.01 + 1e-9);
        assertEquals(share, TYPICAL.cumulative(to) - TYPICAL.cumulative(from - 1), share * 0.01 + 1e-9);
    }

    @Test
    void shouldHaveTheDocumentedMeans() {
        assertEquals(5.34, TYPICAL.meanParticipants(), 0.01);
        assertEquals(93.6, TYPICAL.meanStreams(), 0.1);
    }

    @Test
    void shouldSampleTheDistribution() {
        SplittableRandom random = new SplittableRandom(3);
        int draws = 100_000;
        int[] counts = new int[TYPICAL.maximum() + 1];
        for (int i = 0; i < draws; i++) {
            int n = TYPICAL.sample(random);
            assertTrue(n >= 2 && n <= 100, "out of range: " + n);
            counts[n]++;
        }
        // P(2) = 0.447: 1 sd of the count over 100,000 draws is 157, so 1,000 is over 6 sd.
        assertEquals(0.447 * draws, counts[2], 1000);
        assertEquals(TYPICAL.probability(5) * draws, counts[5], 500);
    }

    @Test
    void shouldRejectAnEmptyRange() {
        assertThrows(IllegalArgumentException.class, () -> new MeetingSizes(5, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> new MeetingSizes(0, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> new MeetingSizes(2, 4, 0));
    }
}
