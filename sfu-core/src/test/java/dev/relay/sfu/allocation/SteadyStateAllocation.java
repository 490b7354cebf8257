package dev.relay.sfu.allocation;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;

/**
 * Bytes the current thread allocates in steady-state work, for the pure classes of this package
 * and of {@code dev.relay.sfu.speaker} (dev.relay.sfu.ThreadAllocation is package-private there).
 */
public final class SteadyStateAllocation {
    private SteadyStateAllocation() {
    }

    /**
     * Runs {@code round} once to warm up (class loading, JIT), then {@code rounds} times, and
     * returns the fewest bytes any measured round allocated. The quietest round, because the JVM
     * now and then allocates on a thread for its own reasons (compiled code being installed), not
     * for the code under test; a per-call allocation shows in every round. Skips the test on a
     * JVM without the counter.
     */
    public static long quietestRound(int rounds, IntConsumer round) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        round.accept(0);
        long fewest = Long.MAX_VALUE;
        for (int r = 1; r <= rounds; r++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            round.accept(r);
            fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return fewest;
    }
}
