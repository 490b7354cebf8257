package dev.relay.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How rooms arrive, last and fill (docs/scale-out.md "The simulation"), and the seeded generator
 * of a list of {@link RoomPlan}s. Every policy is run over the same generated list, so the table
 * compares placement choices on identical traffic.
 * <ul>
 *   <li>arrivals: a Poisson process, exponential gaps with mean 1 / arrivalsPerSecond;
 *   <li>durations: log-normal (meeting lengths are positive and right-skewed: many half-hour
 *       meetings, some of several hours), clamped to [minDuration, maxDuration];
 *   <li>joins: each participant after the first joins after an exponential delay with mean
 *       meanJoinDelaySeconds, at most half the room's duration; everyone stays to the end;
 *   <li>sizes: {@link MeetingSizes}.
 * </ul>
 */
public record Workload(int rooms, double arrivalsPerSecond, double medianDurationSeconds, double durationSigma,
                       double minDurationSeconds, double maxDurationSeconds, double meanJoinDelaySeconds,
                       MeetingSizes sizes) {

    public Workload {
        if (rooms < 1 || !(arrivalsPerSecond > 0) || !(medianDurationSeconds > 0) || !(durationSigma >= 0)
                || !(minDurationSeconds > 0) || !(maxDurationSeconds >= minDurationSeconds)
                || !(meanJoinDelaySeconds >= 0)) {
            throw new IllegalArgumentException("bad workload: " + rooms + " rooms at " + arrivalsPerSecond + "/s");
        }
    }

    /**
     * The simulation's meetings: median 30 minutes (sigma 0.7: mean about 38 minutes, 90 % between
     * 10 and 95 minutes), between 5 minutes and 4 hours; joins spread over the first minutes
     * (mean delay 2 minutes).
     */
    public static Workload meetings(int rooms, double arrivalsPerSecond) {
        return new Workload(rooms, arrivalsPerSecond, 30 * 60, 0.7, 5 * 60, 4 * 3600, 120, MeetingSizes.typical());
    }

    /**
     * Arrivals per second that offer {@code offeredLoad} of the cluster's capacity by Little's law:
     * concurrent streams = rate x mean duration x mean n(n - 1). It ignores the clamp and the joins'
     * delay (a room is not full at once), so the utilisation measured comes out somewhat lower.
     */
    public static double arrivalsPerSecondFor(double offeredLoad, long clusterStreams, double medianDurationSeconds,
                                              double durationSigma, MeetingSizes sizes) {
        double meanDuration = medianDurationSeconds * Math.exp(durationSigma * durationSigma / 2);
        return offeredLoad * clusterStreams / (meanDuration * sizes.meanStreams());
    }

    public Workload withArrivalsPerSecond(double rate) {
        return new Workload(rooms, rate, medianDurationSeconds, durationSigma, minDurationSeconds,
                maxDurationSeconds, meanJoinDelaySeconds, sizes);
    }

    public List<RoomPlan> generate(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<RoomPlan> plans = new ArrayList<>(rooms);
        double now = 0;
        double mu = Math.log(medianDurationSeconds);
        for (int r = 0; r < rooms; r++) {
            now += exponential(random, 1.0 / arrivalsPerSecond);
            double duration = Math.exp(mu + durationSigma * random.nextGaussian());
            duration = Math.max(minDurationSeconds, Math.min(maxDurationSeconds, duration));
            int participants = sizes.sample(random);
            long[] delays = new long[participants - 1];
            for (int p = 0; p < delays.length; p++) {
                double delay = Math.min(exponential(random, meanJoinDelaySeconds), duration / 2);
                delays[p] = Math.round(delay * 1000);
            }
            plans.add(new RoomPlan(Math.round(now * 1000), Math.round(duration * 1000), participants, delays));
        }
        return plans;
    }

    private static double exponential(SplittableRandom random, double mean) {
        // 1 - u is in (0, 1], so the log is finite.
        return -mean * Math.log(1.0 - random.nextDouble());
    }
}
