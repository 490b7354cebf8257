package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/** The current thread's allocated-bytes counter (skips the test on a JVM without one). */
final class AllocationMeter {
    private final com.sun.management.ThreadMXBean threads;

    AllocationMeter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    long allocatedBytes() {
        return threads.getCurrentThreadAllocatedBytes();
    }
}
