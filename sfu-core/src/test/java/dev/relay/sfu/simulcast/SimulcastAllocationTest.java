package dev.relay.sfu.simulcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-packet simulcast path (parse, select, renumber, rewrite in place) allocates nothing
 * once warm, across spatial switches, temporal changes, dropped layers, a stopped layer and the
 * wrap of every counter: measured with the JVM's per-thread allocation counter, as
 * ForwardingAllocationTest measures the whole forwarding path.
 */
class SimulcastAllocationTest {
    private static final int WARMUP_PACKETS = 300_000;
    private static final int MEASURED_PACKETS = 300_000;
    /** setTarget every 20 frames (0.7 s), cycling through these spatial/temporal pairs. */
    private static final int[][] TARGETS = {{0, 2}, {2, 2}, {1, 0}, {1, 2}, {2, 1}, {0, 0}};

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final SimulcastPublisher publisher = new SimulcastPublisher(true);
    private final SimulcastForwarder forwarder = new SimulcastForwarder(65_000);
    private final byte[] in = new byte[1500];
    private final byte[] out = new byte[1500];
    private long lastFrame = -1;
    private int target;

    @Test
    void shouldNotAllocatePerPacketOnceWarm() {
        for (int layer = 0; layer < SimulcastPublisher.LAYERS; layer++) {
            forwarder.rewriter.onSenderReport(layer, publisher.timestampOrigin(layer), StreamRewriterTest.ntp(0));
        }
        long self = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(self);
        run(WARMUP_PACKETS);

        int switchesBefore = switches;
        long before = THREADS.getThreadAllocatedBytes(self);
        long forwarded = run(MEASURED_PACKETS);
        long allocated = THREADS.getThreadAllocatedBytes(self) - before;

        assertTrue(forwarded > MEASURED_PACKETS / 10, "packets forwarded: " + forwarded);
        assertTrue(switches - switchesBefore > 100, "spatial switches measured: " + (switches - switchesBefore));
        System.out.println("forwarded " + forwarded + ", switches " + (switches - switchesBefore) + ", allocated " + allocated);
        assertEquals(0, allocated, "bytes allocated for " + MEASURED_PACKETS + " packets");
    }

    private int switches;

    private long run(int packets) {
        long forwarded = 0;
        for (int i = 0; i < packets; i++) {
            int length = publisher.next(in);
            long now = publisher.lastArrivalNanos;
            long frame = publisher.lastFrame;
            if (frame != lastFrame) {
                lastFrame = frame;
                if (frame % 20 == 0) {
                    int[] next = TARGETS[target++ % TARGETS.length];
                    forwarder.selector.setTarget(next[0], next[1]);
                }
                // The top layer pauses for 2 s in every 10 (a falling bandwidth estimate).
                if (frame % 300 == 100) {
                    publisher.setActive(2, false);
                } else if (frame % 300 == 160) {
                    publisher.setActive(2, true);
                }
            }
            if (forwarder.onPacket(in, length, publisher.lastLayer, now, out) >= 0) {
                forwarded++;
            }
            if ((forwarder.decision & LayerSelector.SWITCHED) != 0) {
                switches++;
            }
            if (forwarder.keyframeRequest >= 0) {
                publisher.requestKeyframe(forwarder.keyframeRequest, now + 100_000_000L);
            }
        }
        return forwarded;
    }
}
