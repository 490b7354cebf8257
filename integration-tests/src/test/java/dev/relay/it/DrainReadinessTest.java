package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.signaling.AccessConfig;
import dev.relay.signaling.Limits;
import dev.relay.signaling.RelayServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness while draining (docs/operations.md "Shutdown"): {@code /readyz} is 200 while the relay
 * takes joins and 503 from SIGTERM ({@link RelayServer#close}) on, on the HTTP port and on the
 * metrics port; {@code /healthz} stays 200; a new {@code join} gets {@code error} {@code draining}
 * while the participant already in keeps its call, and the drain ends once it leaves.
 */
@Timeout(60)
class DrainReadinessTest {
    private static final Duration REPLY = Duration.ofSeconds(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REPLY).build();

    @Test
    void shouldTurnNotReadyAndRefuseJoinsWhileDraining() throws Exception {
        RelayServer relay = RelayServer.start(Relays.loopbackConfig()
                .withAccess(AccessConfig.defaults().withMetricsPort(0))
                .withLimits(Limits.defaults().withDrainTimeout(Duration.ofSeconds(20))));
        URI base = Relays.httpBase(relay);
        URI metricsBase = URI.create("http://127.0.0.1:" + relay.metricsPort());
        CompletableFuture<Void> closed = null;
        try {
            assertEquals(200, status(base.resolve("/readyz")));
            assertEquals(200, status(metricsBase.resolve("/readyz")));
            assertEquals(200, status(base.resolve("/healthz")));

            String room = Relays.uniqueRoom("drain");
            SignalingClient inCall = SignalingClient.connect(http, Relays.webSocket(relay), REPLY);
            inCall.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertEquals("joined", inCall.next(REPLY).path("type").asText());

            closed = CompletableFuture.runAsync(relay::close); // what SIGTERM runs
            awaitStatus(base.resolve("/readyz"), 503);
            assertEquals(503, status(metricsBase.resolve("/readyz")));
            assertEquals(200, status(base.resolve("/healthz")), "liveness must not fail while draining");
            assertTrue(relay.draining());

            SignalingClient late = SignalingClient.connect(http, Relays.webSocket(relay), REPLY);
            late.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":7}");
            JsonNode refused = late.next(REPLY);
            assertEquals("error", refused.path("type").asText(), refused.toString());
            assertEquals("draining", refused.path("code").asText(), refused.toString());
            assertEquals(7, refused.path("id").asInt(), refused.toString());

            inCall.send("{\"type\":\"ping\"}");
            assertEquals("pong", inCall.next(REPLY).path("type").asText(), "the call in progress goes on");
            assertTrue(!closed.isDone(), "the drain waits for the participant");

            long leftAt = System.nanoTime();
            inCall.send("{\"type\":\"leave\"}");
            closed.get(15, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - leftAt) / 1_000_000;
            assertTrue(ms < 15_000, "the drain ended " + ms + " ms after the last participant left");
        } finally {
            if (closed == null) {
                relay.close();
            }
        }
    }

    private int status(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(REPLY).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void awaitStatus(URI uri, int wanted) throws Exception {
        long deadline = System.nanoTime() + REPLY.toNanos();
        int last;
        do {
            last = status(uri);
            if (last == wanted) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(uri + " stayed " + last + ", wanted " + wanted);
    }
}
