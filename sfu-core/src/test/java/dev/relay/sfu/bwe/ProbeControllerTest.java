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
        ProbeController probes = new ProbeController();
        int id = probes.start(4_000_000, 0);
        for (int ms = 0; ms < 20; ms++) {
            int due = probes.bytesDue(ms * MS);
            if (due > 0) {
                probes.onSent(id, due, ms * MS);
            }
        }
        assertEquals(-1, probes.sendingCluster(20 * MS));
        assertEquals(0, probes.bytesDue(20 * MS));
    }

    @Test
    void shouldStopAskingACallerThatDoesNotSend() {
        ProbeController probes = new ProbeController();
        probes.start(1_000_000, 0);
        assertTrue(probes.bytesDue(100 * MS) > 0);
        assertEquals(0, probes.bytesDue(201 * MS));
    }

    @Test
    void shouldGiveTheResultOnceAllPacketsAreReported() {
        ProbeController probes = new ProbeController();
        int id = sendCluster(probes, 0);
        for (int i = 0; i < 5; i++) {
            probes.onAcked(id, 1_000, 100 * MS + 2 * i * MS);
        }
        assertEquals(0, probes.takeResult(130 * MS), "the sixth packet is not reported yet");
        probes.onLost(id);
        // 4,000 bytes over 8 ms of arrivals = 4 Mbit/s, below the 8 Mbit/s it was sent at.
        assertEquals(4_000_000, probes.takeResult(140 * MS));
        assertEquals(0, probes.takeResult(150 * MS), "a result is taken once");
        assertEquals(4_000_000, probes.lastResultBps());
    }

    @Test
    void shouldGiveUpOnAClusterWhoseFeedbackNeverCame() {
        ProbeController probes = new ProbeController();
        int id = sendCluster(probes, 0);
        probes.onAcked(id, 1_000, 100 * MS);
        assertEquals(0, probes.takeResult(500 * MS));
        assertEquals(0, probes.takeResult(1_001 * MS));
        probes.onAcked(id, 1_000, 1_100 * MS);
        assertEquals(0, probes.takeResult(1_200 * MS));
    }

    @Test
    void shouldIgnoreFeedbackForAClusterWhoseSlotWasReused() {
        ProbeController probes = new ProbeController();
        int old = sendCluster(probes, 0);
        for (int i = 1; i < ProbeController.SLOTS; i++) {
            sendCluster(probes, i * 100 * MS);
        }
        int reused = sendCluster(probes, 1_000 * MS);
        assertEquals(old % ProbeController.SLOTS, reused % ProbeController.SLOTS);
        for (int i = 0; i < 6; i++) {
            probes.onAcked(old, 1_000, 2_000 * MS + i * MS);
        }
        assertEquals(0, probes.takeResult(1_010 * MS));
    }

    /** Six packets of 1,000 bytes, 1 ms apart: 8 Mbit/s. */
    private static int sendCluster(ProbeController probes, long start) {
        int id = probes.start(8_000_000, start);
        for (int i = 0; i < 6; i++) {
            probes.onSent(id, 1_000, start + i * MS);
        }
        probes.sendingCluster(start + 20 * MS);
        return id;
    }
}
