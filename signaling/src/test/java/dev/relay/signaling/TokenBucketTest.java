package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-connection message rate, on a fake clock. */
class TokenBucketTest {
    private long now = 1_000_000_000_000L;

    private int takeAll(TokenBucket bucket) {
        int taken = 0;
        while (bucket.tryTake()) {
            taken++;
            if (taken > 10_000) {
                throw new AssertionError("the bucket never empties");
            }
        }
        return taken;
    }

    @Test
    void shouldStartFullAndRefuseBeyondTheBurst() {
        TokenBucket bucket = new TokenBucket(20, 50, () -> now);
        assertEquals(50, takeAll(bucket));
        assertFalse(bucket.tryTake());
    }

    /** {rate, burst, ms waited after emptying it, tokens available then}. */
    @ParameterizedTest
    @CsvSource({
            "20, 50, 0, 0",
            "20, 50, 49, 0",
            "20, 50, 50, 1",
            "20, 50, 1000, 20",
            "20, 50, 2499, 49",
            "20, 50, 60000, 50", // a long pause refills up to the burst, no further
            "1, 1, 999, 0",
            "1, 1, 1000, 1",
            "1000, 5, 3, 3",
    })
    void shouldRefillAtTheRateUpToTheBurst(int rate, int burst, long waitMillis, int expected) {
        TokenBucket bucket = new TokenBucket(rate, burst, () -> now);
        takeAll(bucket);
        now += waitMillis * 1_000_000L;
        assertEquals(expected, takeAll(bucket));
    }

    @Test
    void shouldSustainTheRateWhenTakenSteadily() {
        TokenBucket bucket = new TokenBucket(20, 50, () -> now);
        takeAll(bucket);
        int taken = 0;
        for (int i = 0; i < 1000; i++) { // 10 s in 10 ms steps, one attempt each
            now += 10_000_000L;
            if (bucket.tryTake()) {
                taken++;
            }
        }
        assertEquals(200, taken);
    }

    @Test
    void shouldRefuseNonPositiveSettings() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 5, () -> now));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(5, 0, () -> now));
        assertTrue(new TokenBucket(1, 1, () -> now).tryTake());
    }
}
