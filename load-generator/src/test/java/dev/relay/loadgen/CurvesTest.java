package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The sweep's table, ratios, series and JSON, with a failed point in them. */
class CurvesTest {
    static final Sweep SWEEP = Sweep.parse("subscribers=50,200,800");

    static Curves.Point ok(int value, String server, double egress) {
        return new Curves.Point(value, server, 2 * value, 2 * value, egress, 0.0, 1.0, 10.0, 50.0, 100.0, null);
    }

    /** Janus at 800: 1,500 of 1,600 streams flowed; the relay at 800 was not run at all. */
    static Curves sample() {
        return new Curves(SWEEP, "broadcast, 1 room(s) of 1 publisher -> N subscribers", List.of("relay", "janus"),
                List.of(ok(50, "relay", 30_000), ok(50, "janus", 20_000),
                        ok(200, "relay", 80_000), ok(200, "janus", 20_000),
                        Curves.Point.notRun(800, "relay", "the run could not be made"),
                        new Curves.Point(800, "janus", 1500, 1600, 18_000, 30.0, 700, 1200, 140, 70,
                                "streams 1500/1600 flowing")));
    }

    @Test
    void shouldLeaveFailedPointsOutOfTheSeriesAsGaps() {
        Curves curves = sample();
        assertArrayEquals(new double[] {50, 200, 800}, curves.xs());
        assertArrayEquals(new double[] {30_000, 80_000, Double.NaN}, curves.series("relay"));
        assertArrayEquals(new double[] {20_000, 20_000, Double.NaN}, curves.series("janus"));
        assertFalse(curves.allOnCurve());
    }

    @ParameterizedTest(name = "at {0}: {1}")
    @CsvSource({"50, 1.5", "200, 4.0", "800, NaN"})
    void shouldRatioOnlyPointsOnBothCurves(int value, double ratio) {
        assertEquals(ratio, sample().ratio(value), 1e-9);
    }

    @Test
    void shouldPrintARowPerValueAndServerWithTheRatioAndTheFailures() {
        String text = sample().toText();
        assertTrue(text.startsWith("sweep subscribers=50,200,800 (broadcast"), text);
        assertTrue(text.contains(" x1.50\n"), text);
        assertTrue(text.contains(" x4.00\n"), text);
        assertTrue(text.contains("80,000"), text);
        assertTrue(text.contains("FAILED: the run could not be made"), text);
        assertTrue(text.contains("1500/1600") && text.contains("FAILED: streams 1500/1600 flowing"), text);
        assertEquals(1 + 1 + 6 + 1, text.split("\n").length, "title, header, 3 x 2 rows, footnote:\n" + text);
    }

    @Test
    void shouldLeaveTheRatioColumnOutWithOneServer() {
        Curves relayOnly = new Curves(SWEEP, "broadcast", List.of("relay"), List.of(ok(50, "relay", 1)));
        String text = relayOnly.toText();
        assertFalse(text.contains("relay/janus"), text);
        assertTrue(text.contains("not run"), text);
        assertTrue(relayOnly.toJson().get("relayOverJanusEgressPerCpuSecond") == null);
    }

    @Test
    void shouldWritePointsAndRatiosAsJson() {
        ObjectNode json = sample().toJson();
        assertEquals("subscribers", json.get("sweep").asText());
        assertEquals(3, json.get("values").size());
        JsonNode points = json.get("points");
        assertEquals(6, points.size());
        assertEquals(80_000, points.get(2).get("egressPerCpuSecond").asDouble());
        assertFalse(points.get(5).get("onCurve").asBoolean());
        assertEquals("streams 1500/1600 flowing", points.get(5).get("failure").asText());
        assertTrue(points.get(4).get("egressPerCpuSecond") == null, "unknown numbers are left out");
        JsonNode ratios = json.get("relayOverJanusEgressPerCpuSecond");
        assertEquals(1.5, ratios.get(0).asDouble());
        assertEquals(4.0, ratios.get(1).asDouble());
        assertTrue(ratios.get(2).isNull());
    }
}
