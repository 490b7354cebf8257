package dev.relay.sfu.simulcast;

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
    private static final int ROUNDS = 6;
    private static final int PACKETS_PER_ROUND = 100_000;
    /** Every measured round switches layers at least this often (about 550 a round measured). */
    private static final int MIN_SWITCHES_PER_ROUND = 100;
    /**
     * One object per packet would be at least 16 B x 100,000 = 1.6 MB a round, and one per spatial
     * switch at least 16 B x 100 = 1.6 KB a round. A JIT deoptimisation or recompilation charges a
     * one-off to whichever round it lands in (measured up to 448 B, usually in the first round after
     * warm-up; the other rounds read 0), so the quietest of six rounds must stay under QUIET_BYTES,
     * below both, and the busiest under ONE_OFF_BYTES, still far below one object per packet.
     */
    private static final long QUIET_BYTES = 1024;
    private static final long ONE_OFF_BYTES = 64 * 1024;
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
    private int switches;

    @Test
    void shouldNotAllocatePerPacketOnceWarm() {
        for (int layer = 0; layer < SimulcastPublisher.LAYERS; layer++) {
            forwarder.rewriter.onSenderReport(layer, publisher.timestampOrigin(layer), StreamRewriterTest.ntp(0));
        }
        long self = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(self);
        run(WARMUP_PACKETS);

        long forwarded = 0;
        long fewest = Long.MAX_VALUE;
        long most = 0;
        int fewestSwitches = Integer.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            int switchesBefore = switches;
            long before = THREADS.getThreadAllocatedBytes(self);
            forwarded += run(PACKETS_PER_ROUND);
            long allocated = THREADS.getThreadAllocatedBytes(self) - before;
            fewest = Math.min(fewest, allocated);
            most = Math.max(most, allocated);
            fewestSwitches = Math.min(fewestSwitches, switches - switchesBefore);
        }
        System.out.printf("forwarded %d of %d packets, at least %d spatial switches a round; bytes allocated per"
                + " round of %d: %d to %d%n", forwarded, ROUNDS * PACKETS_PER_ROUND, fewestSwitches,
                PACKETS_PER_ROUND, fewest, most);

        assertTrue(forwarded > ROUNDS * PACKETS_PER_ROUND / 10, "packets forwarded: " + forwarded);
        assertTrue(fewestSwitches > MIN_SWITCHES_PER_ROUND, "spatial switches in every round: " + fewestSwitches);
        assertTrue(fewest < QUIET_BYTES,
                "bytes allocated in the quietest round of " + PACKETS_PER_ROUND + " packets: " + fewest);
        assertTrue(most < ONE_OFF_BYTES, "bytes allocated in the busiest round: " + most);
    }

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
