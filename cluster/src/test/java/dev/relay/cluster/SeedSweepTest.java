package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedSweepTest {
    private static final UtilisationSeries NONE = new UtilisationSeries(new long[0], new float[0], new float[0],
            new float[0], new float[0]);

    private static SimulationResult result(String policy, int refused, int overflow, double spread, double std) {
        return new SimulationResult(policy, 100, refused, 500, overflow, overflow, refused * 3 + overflow, 0.7,
                spread, std, 1.0, NONE);
    }

    @Test
    void shouldCountOnlyTheSeedsWhereHeadroomBeatsBothBaselines() {
        List<List<SimulationResult>> perSeed = List.of(
                // seed 1: headroom better on everything
                List.of(result("headroom", 0, 5, 0.3, 0.1), result("round-robin", 1, 9, 0.5, 0.2),
                        result("random", 2, 8, 0.4, 0.2)),
                // seed 2: refuses as many as round-robin (no more, but not fewer); more overflow and
                // as many turned away (13) as random; equal spread to random is not smaller
                List.of(result("headroom", 1, 10, 0.4, 0.1), result("round-robin", 1, 9, 0.5, 0.2),
                        result("random", 3, 4, 0.4, 0.2)),
                // seed 3: refuses more than random
                List.of(result("headroom", 4, 1, 0.2, 0.3), result("round-robin", 5, 9, 0.5, 0.2),
                        result("random", 3, 8, 0.4, 0.2)));

        SeedSweep sweep = SeedSweep.of(perSeed);

        assertEquals(3, sweep.seeds());
        assertEquals(1, sweep.fewerRefused());
        assertEquals(2, sweep.noMoreRefused());
        assertEquals(2, sweep.fewerOverflows());
        assertEquals(2, sweep.fewerTurnedAway());
        assertEquals(2, sweep.smallerSpread());
        assertEquals(2, sweep.smallerStdDev());
        assertArrayEquals(new long[] {5, 16, 31}, sweep.totals().get(0));
        assertArrayEquals(new long[] {7, 27, 48}, sweep.totals().get(1));
    }
}
