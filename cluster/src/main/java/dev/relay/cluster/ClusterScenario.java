package dev.relay.cluster;

import java.util.List;

/**
 * The cluster and traffic that docs/scale-out.md reports: 20 equal nodes of 10,000 streams
 * (1.5 million egress packets per second at 150 packets per stream; docs/benchmarks.md measured
 * 230,000 egress packets per CPU-second at 1 -> 800 and about 32,000 in a 10 x 10 meeting on a
 * loaded machine, so that is a large node; what the results depend on is the ratio of a room's
 * cost to a node's, and the largest room, 100 participants, costs 9,900 streams), 10,000 meetings
 * ({@link Workload#meetings}) arriving at the rate that offers a given share of the capacity, and
 * the three policies with one {@link Admission}: a 10 % reserve, each room charged the mean
 * n(n - 1) of {@link MeetingSizes#typical()}, growing for 3 minutes after placement (1.5 mean join
 * delays: by then 78 % of the joins have happened).
 *
 * @param name        label for the table and plot
 * @param offeredLoad share of the cluster's capacity the arrivals offer (Little's law)
 * @param seed        seeds the workload and the random policy
 */
public record ClusterScenario(String name, double offeredLoad, long seed) {
    public static final int NODES = 20;
    public static final long CAPACITY_STREAMS = 10_000;
    public static final int ROOMS = 10_000;
    public static final RoomCost COST = new RoomCost(150);
    public static final double RESERVE = 0.10;
    public static final long GROWTH_WINDOW_MILLIS = 3 * 60_000;
    public static final long TICK_MILLIS = 10_000;
    public static final long WARM_UP_MILLIS = 3_600_000;

    public Workload workload() {
        Workload meetings = Workload.meetings(ROOMS, 1);
        double rate = Workload.arrivalsPerSecondFor(offeredLoad, NODES * CAPACITY_STREAMS,
                meetings.medianDurationSeconds(), meetings.durationSigma(), meetings.sizes());
        return meetings.withArrivalsPerSecond(rate);
    }

    public PlacementSimulation simulation() {
        return new PlacementSimulation(NODES, CAPACITY_STREAMS, COST, GROWTH_WINDOW_MILLIS, TICK_MILLIS,
                WARM_UP_MILLIS);
    }

    public Admission admission() {
        return new Admission(RESERVE, COST.packetsPerStream() * MeetingSizes.typical().meanStreams());
    }

    /**
     * Fresh policies (round-robin and random keep state), in the table's order: the three with the
     * shared admission, then the headroom policy without the growing rooms' charge, to measure what
     * that charge is for.
     */
    public List<PlacementPolicy> policies() {
        Admission admission = admission();
        Admission blindToGrowth = new Admission(admission.reserveFraction(),
                admission.expectedRoomPacketsPerSecond(), 0);
        return List.of(new HeadroomPlacement(admission), new RoundRobinPlacement(admission),
                new RandomPlacement(admission, seed), new HeadroomPlacement(blindToGrowth, "headroom, no growth"));
    }

    public List<SimulationResult> run() {
        List<RoomPlan> rooms = workload().generate(seed);
        PlacementSimulation simulation = simulation();
        return policies().stream().map(p -> simulation.run(rooms, p)).toList();
    }
}
