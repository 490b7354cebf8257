package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyframeRequestThrottleTest {
    private static final long MS = 1_000_000L;

    /**
     * Steps are "r" (a request) or "p" (the worker polls for held ones) at a time in ms; the
     * expected string marks each step S (a PLI goes out now), H (held) or - (nothing).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "first request goes out at once        | r0                    | S",
        "second inside the interval is held    | r0 r100               | S H",
        "held one goes out when the poll is due | r0 r100 p499 p500    | S H - S",
        "many requests inside make one PLI     | r0 r10 r20 r30 p500 p501 | S H H H S -",
        "after the interval a request is sent  | r0 r500               | S S",
        "a poll with nothing held sends nothing | r0 p600              | S -",
        "held after a released one waits again | r0 r1 p500 r600 p999 p1000 | S H S H - S",
        "negative clock values work (nanoTime) | r-5000 r-4900 p-4500  | S H S",
    })
    void shouldSendAtMostOneRequestPerInterval(String name, String steps, String expected) {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle(500 * MS);
        StringBuilder actual = new StringBuilder();
        for (String step : steps.trim().split(" ")) {
            long now = Long.parseLong(step.substring(1)) * MS;
            String result;
            if (step.charAt(0) == 'r') {
                result = throttle.request(now) ? "S" : "H";
            } else {
                result = throttle.releaseDue(now) ? "S" : "-";
            }
            actual.append(actual.length() == 0 ? "" : " ").append(result);
        }
        assertEquals(expected.trim(), actual.toString());
    }
}
