package dev.relay.sfu.bwe;

import static dev.relay.sfu.bwe.LinkSimulation.SECOND;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The estimator in steady state allocates nothing: a 2.5 Mbit/s link with the sender offering
 * 3 Mbit/s and probing, so feedback, grouping, the detector, rate control, the loss windows and
 * probe clusters all run. The simulator around it allocates nothing per tick either, so the
 * thread's counter measures the estimator.
 */
class SendSideEstimatorAllocationTest {
    private static final int ROUNDS = 5;
    private static final long PACKETS_PER_ROUND = 20_000;

    @Test
    void shouldAllocateNothingPerPacketInSteadyState() {
        AllocationMeter meter = new AllocationMeter();
        SendSideEstimator estimator = new SendSideEstimator(1_000_000, 30_000, 20_000_000);
        BottleneckLink link = new BottleneckLink(2_500_000, 80_000, 20 * LinkSimulation.MS, 0.01, 7);
        LinkSimulation sim = new LinkSimulation(estimator, link, 3_000_000, 60_000, 1);
        sim.setProbing(LinkSimulation.Probing.WHILE_LIMITED);
        // Warm-up: class loading, JIT, every branch taken a few thousand times.
        sim.runUntil(60 * SECOND);

        long quietest = Long.MAX_VALUE;
        StringBuilder rounds = new StringBuilder();
        for (int r = 0; r < ROUNDS; r++) {
            long packets = sim.packets();
            long step = sim.now();
            long before = meter.allocatedBytes();
            while (sim.packets() - packets < PACKETS_PER_ROUND) {
                step += SECOND / 10;
                sim.runUntil(step);
            }
            long allocated = meter.allocatedBytes() - before;
            quietest = Math.min(quietest, allocated);
            rounds.append(allocated).append(' ');
        }
        System.out.printf("allocation: bytes per round of %d packets: %s(feedbacks %d, probes %d, probe results %d)%n",
            PACKETS_PER_ROUND, rounds, estimator.feedbackCount(), sim.probesStarted(), estimator.probeResultCount());
        assertTrue(estimator.probeResultCount() > 0, "probes ran");
        assertTrue(quietest < PACKETS_PER_ROUND, "quietest round allocated " + quietest + " bytes: " + rounds);
    }
}
