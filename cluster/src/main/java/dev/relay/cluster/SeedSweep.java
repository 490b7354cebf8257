package dev.relay.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Runs one offered load over many seeds and counts, figure by figure, in how many the headroom
 * policy did better than both baselines: whether a difference seen with one seed is a property of
 * the policy or of that seed's traffic (docs/scale-out.md "Over 20 seeds").
 *
 * @param seeds             seeds run (1..seeds)
 * @param fewerRefused      seeds where headroom refused fewer rooms than both baselines
 * @param noMoreRefused     seeds where headroom refused no more rooms than either baseline
 * @param fewerOverflows    seeds with fewer overflow joins than both
 * @param fewerTurnedAway   seeds with fewer participants turned away than both
 * @param smallerSpread     seeds with a smaller mean max-min than both
 * @param smallerStdDev     seeds with a smaller mean standard deviation than both
 * @param totals            per policy in {@link ClusterScenario#policies()} order: {refused,
 *                          overflow joins, turned away} summed over the seeds
 */
public record SeedSweep(int seeds, int fewerRefused, int noMoreRefused, int fewerOverflows, int fewerTurnedAway,
                        int smallerSpread, int smallerStdDev, List<long[]> totals) {

    public static SeedSweep run(double offeredLoad, int seeds) {
        List<List<SimulationResult>> perSeed = new ArrayList<>(seeds);
        for (long seed = 1; seed <= seeds; seed++) {
            perSeed.add(new ClusterScenario("sweep", offeredLoad, seed).run());
        }
        return of(perSeed);
    }

    /**
     * Tallies results already run: one list per seed, each in {@link ClusterScenario#policies()}
     * order (headroom first, the two baselines next).
     */
    public static SeedSweep of(List<List<SimulationResult>> perSeed) {
        int fewerRefused = 0;
        int noMoreRefused = 0;
        int fewerOverflows = 0;
        int fewerTurnedAway = 0;
        int smallerSpread = 0;
        int smallerStdDev = 0;
        long[][] totals = null;
        for (List<SimulationResult> r : perSeed) {
            if (totals == null) {
                totals = new long[r.size()][3];
            }
            for (int p = 0; p < r.size(); p++) {
                totals[p][0] += r.get(p).roomsRefused();
                totals[p][1] += r.get(p).overflowJoins();
                totals[p][2] += r.get(p).turnedAway();
            }
            SimulationResult headroom = r.get(0);
            List<SimulationResult> baselines = r.subList(1, 3);
            fewerRefused += beats(headroom, baselines, SimulationResult::roomsRefused) ? 1 : 0;
            noMoreRefused += baselines.stream().allMatch(b -> headroom.roomsRefused() <= b.roomsRefused()) ? 1 : 0;
            fewerOverflows += beats(headroom, baselines, SimulationResult::overflowJoins) ? 1 : 0;
            fewerTurnedAway += beats(headroom, baselines, SimulationResult::turnedAway) ? 1 : 0;
            smallerSpread += beats(headroom, baselines, SimulationResult::meanSpread) ? 1 : 0;
            smallerStdDev += beats(headroom, baselines, SimulationResult::meanStdDev) ? 1 : 0;
        }
        return new SeedSweep(perSeed.size(), fewerRefused, noMoreRefused, fewerOverflows, fewerTurnedAway,
                smallerSpread, smallerStdDev, totals == null ? List.of() : List.of(totals));
    }

    private static boolean beats(SimulationResult headroom, List<SimulationResult> baselines,
                                 ToDoubleFunction<SimulationResult> figure) {
        double h = figure.applyAsDouble(headroom);
        return baselines.stream().allMatch(b -> h < figure.applyAsDouble(b));
    }
}
