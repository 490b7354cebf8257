package dev.relay.sfu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;

/** The current thread's allocated-bytes counter around a piece of steady-state work. */
final class ThreadAllocation {
    private ThreadAllocation() {
    }

    /**
     * Runs {@code round} with 0 (warm-up: class loading, JIT) and then with 1, and returns the
     * bytes the thread allocated during the second run. Skips the test on a JVM without the counter.
     */
    static long ofSecondRound(IntConsumer round) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        round.accept(0);
        long before = threads.getCurrentThreadAllocatedBytes();
        round.accept(1);
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
