package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The side-by-side table and its relay/janus ratios. */
class ComparisonTest {
    private static final Comparison.Row RELAY = new Comparison.Row("relay", 400, 400, 5.0, 15, 100_000, 0.0, 1.0,
            10.0, 400);
    private static final Comparison.Row JANUS = new Comparison.Row("janus", 400, 400, 10.0, 15, 50_000, 1.5, 2.0,
            40.0, 80);

    @ParameterizedTest(name = "{0} / {1} = {2}")
    @CsvSource({"10, 4, 2.5", "1, 0, NaN", "NaN, 3, NaN", "3, NaN, NaN"})
    void shouldDivideOnlyKnownNumbers(double a, double b, double expected) {
        assertEquals(expected, Comparison.ratio(a, b));
    }

    @Test
    void shouldPrintOneLinePerServerAndTheRatios() {
        String text = new Comparison(List.of(RELAY, JANUS)).toText();
        assertTrue(text.contains("\nrelay "), text);
        assertTrue(text.contains("\njanus "), text);
        assertTrue(text.contains("100,000"), text);
        assertTrue(text.contains("relay/janus: egress per CPU-second x2.00, p50 x0.50, p99 x0.25, RSS x5.00"), text);
    }

    @Test
    void shouldLeaveRatiosOutWithOneServer() {
        assertFalse(new Comparison(List.of(JANUS)).toText().contains("relay/janus"));
    }

    @Test
    void shouldWriteJsonPerServerAndRatios() {
        ObjectNode json = new Comparison(List.of(RELAY, JANUS)).toJson();
        assertEquals(50_000, json.get("janus").get("egressPerCpuSecond").asDouble());
        assertEquals(1.5, json.get("janus").get("lossPercent").asDouble());
        assertEquals(2.0, json.get("relayOverJanus").get("egressPerCpuSecond").asDouble());
        assertEquals(5.0, json.get("relayOverJanus").get("rss").asDouble());
    }
}
