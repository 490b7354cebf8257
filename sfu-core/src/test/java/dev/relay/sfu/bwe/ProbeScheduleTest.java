package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeScheduleTest {
    private static final long MS = 1_000_000L;

    /**
     * Steps, space-separated: {@code @ms} sets the clock; an allocation round is {@code d} (deficient),
     * {@code f} (not deficient), {@code v} (deficient and a step down in this round), each with
     * {@code :kbps} allocated, e.g. {@code d:300}.
     *
     * <p>Expected, one per round: {@code -} no probe, {@code g} a gentle probe, {@code b} a bold one.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a new subscriber probes gently at once | @0 d:300 | g",
        "nothing to probe for while nothing is deficient | @0 f:300 @5000 f:300 | - -",
        "gently every 3 s while probes fail | @0 d:300 @2999 d:300 @3000 d:300 @6000 d:300 | g - g g",
        "an upgrade that holds to the verdict turns probing bold | @0 d:300 @2500 d:500 | g b",
        "bold every 1.5 s while nothing steps down | @0 d:300 @2500 d:500 @3999 d:500 @4000 d:500 | g b - b",
        "a step down fails a probe | @0 d:300 @2500 d:500 @3000 v:300 @4000 d:300 | g b - b",
        "two failures in a row turn it gentle again | @0 d:300 @2500 d:500 @3000 v:300 @4000 d:300 "
                + "@4500 v:200 @6000 d:200 @7000 d:200 | g b - b - - g",
        "no more allocated at the verdict is a failure | @0 d:300 @2500 d:300 @3000 d:300 | g - g",
        "a success resets the count | @0 d:300 @2500 d:500 @3000 v:300 @4000 d:300 @6500 d:400 @7000 v:300 "
                + "@8000 d:300 | g b - b b - b",
    })
    void shouldSchedule(String name, String steps, String expected) {
        ProbeSchedule schedule = new ProbeSchedule();
        long now = 0;
        StringBuilder out = new StringBuilder();
        for (String step : steps.trim().split(" +")) {
            if (step.startsWith("@")) {
                now = Long.parseLong(step.substring(1)) * MS;
                continue;
            }
            String[] parts = step.split(":");
            boolean deficient = !parts[0].equals("f");
            boolean down = parts[0].equals("v");
            long factor = schedule.onAllocation(deficient, down, Long.parseLong(parts[1]) * 1000, now);
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(factor == 0 ? "-" : factor == ProbeSchedule.GENTLE_FACTOR_PERCENT ? "g" : "b");
        }
        assertEquals(expected.trim(), out.toString());
    }
}
