package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.cluster.NodeLoad;
import dev.relay.cluster.RedisDirectory;
import dev.relay.cluster.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three relay processes, each in a network namespace of its own, as nodes of one cluster over
 * Debian's redis-server (docs/scale-out.md); two Chromium participants on the host open the web
 * client at two different nodes. The room is placed on the node with the most headroom, both
 * are redirected there and see each other; when that node is killed (SIGKILL: no goodbye to
 * Redis), both rejoin by themselves, through their own node, and land together on the live node
 * with the most headroom. Once the survivors stop, the registry and the directory are empty.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterBrowserTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(30);
    /** The dead node's registry entry expires (15 s TTL) and the rejoin backoff reaches it (1, 2, 4, 8 s). */
    private static final Duration REJOIN = Duration.ofSeconds(60);
    private static final String PREFIX = "relay:"; // RelayMain's key prefix

    @TempDir
    Path dir;

    private final List<PeerNamespace> namespaces = new ArrayList<>();
    private final List<ChromiumPeer> peers = new ArrayList<>();
    private RedisServer redis;

    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted();
            peers.forEach(ChromiumPeer::dumpDiagnostics);
            // The relays' threads, for a hang: SIGQUIT makes each JVM print them into its log.
            new ProcessBuilder("pkill", "-QUIT", "-f", "dev.relay.signaling.RelayMain").start().waitFor(5, TimeUnit.SECONDS);
            Thread.sleep(1000);
            for (Path log : List.of(dir.resolve("relay-a.log"), dir.resolve("relay-b.log"), dir.resolve("relay-c.log"))) {
                if (Files.exists(log)) {
                    Path kept = Path.of("target", "cluster-logs", log.getFileName().toString());
                    Files.createDirectories(kept.getParent());
                    Files.copy(log, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    List<String> lines = Files.readAllLines(log);
                    System.out.println("===== " + log.getFileName() + " (pipes) =====");
                    lines.stream().filter(l -> l.contains("RoomPipes")).forEach(System.out::println);
                    System.out.println("===== " + log.getFileName() + " (last 40 lines) =====");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
                }
            }
        }
    };

    @AfterEach
    void tearDown() {
        peers.forEach(ChromiumPeer::close);
        namespaces.forEach(PeerNamespace::close); // kills the relays still running in them
        if (redis != null) {
            redis.close();
        }
    }

    /** One relay process in a namespace of its own. */
    private record Node(String id, PeerNamespace ns, int port, Process process) {
        URI base() {
            return URI.create("http://" + ns.peerAddress() + ":" + port);
        }
    }

    @Test
    void shouldBringParticipantsOfDifferentNodesTogetherAndMoveTheRoomWhenItsNodeDies() throws Exception {
        List<Node> nodes = threeNodes(List.of());
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        Node c = nodes.get(2);

        String room = Relays.uniqueRoom("cluster");
        ChromiumPeer viaA = peer("via-a", a);
        ChromiumPeer viaB = peer("via-b", b);
        viaA.open(a.base(), room);
        viaB.open(b.base(), room);
        String first = viaA.awaitReady(READY);
        String second = viaB.awaitReady(READY);
        assertEquals("relay-c", lastRedirect(viaA), "the join at relay-a went to relay-c, the most headroom");
        assertEquals("relay-c", lastRedirect(viaB), "and the join at relay-b too");
        viaA.awaitStats("the other participant's video", MEDIA, s -> s.framesDecodedFrom(second) > 30);
        viaB.awaitStats("the other participant's video", MEDIA, s -> s.framesDecodedFrom(first) > 30);
        assertEquals(2, participants(c), "both participants are on relay-c");
        assertEquals(0, participants(a) + participants(b));

        long killed = System.nanoTime();
        c.process().destroyForcibly();
        assertTrue(c.process().waitFor(10, TimeUnit.SECONDS), "relay-c is gone");

        awaitRejoined(viaA);
        awaitRejoined(viaB);
        String firstAgain = viaA.script("return window.relay.participantId;").toString();
        String secondAgain = viaB.script("return window.relay.participantId;").toString();
        viaA.awaitStats("the other participant's video after the move", MEDIA,
                s -> s.framesDecodedFrom(secondAgain) > 30);
        viaB.awaitStats("the other participant's video after the move", MEDIA,
                s -> s.framesDecodedFrom(firstAgain) > 30);
        System.out.printf("cluster: relay-c killed; both participants together again after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        assertEquals(2, participants(b), "the room moved to relay-b, the live node with the most headroom");
        assertEquals(0, participants(a));
        assertEquals("relay-b", lastRedirect(viaA), "relay-a sent its participant to relay-b");

        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), PREFIX, Duration.ofSeconds(2))) {
            assertEquals(Optional.of("relay-b"), directory.ownerOf(room));
            assertEquals(List.of("relay-a", "relay-b"), directory.nodes().stream().map(NodeLoad::nodeId).sorted().toList(),
                    "relay-c's registry entry expired");

            peers.forEach(ChromiumPeer::leave);
            for (Node n : List.of(a, b)) {
                // SIGTERM: the node drains, leaves the registry and frees its rooms (the JVM's exit code is 143).
                LocalProcesses.stop(n.process());
                assertTrue(!n.process().isAlive(), n.id() + " stopped");
            }
            assertEquals(List.of(), directory.nodes(), "no node left in the registry");
            assertEquals(Optional.empty(), directory.ownerOf(room), "the room is free again");
        }
    }

    /**
     * docs/scale-out.md "Rooms across nodes": with {@code --cluster-span always}, each participant
     * stays on the node it reached. The room is placed on relay-c, where the first joins; the
     * joins through relay-a and relay-b stay there, each node piping the room from relay-c. Each
     * participant sees the other two: relay-a's video reaches relay-b through two pipes, relay-c
     * forwarding it on. When relay-c dies (SIGKILL), the other two rejoin through their own node
     * and see each other again, the room placed on one of them (and piped to the other when the
     * other's join came second). When a
     * participant leaves, the other hears it; when both have, every node's part of the room,
     * every pipe and every Transport is gone.
     */
    @Test
    void shouldSpanARoomOverThreeNodesWhoseParticipantsAllSeeEachOtherAndSurviveItsNode() throws Exception {
        List<Node> nodes = threeNodes(List.of("--cluster-span", "always"));
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        Node c = nodes.get(2);

        String room = Relays.uniqueRoom("spanned");
        ChromiumPeer viaC = peer("via-c", c);
        viaC.open(c.base(), room);
        String atC = viaC.awaitReady(READY);
        ChromiumPeer viaA = peer("via-a", a);
        ChromiumPeer viaB = peer("via-b", b);
        viaA.open(a.base(), room);
        viaB.open(b.base(), room);
        String atA = viaA.awaitReady(READY);
        String atB = viaB.awaitReady(READY);
        assertEquals(List.of(1, 1, 1), List.of(participants(a), participants(b), participants(c)),
                "each participant stays on the node it reached");
        assertEquals(null, lastRedirect(viaA), "no redirect");

        viaA.awaitStats("relay-b's participant's video", MEDIA, s -> s.framesDecodedFrom(idOn(atB, "relay-b")) > 30);
        viaB.awaitStats("relay-a's participant's video", MEDIA, s -> s.framesDecodedFrom(idOn(atA, "relay-a")) > 30);
        viaA.awaitStats("relay-c's participant's video", MEDIA, s -> s.framesDecodedFrom(idOn(atC, "relay-c")) > 30);
        viaC.awaitStats("relay-a's participant's video", MEDIA, s -> s.framesDecodedFrom(idOn(atA, "relay-a")) > 30);
        viaC.awaitStats("relay-b's participant's video", MEDIA, s -> s.framesDecodedFrom(idOn(atB, "relay-b")) > 30);
        viaB.awaitStats("relay-c's participant's video", MEDIA, s -> s.framesDecodedFrom(idOn(atC, "relay-c")) > 30);
        assertEquals(2, metric(c, "relay_cluster_pipes"), "relay-c holds the room: a pipe from each other node");
        assertEquals(1, metric(a, "relay_cluster_pipes"));
        assertEquals(1, metric(b, "relay_cluster_pipes"));
        System.out.println("cluster: one room over three nodes, each participant decoding the other two");

        // The room's node dies: the other two nodes' parts of the room lose their pipes, their
        // participants rejoin through their own node and, once relay-c's registry entry is gone,
        // the room is placed on a live node and spans the two again.
        long killed = System.nanoTime();
        c.process().destroyForcibly();
        assertTrue(c.process().waitFor(10, TimeUnit.SECONDS), "relay-c is gone");
        awaitRejoined(viaA);
        awaitRejoined(viaB);
        // Until relay-c's registry entry expires, a rejoin may still be sent to it and moved again:
        // wait until both are in, and stay in, before reading who is where.
        awaitSettled(a, b);
        String atAAgain = viaA.script("return window.relay.participantId;").toString();
        String atBAgain = viaB.script("return window.relay.participantId;").toString();
        // The first rejoin places the room (relay-b has the more headroom) and is redirected there if
        // it reached relay-a; a later one at relay-a stays, the room spanning the two again.
        boolean spread = participants(a) == 1;
        String aSeenByB = spread ? idOn(atAAgain, "relay-a") : atAAgain;
        String bSeenByA = spread ? idOn(atBAgain, "relay-b") : atBAgain;
        viaA.awaitStats("the other participant's video after relay-c died", MEDIA,
                s -> s.framesDecodedFrom(bSeenByA) > 30);
        viaB.awaitStats("the other participant's video after relay-c died", MEDIA,
                s -> s.framesDecodedFrom(aSeenByB) > 30);
        System.out.printf("cluster: relay-c (the room's node) killed; the other two together again after %d ms, %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed),
                spread ? "one on each node, over a pipe" : "both on relay-b");
        assertEquals(spread ? 1 : 0, metric(a, "relay_cluster_pipes"));
        assertEquals(spread ? 1 : 0, metric(b, "relay_cluster_pipes"));

        viaA.leave();
        awaitLeft(viaB, aSeenByB);
        viaB.leave();
        for (Node n : List.of(a, b)) {
            awaitMetric(n, "relay_rooms", 0);
            awaitMetric(n, "relay_cluster_pipes", 0);
            awaitMetric(n, "relay_transports", 0);
        }
    }

    /**
     * relay-a, relay-b and relay-c, each in a namespace of its own, over one redis-server on the
     * host, with {@code options}; they reach each other (pipes) as well as Redis, and each allows
     * the pages of all (a page served by one node opens its socket at another after a redirect,
     * docs/scale-out.md "Redirect", --allowed-origins). Headroom is capacity x (1 - load): idle,
     * they differ by capacity only, relay-c the most (docs/scale-out.md "Placement").
     */
    private List<Node> threeNodes(List<String> options) throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(), "skipped: " + ChromiumPeer.CHROMIUM + " is not installed");
        for (int i = 0; i < 3; i++) {
            namespaces.add(PeerNamespace.create());
        }
        redis = RedisServer.start(dir, namespaces.stream().map(PeerNamespace::hostAddress).toList());
        int[] ports = namespaces.stream().mapToInt(PeerNamespace::nextPort).toArray();
        List<String> origins = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            origins.add("http://" + namespaces.get(i).peerAddress() + ":" + ports[i]);
        }
        namespaces.get(0).connect(namespaces.get(1));
        namespaces.get(0).connect(namespaces.get(2));
        namespaces.get(1).connect(namespaces.get(2));
        List<Node> nodes = List.of(node("relay-a", namespaces.get(0), ports[0], origins, 60_000, options),
                node("relay-b", namespaces.get(1), ports[1], origins, 90_000, options),
                node("relay-c", namespaces.get(2), ports[2], origins, 120_000, options));
        for (Node n : nodes) {
            awaitHealthy(n);
        }
        return nodes;
    }

    /** Waits until the two nodes hold both participants between them for 3 s in a row. */
    private static void awaitSettled(Node a, Node b) throws Exception {
        long deadline = System.nanoTime() + REJOIN.toNanos();
        long since = -1;
        while (true) {
            long now = System.nanoTime();
            if (participants(a) + participants(b) == 2) {
                since = since < 0 ? now : since;
                if (now - since >= 3_000_000_000L) {
                    return;
                }
            } else {
                since = -1;
            }
            if (now > deadline) {
                throw new AssertionError("the two participants did not settle on relay-a and relay-b: "
                        + participants(a) + " + " + participants(b));
            }
            Thread.sleep(200);
        }
    }

    /** Waits until the page heard that {@code participantId} left ({@code participantLeft}). */
    private static void awaitLeft(ChromiumPeer peer, String participantId) throws InterruptedException {
        long deadline = System.nanoTime() + MEDIA.toNanos();
        while (peer.logEntries("participant-left").stream().noneMatch(e -> participantId.equals(e.get("participantId")))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no participantLeft for " + participantId + "; last client events: "
                        + peer.lastClientEvents(8));
            }
            Thread.sleep(200);
        }
    }

    /** A participant's id as other nodes know it: its own node's id appended. */
    private static String idOn(String participantId, String nodeId) {
        return participantId + "@" + nodeId;
    }

    private Node node(String id, PeerNamespace ns, int port, List<String> origins, double capacityPps,
                      List<String> options) throws IOException {
        String address = ns.peerAddress();
        List<String> command = new ArrayList<>(List.of("env", "RELAY_CLUSTER_SECRET=integration-test-cluster-secret",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", // Agrona, as bin/relay
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.relay.signaling.RelayMain",
                "--bind", address, "--advertise", address, "--http-port", String.valueOf(port),
                "--media-port", "0", "--shutdown-grace", "2s", "--node-id", id,
                "--redis-url", redis.url(ns.hostAddress()), "--public-url", "ws://" + address + ":" + port + "/ws",
                "--capacity-pps", String.valueOf((long) capacityPps), "--allowed-origins", String.join(",", origins)));
        command.addAll(options);
        return new Node(id, ns, port, ns.start(command, dir.resolve(id + ".log")));
    }

    private static void awaitHealthy(Node node) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(node.base().resolve("/readyz")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!node.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(node.id() + " did not start");
            }
            Thread.sleep(200);
        }
    }

    private ChromiumPeer peer(String label, Node home) throws IOException {
        // getUserMedia needs a secure context; plain http is one only on loopback, or by this flag.
        ChromiumPeer peer = ChromiumPeer.launch(label, List.of("--unsafely-treat-insecure-origin-as-secure=" + home.base()));
        peers.add(peer);
        return peer;
    }

    /** The node the web client's last redirect named (its {@code redirect} log entry), or null. */
    private static String lastRedirect(ChromiumPeer peer) {
        List<Map<String, Object>> redirects = peer.logEntries("redirect");
        return redirects.isEmpty() ? null : (String) redirects.get(redirects.size() - 1).get("node");
    }

    private static void awaitRejoined(ChromiumPeer peer) throws InterruptedException {
        long deadline = System.nanoTime() + REJOIN.toNanos();
        while (peer.logEntries("rejoined").isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no rejoin within " + REJOIN.toSeconds() + " s; last client events: "
                        + peer.lastClientEvents(8));
            }
            Thread.sleep(250);
        }
    }

    /** {@code relay_participants} of a node's {@code /metrics}. */
    private static int participants(Node node) throws Exception {
        return metric(node, "relay_participants");
    }

    /** A gauge without labels of a node's {@code /metrics}. */
    private static int metric(Node node, String name) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String text = http.send(HttpRequest.newBuilder(node.base().resolve("/metrics")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (int) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(node.id() + " has no " + name + ": " + text.length() + " bytes of metrics");
    }

    private static void awaitMetric(Node node, String name, int expected) throws Exception {
        long deadline = System.nanoTime() + MEDIA.toNanos();
        int value;
        while ((value = metric(node, name)) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node.id() + " " + name + " is " + value + ", not " + expected);
            }
            Thread.sleep(200);
        }
    }
}
