package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteRateTest {
    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // name | bytes per 10 ms | for ms | asked at ms | expected bps
        "nothing complete yet          | 1000 | 400  | 400  | 0",
        "800 kbit/s                    | 1000 | 1000 | 1000 | 800000",
        "200 kbit/s                    | 250  | 1000 | 1000 | 200000",
        "silent for a whole window     | 1000 | 1000 | 2100 | 0",
    })
    void shouldReportTheLastCompleteWindow(String name, int bytes, int forMs, int askedAtMs, long expected) {
        ByteRate rate = new ByteRate();
        for (int t = 0; t < forMs; t += 10) {
            rate.add(bytes, t * MS);
        }
        assertEquals(expected, rate.bps(askedAtMs * MS), name);
    }

    @org.junit.jupiter.api.Test
    void shouldHoldAKeyframesWindowAndLetItFallByATenthPerWindow() {
        ByteRate rate = new ByteRate();
        rate.add(25_000, 0); // a keyframe: 400 kbit/s over its window
        for (int t = 500; t < 2000; t += 10) {
            rate.add(250, t * MS); // then 200 kbit/s
        }
        assertEquals(200_000, rate.bps(2000 * MS));
        assertEquals(291_600, rate.peakBps(2000 * MS), "400k, then 360k, 324k, 291.6k");
        assertEquals(284_375, rate.averageBps(2000 * MS), "400k, then 350k, 312.5k, 284.4k: a quarter of each 200k window");
    }
}
