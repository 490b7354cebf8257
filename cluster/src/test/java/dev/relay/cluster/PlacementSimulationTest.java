package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementSimulationTest {

    private static RoomPlan room(long arrivalMillis, int participants, long... joinDelaysMillis) {
        return new RoomPlan(arrivalMillis, 100_000, participants, joinDelaysMillis);
    }

    /**
     * Two nodes of 10 streams, a room expected to cost 6 (1 packet/s per stream, no reserve, no
     * growth window): a node is admitted while it carries at most 4 streams.
     * <pre>
     *  t (s)  event                      relay-00 streams   relay-01 streams
     *  0      R0 placed: tie -> relay-00        0                  -
     *  0.5    R1 placed: tie on headroom,       0                  0
     *         fewer participants -> relay-01
     *  1-2    R0 grows to 3                     6
     *  1.5    R1 grows to 2                                        2
     *  3      R0's 4th join: 6 + 6 > 10, overflow
     *  5      R2 placed: relay-00 not admitted (6 > 4) -> relay-01
     *  6      R2 grows to 3                                        2 + 6 = 8
     *  10     R3: neither admitted, refused (its 2 participants turned away)
     * </pre>
     */
    @Test
    void shouldPlaceGrowOverflowAndRefuseAsWorkedOutByHand() {
        List<RoomPlan> rooms = List.of(room(0, 4, 1000, 2000, 3000), room(500, 2, 1000),
                room(5000, 3, 1000, 1000), room(10_000, 2, 1000));
        PlacementSimulation simulation = new PlacementSimulation(2, 10, new RoomCost(1), 0, 1000, 0);

        SimulationResult r = simulation.run(rooms, new HeadroomPlacement(new Admission(0, 6, 0)));

        assertEquals(4, r.rooms());
        assertEquals(1, r.roomsRefused());
        assertEquals(6, r.joins());
        assertEquals(1, r.overflowJoins());
        assertEquals(1, r.roomsOverflowed());
        assertEquals(3, r.turnedAway());
        UtilisationSeries s = r.series();
        assertEquals(11, s.size(), "a tick a second from 0 to the last arrival");
        assertEquals(7000, s.tickMillis()[7]);
        assertEquals(0.8f, s.max()[7], 1e-6);
        assertEquals(0.6f, s.min()[7], 1e-6);
        assertEquals(0.7f, s.mean()[7], 1e-6);
        assertEquals(0.1f, s.stdDev()[7], 1e-6);
        assertEquals(0.0f, s.max()[0], 1e-6);
    }

    @Test
    void shouldFreeANodeWhenItsRoomEnds() {
        // One node of 2 streams; rooms of 2 that must each be alone on it. The second arrives
        // exactly when the first ends: leaves go first at one instant, so it is placed.
        List<RoomPlan> rooms = List.of(new RoomPlan(0, 10_000, 2, new long[] {100}),
                new RoomPlan(10_000, 10_000, 2, new long[] {100}));
        PlacementSimulation simulation = new PlacementSimulation(1, 2, new RoomCost(1), 0, 1000, 0);

        SimulationResult r = simulation.run(rooms, new HeadroomPlacement(new Admission(0, 2, 0)));

        assertEquals(0, r.roomsRefused());
        assertEquals(0, r.overflowJoins());
    }

    @Test
    void shouldRepeatExactlyWithTheSameSeed() {
        ClusterScenario scenario = new ClusterScenario("nominal", 0.80, PlacementSimulationMain.DEFAULT_SEED);
        assertEquals(scenario.run(), scenario.run());
    }

    /**
     * The nominal setting of docs/scale-out.md with its seed. Each inequality below held in all 20
     * seeds of the sweep there (seeds 1..20, SeedSweep), so it is a property of the policy at this
     * load, not luck of the seed. Not asserted because it did not hold in every seed: that headroom
     * refuses no more rooms than the baselines (19 of 20; in seed 11 it refused 77 rooms where
     * random refused none, since an even cluster reaches the admission limit on all nodes at once).
     */
    @Test
    void shouldOverflowLessAndSpreadLessThanTheBaselinesAtNominalLoad() {
        List<SimulationResult> r = new ClusterScenario("nominal", 0.80, PlacementSimulationMain.DEFAULT_SEED).run();
        SimulationResult headroom = r.get(0);
        SimulationResult blindToGrowth = r.get(3);
        assertEquals(List.of("headroom", "round-robin", "random", "headroom, no growth"),
                r.stream().map(SimulationResult::policy).toList());
        // 60-80 % is the load the setting is meant to have; it is a check of the setting.
        assertTrue(headroom.meanUtilisation() > 0.6 && headroom.meanUtilisation() < 0.8, headroom.toString());
        for (SimulationResult baseline : r.subList(1, 3)) {
            assertTrue(headroom.overflowJoins() < baseline.overflowJoins(), baseline.toString());
            assertTrue(headroom.turnedAway() < baseline.turnedAway(), baseline.toString());
            assertTrue(headroom.meanSpread() < baseline.meanSpread(), baseline.toString());
            assertTrue(headroom.meanStdDev() < baseline.meanStdDev(), baseline.toString());
        }
        // Without the growing rooms' charge the most-headroom node takes every room opened before
        // their joins show: more overflow than even the baselines (20 of 20 seeds against headroom).
        assertTrue(headroom.overflowJoins() < blindToGrowth.overflowJoins(), blindToGrowth.toString());
        assertTrue(headroom.turnedAway() < blindToGrowth.turnedAway(), blindToGrowth.toString());
    }

    /**
     * Overloaded, only the evenness is the policy's in every seed (20 of 20): refusals and
     * participants turned away went either way (headroom turned away fewer in 5 of 20 seeds).
     */
    @Test
    void shouldStillSpreadLessWhenOverloaded() {
        List<SimulationResult> r = new ClusterScenario("overloaded", 1.10, PlacementSimulationMain.DEFAULT_SEED).run();
        SimulationResult headroom = r.get(0);
        for (SimulationResult baseline : r.subList(1, 3)) {
            assertTrue(headroom.meanSpread() < baseline.meanSpread(), baseline.toString());
            assertTrue(headroom.meanStdDev() < baseline.meanStdDev(), baseline.toString());
        }
    }
}
