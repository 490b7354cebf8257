package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NackResponderTest {
    private static final long MS = 1_000_000L;

    private final NackResponder responder = new NackResponder();

    /**
     * Steps: "n<seq>" the subscriber NACKs seq and, if allowed, the packet goes out; "x<seq>" the
     * same but the cache misses it; "t<ms>" sets the clock; "r<ms>" sets the RTT (0: unknown).
     * Each NACK answers R (retransmitted), M (allowed, missed in the cache), S (suppressed: within
     * the RTT) or C (capped). Defaults: 3 retransmissions, 100 ms while the RTT is unknown.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the first NACK retransmits                | n1                                  | R",
        "a repeat within 100 ms is ignored         | n1 t99 n1 t100 n1                   | R S R",
        "a known RTT sets the wait                 | r30 n1 t29 n1 t30 n1                | R S R",
        "a long RTT waits longer                   | r250 n1 t200 n1 t250 n1             | R S R",
        "an RTT back to unknown waits 100 ms       | r30 r0 n1 t50 n1 t100 n1            | R S R",
        "at most three retransmissions             | n1 t100 n1 t200 n1 t300 n1 t400 n1  | R R R C C",
        "the cap is checked before the wait        | n1 t100 n1 t200 n1 t250 n1          | R R R C",
        "numbers are independent                   | n1 n2 n1 n2 t100 n2                 | R R S S R",
        "a repeat in the same NACK is ignored      | n7 n7                               | R S",
        "a cache miss starts no wait and no count  | x1 x1 n1 t100 n1 t200 n1 t300 n1    | M M R R R C",
        "a number whose slot was taken is new      | n1 n513 n1                          | R R R",
        "after 5 s a number is new again           | n1 t100 n1 t200 n1 t300 n1 t5199 n1 t5200 n1 | R R R C C R",
        "sequence number 0 is not an empty slot    | n0 t50 n0                           | R S",
        "sequence number 65535                     | n65535 t50 n65535 t100 n65535       | R S R",
        "negative clock values work (nanoTime)     | t-1000 n1 t-950 n1 t-900 n1         | R S R",
    })
    void shouldRetransmitOncePerRttUpToTheCap(String name, String steps, String expected) {
        long now = 0;
        StringBuilder actual = new StringBuilder();
        for (String step : steps.trim().split(" +")) {
            int value = Integer.parseInt(step.substring(1));
            char kind = step.charAt(0);
            if (kind == 't') {
                now = value * MS;
                continue;
            }
            if (kind == 'r') {
                responder.rttNanos(value * MS);
                continue;
            }
            long suppressed = responder.suppressed();
            String result;
            if (responder.request(value, now)) {
                if (kind == 'n') {
                    responder.retransmitted(value, now);
                    result = "R";
                } else {
                    responder.missed(value);
                    result = "M";
                }
            } else {
                result = responder.suppressed() > suppressed ? "S" : "C";
            }
            actual.append(actual.length() == 0 ? "" : " ").append(result);
        }
        assertEquals(expected.trim(), actual.toString());
    }

    @Test
    void shouldCountEveryOutcome() {
        responder.request(1, 0);
        responder.retransmitted(1, 0);
        responder.request(1, 10 * MS);
        responder.request(2, 10 * MS);
        responder.missed(2);
        responder.request(1, 100 * MS);
        responder.retransmitted(1, 100 * MS);
        responder.request(1, 200 * MS);
        responder.retransmitted(1, 200 * MS);
        responder.request(1, 300 * MS);

        assertEquals(6, responder.requested());
        assertEquals(3, responder.retransmitted());
        assertEquals(1, responder.missedInCache());
        assertEquals(1, responder.suppressed());
        assertEquals(1, responder.capped());
    }

    @Test
    void shouldTakeItsLimitsFromTheConstructor() {
        NackResponder once = new NackResponder(8, 1, 20 * MS);
        assertEquals(20 * MS, once.retransmitIntervalNanos());
        assertTrue(once.request(3, 0));
        once.retransmitted(3, 0);
        assertFalse(once.request(3, 50 * MS));
        assertEquals(1, once.capped());
        once.rttNanos(70 * MS);
        assertEquals(70 * MS, once.retransmitIntervalNanos());

        assertThrows(IllegalArgumentException.class, () -> new NackResponder(100, 3, MS));
        assertThrows(IllegalArgumentException.class, () -> new NackResponder(8, 0, MS));
        assertThrows(IllegalArgumentException.class, () -> new NackResponder(8, 3, 0));
    }
}
