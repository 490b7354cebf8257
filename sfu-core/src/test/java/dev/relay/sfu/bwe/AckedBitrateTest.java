package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AckedBitrateTest {
    private static final long MS = 1_000_000L;

    /** Packets of a size every interval for a duration, from an arbitrary receiver clock origin. */
    @ParameterizedTest(name = "{0} B every {1} us for {2} ms")
    @CsvSource({
        "1000, 10000, 2000, 800000",
        "1200, 1920, 3000, 5000000",
        "100, 20000, 400, 40000",
        "1200, 9600, 5000, 1000000",
    })
    void shouldMeasureTheRateOverTheWindow(int bytes, long intervalMicros, long durationMs, long expected) {
        AckedBitrate rate = new AckedBitrate();
        long origin = 987_654_321_000L;
        for (long t = 0; t < durationMs * 1_000; t += intervalMicros) {
            rate.onAck(origin + t * 1_000, bytes);
        }
        assertEquals(expected, rate.bps(), expected * 0.03);
    }

    @Test
    void shouldSayNothingBeforeTwentyMilliseconds() {
        AckedBitrate rate = new AckedBitrate();
        assertEquals(0, rate.bps());
        rate.onAck(0, 1_000);
        rate.onAck(19 * MS, 1_000);
        assertEquals(0, rate.bps());
        rate.onAck(21 * MS, 1_000);
        assertTrue(rate.bps() > 0);
    }

    @Test
    void shouldForgetWhatLeftTheWindow() {
        AckedBitrate rate = new AckedBitrate();
        for (long t = 0; t < 1_000; t += 10) {
            rate.onAck(t * MS, 10_000);
        }
        // A second of silence, then a slow trickle: only the trickle counts.
        for (long t = 2_000; t <= 2_500; t += 10) {
            rate.onAck(t * MS, 100);
        }
        assertEquals(80_000, rate.bps(), 4_000);
    }

    @Test
    void shouldIgnoreAPacketOlderThanTheWindow() {
        AckedBitrate rate = new AckedBitrate();
        for (long t = 0; t <= 1_000; t += 10) {
            rate.onAck(t * MS, 1_000);
        }
        long before = rate.bps();
        rate.onAck(100 * MS, 50_000);
        assertEquals(before, rate.bps());
        rate.onAck(900 * MS, 1_000);
        assertTrue(rate.bps() > before, "a late packet inside the window counts");
    }
}
