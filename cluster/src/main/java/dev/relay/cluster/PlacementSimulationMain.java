package dev.relay.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints docs/scale-out.md's tables and writes its plot. From the repository's root:
 * <pre>
 *   mvn -B -o -q -pl cluster -am compile
 *   java -cp cluster/target/classes dev.relay.cluster.PlacementSimulationMain [png] [seed]
 * </pre>
 * The plot goes to docs/images/placement-simulation.png unless {@code png} says otherwise; the
 * seed defaults to the one the docs report. About 10 seconds, most of it the 20-seed sweep.
 */
public final class PlacementSimulationMain {
    static final long DEFAULT_SEED = 20261129L;
    static final int SWEEP_SEEDS = 20;

    private PlacementSimulationMain() {
    }

    public static void main(String[] args) throws IOException {
        Path png = Path.of(args.length > 0 ? args[0] : "docs/images/placement-simulation.png");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_SEED;
        List<ClusterScenario> scenarios = List.of(new ClusterScenario("nominal", 0.80, seed),
                new ClusterScenario("overloaded", 1.10, seed));
        List<List<SimulationResult>> results = new ArrayList<>();
        for (ClusterScenario scenario : scenarios) {
            List<SimulationResult> rows = scenario.run();
            results.add(rows);
            System.out.println(table(scenario, rows));
        }
        SimulationPlot.write(scenarios, results, png);
        System.out.println("plot: " + png.normalize());
        System.out.println();
        for (ClusterScenario scenario : scenarios) {
            System.out.println(sweep(scenario, SeedSweep.run(scenario.offeredLoad(), SWEEP_SEEDS)));
        }
    }

    static String sweep(ClusterScenario scenario, SeedSweep s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s over seeds 1..%d: seeds where headroom beat both baselines%n",
                scenario.name(), s.seeds()));
        out.append(String.format(Locale.ROOT,
                "  fewer refused %d, no more refused %d, fewer overflow joins %d, fewer turned away %d,"
                        + " smaller max-min %d, smaller std %d%n",
                s.fewerRefused(), s.noMoreRefused(), s.fewerOverflows(), s.fewerTurnedAway(), s.smallerSpread(),
                s.smallerStdDev()));
        List<PlacementPolicy> policies = scenario.policies();
        for (int p = 0; p < policies.size(); p++) {
            long[] t = s.totals().get(p);
            out.append(String.format(Locale.ROOT, "  %-20s total refused %6d, overflow joins %7d, turned away %7d%n",
                    policies.get(p).name(), t[0], t[1], t[2]));
        }
        return out.toString();
    }

    static String table(ClusterScenario scenario, List<SimulationResult> rows) {
        Workload w = scenario.workload();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "%s: %d rooms at %.3f/s (offered load %.0f %%), %d nodes x %,d streams, seed %d%n",
                scenario.name(), w.rooms(), w.arrivalsPerSecond(), scenario.offeredLoad() * 100,
                ClusterScenario.NODES, ClusterScenario.CAPACITY_STREAMS, scenario.seed()));
        out.append(String.format(Locale.ROOT, "%-20s %8s %8s %9s %9s %7s %8s %8s %8s %8s%n", "policy", "refused",
                "joins", "overflow", "rooms ov", "away", "mean u", "max-min", "std", "p95 max"));
        for (SimulationResult r : rows) {
            out.append(String.format(Locale.ROOT, "%-20s %8d %8d %9d %9d %7d %7.1f%% %7.1f%% %7.1f%% %7.1f%%%n",
                    r.policy(), r.roomsRefused(), r.joins(), r.overflowJoins(), r.roomsOverflowed(), r.turnedAway(),
                    100 * r.meanUtilisation(), 100 * r.meanSpread(), 100 * r.meanStdDev(),
                    100 * r.p95MaxUtilisation()));
        }
        return out.toString();
    }
}
