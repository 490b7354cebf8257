package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProbeControllerTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldNumberClustersAndSendOneAtATime() {
        ProbeController probes = new ProbeController();
        assertEquals(-1, probes.sendingCluster(0));
        assertEquals(0, probes.bytesDue(0));
        assertEquals(0, probes.start(1_000_000, 0));
        assertEquals(0, probes.sendingCluster(0));
        assertEquals(1, probes.start(2_000_000, 1 * MS));
        assertEquals(1, probes.sendingCluster(1 * MS));
        assertEquals(500, probes.bytesDue(3 * MS));
    }

    @Test
    void shouldStopAskingOnceTheClusterIsSent() {
        long min = ProbeCluster.MIN_DURATION_NANOS;
        ProbeController probes = new ProbeController();
        int id = probes.start(4_000_000, 0);
        for (long t = 0; t < min; t += MS) {
            int due = probes.bytesDue(t);
            if (due > 0) {
                probes.onSent(id, due, t);
            }
        }
        assertEquals(id, probes.sendingCluster(min - 1), "not before the minimum duration");
        assertEquals(-1, probes.sendingCluster(min), "at it, well before the caller would be given up on");
        assertEquals(0, probes.bytesDue(min));
    }

    @Test
    void shouldStopAskingACallerThatDoesNotSend() {
        long max = ProbeController.MAX_SENDING_NANOS;
        ProbeController probes = new ProbeController();
        probes.start(1_000_000, 0);
        assertTrue(probes.bytesDue(ProbeCluster.MIN_DURATION_NANOS + MS) > 0, "past the minimum, but nothing sent yet");
        assertTrue(probes.bytesDue(max) > 0);
        assertEquals(0, probes.bytesDue(max + MS));
        assertEquals(-1, probes.sendingCluster(max + MS));
    }

    @Test
    void shouldGiveTheResultOnceAllPacketsAreReported() {
        ProbeController probes = new ProbeController();
        int id = sendCluster(probes, 0);
        long feedback = ProbeCluster.MIN_DURATION_NANOS + 50 * MS;
        for (int i = 0; i < 9; i++) {
            probes.onAcked(id, 1_000, feedback + 2 * i * MS);
        }
        assertEquals(0, probes.takeResult(feedback + 30 * MS), "the tenth packet is not reported yet");
        probes.onLost(id);
        // Nine of ten acknowledged (not below MIN_ACKED_SHARE); 8,000 bytes over 16 ms of arrivals
        // = 4 Mbit/s, below the 8 Mbit/s it was sent and aimed at.
        assertEquals(4_000_000, probes.takeResult(feedback + 40 * MS));
        assertEquals(0, probes.takeResult(feedback + 50 * MS), "a result is taken once");
        assertEquals(4_000_000, probes.lastResultBps());
    }

    @Test
    void shouldGiveUpOnAClusterWhoseFeedbackNeverCame() {
        long timeout = ProbeController.RESULT_TIMEOUT_NANOS;
        ProbeController probes = new ProbeController();
        int id = sendCluster(probes, 0);
        probes.onAcked(id, 1_000, ProbeCluster.MIN_DURATION_NANOS + 50 * MS);
        assertEquals(0, probes.takeResult(timeout / 2));
        assertEquals(0, probes.takeResult(timeout + MS));
        probes.onAcked(id, 1_000, timeout + 100 * MS);
        assertEquals(0, probes.takeResult(timeout + 200 * MS));
    }

    @Test
    void shouldIgnoreFeedbackForAClusterWhoseSlotWasReused() {
        long spacing = ProbeCluster.MIN_DURATION_NANOS + 10 * MS;
        ProbeController probes = new ProbeController();
        int old = sendCluster(probes, 0);
        for (int i = 1; i < ProbeController.SLOTS; i++) {
            sendCluster(probes, i * spacing);
        }
        long last = ProbeController.SLOTS * spacing;
        int reused = sendCluster(probes, last);
        assertEquals(old % ProbeController.SLOTS, reused % ProbeController.SLOTS);
        for (int i = 0; i < 10; i++) {
            probes.onAcked(old, 1_000, last + spacing + i * MS);
        }
        // Taken for the reused cluster, these would report all its packets and give 8 Mbit/s.
        assertEquals(0, probes.takeResult(last + spacing + 20 * MS));
    }

    /**
     * Ten packets of 1,000 bytes, 1 ms apart (8 Mbit/s, the target), then the cluster's minimum
     * duration passes and it stops sending.
     */
    private static int sendCluster(ProbeController probes, long start) {
        int id = probes.start(8_000_000, start);
        for (int i = 0; i < 10; i++) {
            probes.onSent(id, 1_000, start + i * MS);
        }
        assertEquals(-1, probes.sendingCluster(start + ProbeCluster.MIN_DURATION_NANOS));
        return id;
    }
}
