package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.cluster.RedisDirectory;
import dev.relay.cluster.RedisServer;
import dev.relay.cluster.RoomRouter;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.cluster.ClusterConfig;
import dev.relay.signaling.cluster.ClusterMembership;
import dev.relay.transport.srtp.PipeKeyExchange;
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

    /**
     * The pipe control endpoint faces whoever reaches the HTTP port (docs/security.md "Pipes"):
     * garbage, an open without the cluster secret's tag, a replayed open and an open for a room
     * held elsewhere are each refused and counted, their connection closed, and nothing is
     * opened for them; an open signed with the secret is accepted, and a message that fails its
     * check afterwards closes the pipe, whose Transport and socket go with it.
     */
    @Test
    void shouldRefuseWhatDoesNotCarryTheClusterSecretAndReleaseAClosedPipe() throws Exception {
        redis = RedisServer.start(dir);
        int port = LocalProcesses.freePort("127.0.0.1");
        RelayServer a = RelayServer.start(Relays.loopbackConfig().withHttpPort(port)
                .withCluster(new ClusterConfig(redis.url(), "relay-a", "ws://127.0.0.1:" + port + "/ws", 60_000,
                        prefix(), RoomRouter.Span.ALWAYS, SECRET, "127.0.0.1")));
        relays.add(a);
        URI pipe = URI.create("ws://127.0.0.1:" + port + "/cluster/pipe");
        SignalingClient alice = SignalingClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), REPLY);
        clients.add(alice);
        alice.send("{\"type\":\"join\",\"room\":\"held\"}");
        alice.next(m -> m.get("type").asText().equals("joined"), "joined", REPLY);
        double transports = Scrape.value(a, "relay_transports", Map.of());

        assertRefused(pipe, "{\"type\":\"hello\"}", "garbage");
        String now = String.valueOf(System.currentTimeMillis() / 1000);
        byte[] key = PipeKeyExchange.start().publicKey();
        assertRefused(pipe, open(now + ":01:relay-z:held", key, "127.0.0.1:40000", "not-the-secret-at-all"),
                "a tag made without the cluster secret");
        String stale = (System.currentTimeMillis() / 1000 - 3600) + ":02:relay-z:held";
        assertRefused(pipe, open(stale, key, "127.0.0.1:40000", new String(SECRET)), "an hour-old open");
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), prefix(), Duration.ofSeconds(2))) {
            directory.register(new dev.relay.cluster.NodeLoad("relay-z", "ws://127.0.0.1:9/ws", 0.1, 0, 0, 0, 60_000),
                    Duration.ofSeconds(30));
            directory.claimRoom("elsewhere", "relay-z", Duration.ofSeconds(30));
        }
        assertRefused(pipe, open(now + ":03:relay-z:elsewhere", key, "127.0.0.1:40000", new String(SECRET)),
                "a room another node holds");
        assertEquals(4, Scrape.value(a, "relay_cluster_pipes_refused_total", Map.of()));
        assertEquals(1, Scrape.value(a, "relay_rooms", Map.of()), "no room opened for any of them");

        String valid = open(now + ":04:relay-z:held", key, "127.0.0.1:40000", new String(SECRET));
        SignalingClient node = SignalingClient.connect(pipe, REPLY);
        clients.add(node);
        node.send(valid);
        JsonNode accept = node.next(REPLY);
        assertEquals("accept", accept.get("type").asText(), accept.toString());
        assertTrue(PipeKeyExchange.verify(SECRET, now + ":04:relay-z:held", false,
                java.util.Base64.getDecoder().decode(accept.get("key").asText()), accept.get("address").asText(),
                java.util.Base64.getDecoder().decode(accept.get("tag").asText())), "signed with the cluster secret");
        Scrape.await(a, "relay_cluster_pipes", Map.of(), n -> n == 1, REPLY);
        assertEquals(transports + 1, Scrape.value(a, "relay_transports", Map.of()), "the pipe's Transport");

        node.send("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.{\"t\":\"participant\",\"id\":\"x@relay-z\"}");
        assertTrue(node.awaitClose(REPLY) > 0, "a message that fails its check closes the pipe");
        Scrape.await(a, "relay_cluster_pipes", Map.of(), n -> n == 0, REPLY);
        Scrape.await(a, "relay_transports", Map.of(), n -> n == transports, REPLY);
        assertRefused(pipe, valid, "the same open again (a replay)");
        assertEquals(1, Scrape.value(a, "relay_rooms", Map.of()));
    }

    private static final byte[] SECRET = "relay-cluster-test-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static String open(String pipeId, byte[] key, String address, String secret) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        byte[] tag = PipeKeyExchange.tag(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), pipeId, true, key,
                address);
        return "{\"type\":\"open\",\"pipeId\":\"" + pipeId + "\",\"address\":\"" + address + "\",\"key\":\""
                + b64.encodeToString(key) + "\",\"tag\":\"" + b64.encodeToString(tag) + "\"}";
    }

    /** {@code text} as the first message of a pipe control connection: a {@code refuse}, then the close. */
    private void assertRefused(URI pipe, String text, String what) throws Exception {
        SignalingClient node = SignalingClient.connect(pipe, REPLY);
        clients.add(node);
        node.send(text);
        JsonNode reply = node.next(REPLY);
        assertEquals("refuse", reply.get("type").asText(), what + ": " + reply);
        assertTrue(node.awaitClose(REPLY) > 0, what + ": closed");
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
