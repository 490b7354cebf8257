package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void shouldReportExactPercentilesBelowTwoMilliseconds() {
        LatencyHistogram h = new LatencyHistogram();
        for (int us = 1; us <= 1000; us++) {
            h.record(us);
        }
        assertEquals(500, h.percentileMicros(0.50));
        assertEquals(990, h.percentileMicros(0.99));
        assertEquals(1000, h.maxMicros());
    }

    @Test
    void shouldStayWithinATenthOfAPercentAbove() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(123_456);
        long p = h.percentileMicros(0.5);
        assertTrue(Math.abs(p - 123_456) <= 123_456 / 1000, "got " + p);
        for (long v : new long[] {2048, 4095, 4096, 1L << 30}) {
            long edge = LatencyHistogram.lowerEdge(LatencyHistogram.index(v));
            assertTrue(edge <= v && v - edge <= v / 1000 + 1, v + " -> " + edge);
        }
    }

    @Test
    void shouldMergeLoops() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(10);
        b.record(30);
        a.add(b);
        assertEquals(2, a.count());
        assertEquals(30, a.maxMicros());
        assertEquals(10, a.percentileMicros(0.5));
    }
}
