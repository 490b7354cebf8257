package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.events.EventsConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing a session made outlives it: a participant joins, publishes, passes one ICE check from a
 * fresh UDP port (so the relay validates a new address every time) and leaves, 1,500 times. The
 * relay's heap after a full GC may not grow by more than 1.5 MiB (about 1 KB a session), and its
 * gauges must read zero participants and zero Transports afterwards. Runs the relay in this JVM,
 * so the heap measured is the relay's plus this test's (which keeps nothing per session).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SessionCleanupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final int WARMUP = 300;
    private static final int SESSIONS = 1_500;
    private static final long ALLOWED_GROWTH = 1_536 * 1024;

    private RelayServer relay;
    /** One HTTP client for every session: the test's own per-connection objects must not count. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REPLY).build();

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void shouldReleaseEverySessionsObjects() throws Exception {
        relay = RelayServer.start(RelayConfig.defaults()
                .withHttpPort(0)
                .withMediaPort(0)
                .withBindAddress("127.0.0.1")
                .withEvents(EventsConfig.defaults().withNodeId("cleanup-node").withQualityInterval(Duration.ZERO)));
        for (int i = 0; i < WARMUP; i++) {
            session(i);
        }
        awaitEmpty();
        long before = heapAfterGc();
        for (int i = 0; i < SESSIONS; i++) {
            session(WARMUP + i);
        }
        awaitEmpty();
        long after = heapAfterGc();
        long growth = after - before;
        System.out.printf("cleanup: heap after GC %.2f -> %.2f MiB over %d sessions (%+.0f B a session)%n",
                before / 1048576.0, after / 1048576.0, SESSIONS, (double) growth / SESSIONS);
        assertTrue(growth < ALLOWED_GROWTH, "heap grew " + growth + " B over " + SESSIONS + " sessions");
    }

    /** join, publish, one valid ICE check from a new port, leave; a few rooms so rooms close too. */
    private void session(int n) throws Exception {
        String room = "cleanup-" + (n % 7);
        try (SignalingClient client = SignalingClient.connect(http, Relays.webSocket(relay), REPLY);
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            client.next(m -> m.get("type").asText().equals("joined"), "joined", REPLY);
            client.send(JSON.createObjectNode().put("type", "publish").put("sdp", IceFailureTest.OFFER).toString());
            String answer = client.next(m -> m.get("type").asText().equals("publishAnswer"), "publishAnswer",
                    REPLY).get("sdp").asText();
            byte[] request = IceFailureTest.bindingRequest(IceFailureTest.attribute(answer, "ice-ufrag") + ":"
                    + IceFailureTest.CLIENT_UFRAG, IceFailureTest.attribute(answer, "ice-pwd"));
            udp.setSoTimeout(2000);
            udp.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), relay.mediaPort()));
            udp.receive(new DatagramPacket(new byte[1500], 1500));
            client.send("{\"type\":\"leave\"}");
            client.next(m -> m.get("type").asText().equals("left"), "left", REPLY);
        }
    }

    private void awaitEmpty() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metrics = relay.scrapeMetrics();
        while (System.nanoTime() < deadline
                && !(gauge(metrics, "relay_participants") == 0 && gauge(metrics, "relay_transports") == 0)) {
            Thread.sleep(20);
            metrics = relay.scrapeMetrics();
        }
        assertEquals(0, gauge(metrics, "relay_participants"), "participants after every session left");
        assertEquals(0, gauge(metrics, "relay_transports"), "Transports after every session left");
    }

    private static double gauge(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no " + name + " in the scrape");
    }

    /** Heap used after full collections, once it stops falling (the smallest of a few readings). */
    private static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            memory.gc();
            Thread.sleep(100);
            best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
