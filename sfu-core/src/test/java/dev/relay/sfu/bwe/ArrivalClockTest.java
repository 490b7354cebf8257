package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArrivalClockTest {
    /**
     * Two feedbacks: reference time a with a status 10 ticks past it, then reference time b with a
     * status 20 ticks past it; the second arrival follows the first by the expected microseconds.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "next reference time                 | 100      | 101      | 66500",
        "same reference time                 | 100      | 100      | 2500",
        "across the 24-bit wrap              | 16777215 | 0        | 66500",
        "backwards (reordered feedback)      | 0        | 16777215 | -61500",
        "an hour later                       | 1000     | 57250    | 3600002500",
    })
    void shouldUnwrapReferenceTimes(String name, int a, int b, long expectedMicros) {
        ArrivalClock clock = new ArrivalClock();
        clock.onReferenceTime(a);
        long first = clock.toNanos((long)a * 256 + 10);
        clock.onReferenceTime(b);
        long second = clock.toNanos((long)b * 256 + 20);
        assertEquals(expectedMicros * 1_000, second - first);
    }
}
