package dev.relay.sfu.bwe;

import static dev.relay.sfu.bwe.OveruseDetector.NORMAL;
import static dev.relay.sfu.bwe.OveruseDetector.OVERUSING;
import static dev.relay.sfu.bwe.OveruseDetector.UNDERUSING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OveruseDetectorTest {
    private static final long MS = 1_000_000L;

    /** Signals m(i) in ms, one per group 5 ms apart, against the initial 12.5 ms threshold. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "flat is normal                          | 0 0 0 0           | 0",
        "one spike is not over-use               | 20 0              | 0",
        "above for over 10 ms and rising         | 20 20 20          | 1",
        "above but falling is not over-use       | 20 30 29 28 27    | 0",
        "below minus the threshold is under-use  | -20               | 2",
        "back inside the threshold is normal     | 20 20 20 20 5     | 0",
        "two groups are too short                | 20 20             | 0",
    })
    void shouldSignalOveruseOnlyWhenItHolds(String name, String signals, int expected) {
        OveruseDetector detector = new OveruseDetector();
        long now = 0;
        for (String s : signals.trim().split(" ")) {
            now += 5 * MS;
            detector.detect(Double.parseDouble(s), 5 * MS, now);
        }
        assertEquals(expected, detector.state());
        assertTrue(expected == NORMAL || expected == OVERUSING || expected == UNDERUSING);
    }

    /** §5.4: the threshold follows |m(i)|, fast up and slow down, within [6, 600] ms; far spikes do not move it. */
    @ParameterizedTest(name = "m = {0} for {1} s")
    @CsvSource({
        "20, 1, 19.9, 20.0",
        "25, 1, 24.9, 25.0",
        "100, 10, 12.5, 12.5",
        "0, 1, 10.4, 10.5",
        "0, 60, 6.0, 6.0",
        "2, 60, 6.0, 6.0",
    })
    void shouldAdaptTheThreshold(double signal, int seconds, double low, double high) {
        OveruseDetector detector = new OveruseDetector();
        for (long t = 0; t <= seconds * 1_000L; t += 10) {
            detector.detect(signal, 10 * MS, t * MS);
        }
        assertTrue(detector.thresholdMs() >= low && detector.thresholdMs() <= high, "threshold " + detector.thresholdMs());
    }

    @Test
    void shouldNotTakeALongPauseAsOneBigAdaptationStep() {
        OveruseDetector detector = new OveruseDetector();
        detector.detect(0, 5 * MS, 0);
        detector.detect(0, 5 * MS, 60_000 * MS);
        // One step of at most 100 ms at K_d: 12.5 - 0.018 * 12.5.
        assertEquals(12.5 * (1 - 0.00018 * 100), detector.thresholdMs(), 1e-9);
    }
}
