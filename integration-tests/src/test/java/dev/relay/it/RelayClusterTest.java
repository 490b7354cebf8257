package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.cluster.RedisDirectory;
import dev.relay.cluster.RedisServer;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.cluster.ClusterConfig;
import dev.relay.signaling.cluster.ClusterMembership;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relays as nodes of one cluster over Debian's redis-server (docs/scale-out.md): a new room is
 * placed on the node with the most headroom whichever node the first join reaches; a join that
 * reaches the other node is redirected there ({@code error} {@code redirect} with the node's
 * URL); once that node leaves, the next join of the room lands on a live node; without Redis,
 * joins of new rooms are refused ({@code unavailable}) without holding the relay's control
 * thread on every one.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RelayClusterTest {
    private static final Duration REPLY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private RedisServer redis;
    private final List<RelayServer> relays = new ArrayList<>();
    private final List<SignalingClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(SignalingClient::close);
        relays.forEach(RelayServer::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void shouldPlaceARoomOnTheNodeWithMostHeadroomAndRedirectJoinsThere() throws Exception {
        redis = RedisServer.start(dir);
        int portA = LocalProcesses.freePort("127.0.0.1");
        int portB = LocalProcesses.freePort("127.0.0.1");
        node("relay-a", portA, 60_000);
        RelayServer b = node("relay-b", portB, 120_000);
        String urlB = "ws://127.0.0.1:" + portB + "/ws";

        JsonNode atA = join(portA, "standup");
        assertEquals("error", atA.get("type").asText(), "the first join reached relay-a: " + atA);
        assertEquals("redirect", atA.get("code").asText());
        assertEquals("relay-b", atA.get("reason").asText(), "relay-b has twice the capacity, so the most headroom");
        assertEquals(urlB, atA.get("url").asText());

        assertEquals("joined", join(portB, "standup").get("type").asText(), "joined at the URL it was sent to");
        JsonNode again = join(portA, "standup");
        assertEquals(urlB, again.get("url").asText(), "later joins reaching relay-a go to relay-b too");
        assertEquals(urlB, join(portA, "retro").get("url").asText(), "a second new room: relay-b still has the most "
                + "headroom");

        b.close();
        relays.remove(b);
        JsonNode afterB = join(portA, "standup");
        assertEquals("joined", afterB.get("type").asText(),
                "relay-b left the cluster: the room's next join lands on relay-a: " + afterB);
        System.out.println("cluster: standup redirected a -> b, then joined at a once b left");

        // Redis gone: a join of a new room is refused (unavailable), and while the directory has
        // just failed, the next is refused without waiting on Redis again.
        redis.close();
        redis = null;
        // The directory is asked off the control thread: while a join waits on the dead Redis,
        // another connection's ping is answered at once.
        SignalingClient waiting = SignalingClient.connect(URI.create("ws://127.0.0.1:" + portA + "/ws"), REPLY);
        clients.add(waiting);
        SignalingClient pinging = SignalingClient.connect(URI.create("ws://127.0.0.1:" + portA + "/ws"), REPLY);
        clients.add(pinging);
        waiting.send("{\"type\":\"join\",\"room\":\"while-redis-is-gone\"}");
        Thread.sleep(100);
        long pingStart = System.nanoTime();
        pinging.send("{\"type\":\"ping\"}");
        pinging.next(m -> m.get("type").asText().equals("pong"), "pong", REPLY);
        long pingMillis = (System.nanoTime() - pingStart) / 1_000_000;
        JsonNode waited = waiting.next(m -> m.get("type").asText().equals("error"), "error", REPLY);
        System.out.printf("cluster: a ping answered in %d ms while a join waited on the dead Redis%n", pingMillis);
        assertEquals("unavailable", waited.get("code").asText(), waited.toString());
        assertTrue(pingMillis < ClusterConfig.REDIS_TIMEOUT.toMillis() / 2,
                "the control thread does not wait on Redis: pong after " + pingMillis + " ms");
        Thread.sleep(ClusterMembership.BACKOFF_NANOS / 1_000_000); // past the backoff that join started

        long start = System.nanoTime();
        JsonNode first = join(portA, "after-redis");
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        JsonNode second = join(portA, "after-redis-2");
        long secondMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("cluster: without redis, joins refused in %d ms, then %d ms%n", firstMillis, secondMillis);
        assertEquals("unavailable", first.get("code").asText(), first.toString());
        assertEquals("unavailable", second.get("code").asText(), second.toString());
        assertTrue(secondMillis < ClusterConfig.REDIS_TIMEOUT.toMillis(), "no second wait on an unreachable Redis: "
                + secondMillis + " ms");
    }

    /**
     * A stale owner (docs/scale-out.md "Failure handling"): while a node was cut off, its room's
     * directory entry went to another node. At its next report the node closes its copy, tells
     * the participants ({@code room_moved}) and closes their sockets, so the room is never split.
     */
    @Test
    void shouldCloseItsCopyOfARoomThatAnotherNodeHoldsNow() throws Exception {
        redis = RedisServer.start(dir);
        int port = LocalProcesses.freePort("127.0.0.1");
        RelayServer a = node("relay-a", port, 60_000);
        SignalingClient alice = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), REPLY);
        clients.add(alice);
        alice.send("{\"type\":\"join\",\"room\":\"standup\"}");
        assertEquals("joined", alice.next(m -> m.get("type").asText().equals("joined"), "joined", REPLY)
                .get("type").asText());
        assertEquals(1, Scrape.value(a, "relay_rooms", Map.of()));

        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), prefix(), Duration.ofSeconds(2))) {
            assertEquals(Optional.of("relay-a"), directory.ownerOf("standup"));
            // As if relay-a's renewals had not reached Redis and relay-z had claimed the room since.
            assertTrue(directory.releaseRoom("standup", "relay-a"));
            assertEquals("relay-z", directory.claimRoom("standup", "relay-z", Duration.ofSeconds(30)));

            JsonNode moved = alice.next(m -> m.get("type").asText().equals("error"), "error",
                    ClusterConfig.REPORT_INTERVAL.plus(REPLY));
            assertEquals("room_moved", moved.get("code").asText(), moved.toString());
            assertTrue(alice.awaitClose(REPLY) > 0, "the socket is closed");
            Scrape.await(a, "relay_rooms", Map.of(), n -> n == 0, REPLY);
            assertEquals(1, Scrape.value(a, "relay_participants_left_total", Map.of("reason", "moved")));
            assertEquals(Optional.of("relay-z"), directory.ownerOf("standup"), "relay-a did not take it back");
        }
    }

    private String prefix() {
        return "it-" + ProcessHandle.current().pid() + ":";
    }

    private RelayServer node(String id, int httpPort, double capacityPps) throws Exception {
        RelayServer relay = RelayServer.start(Relays.loopbackConfig().withHttpPort(httpPort)
                .withCluster(new ClusterConfig(redis.url(), id, "ws://127.0.0.1:" + httpPort + "/ws", capacityPps,
                        prefix())));
        relays.add(relay);
        return relay;
    }

    /** Sends {@code join} to the relay on {@code port} and returns its reply: {@code joined} or {@code error}. */
    private JsonNode join(int port, String room) throws Exception {
        SignalingClient client = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), REPLY);
        clients.add(client);
        client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        return client.next(m -> m.get("type").asText().equals("joined") || m.get("type").asText().equals("error"),
                "joined or error", REPLY);
    }
}
