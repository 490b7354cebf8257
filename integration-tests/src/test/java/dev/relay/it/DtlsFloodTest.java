package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.Limits;
import dev.relay.signaling.RelayServer;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import dev.relay.transport.dtls.DtlsSession;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A browser call while 300 DTLS handshakes stall: 300 Java clients each join a room of their own,
 * publish an audio offer, pass a valid ICE check from an address in 127.0.1.1-30 (Linux routes all
 * of 127/8 to loopback) and send one ClientHello, then nothing. The relay runs with its default
 * DTLS caps (32 in flight, 8 per address) and a 60 s handshake timeout, so that every stalled
 * handshake is still in flight while two Chromium browsers join another room. Their handshakes must
 * get in (at the total cap, by evicting stalled ones older than 3 s) and media must flow both ways,
 * with the relay's threads bounded throughout.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DtlsFloodTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PENDING = 300;
    private static final int ADDRESSES = 30;
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(30);
    private static final int ENOUGH_FRAMES = 30;

    private final List<SignalingClient> clients = new ArrayList<>();
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final List<ChromiumPeer> browsers = new ArrayList<>();
    private RelayServer relay;

    @AfterEach
    void tearDown() {
        browsers.forEach(ChromiumPeer::close);
        clients.forEach(SignalingClient::close);
        sockets.forEach(DatagramSocket::close);
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void shouldCompleteABrowserCallWhile300HandshakesStall() throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(), "skipped: " + ChromiumPeer.CHROMIUM + " is not installed");
        // 300 WebSockets from 127.0.0.1: above the default cap per address (64).
        relay = RelayServer.start(Relays.loopbackConfig()
                .withDtls(DtlsHandshakes.Limits.defaults().withTimeout(Duration.ofSeconds(60)))
                .withLimits(Limits.defaults().withConnectionsPerAddress(1000)
                        .withJoinTimeout(Duration.ofSeconds(60))));
        HttpClient http = HttpClient.newBuilder().connectTimeout(REPLY).build();
        byte[] clientHello = clientHello();
        InetSocketAddress media = new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.mediaPort());
        // One stalled peer first, so that the relay's and the HTTP client's lazy threads exist.
        stalledPeer(http, media, clientHello, 0);
        var threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();

        long floodStart = System.nanoTime();
        for (int i = 1; i < PENDING; i++) {
            stalledPeer(http, media, clientHello, i);
        }
        long floodMillis = (System.nanoTime() - floodStart) / 1_000_000;
        Scrape.await(relay, "relay_dtls_handshakes_in_flight", Map.of(), v -> v == 32, REPLY);
        // Each ClientHello past the 32nd is refused, or (the flood takes seconds) evicts a stalled
        // handshake older than 3 s and takes its slot.
        Scrape.await(relay, "relay_dtls_failures_total", Map.of("reason", "refused_cap"),
                v -> v + Scrape.value(relay, "relay_dtls_failures_total", Map.of("reason", "evicted")) == PENDING - 32,
                REPLY);
        double refused = Scrape.value(relay, "relay_dtls_failures_total", Map.of("reason", "refused_cap"));
        double evictedByFlood = Scrape.value(relay, "relay_dtls_failures_total", Map.of("reason", "evicted"));
        int threadsFlooded = threads.getThreadCount();
        long dtlsThreads = dtlsThreads();

        String room = Relays.uniqueRoom("flood");
        ChromiumPeer alice = join(room, "alice");
        ChromiumPeer bob = join(room, "bob");
        String a = alice.awaitReady(READY);
        String b = bob.awaitReady(READY);
        awaitReceiving(alice, bob, b);
        awaitReceiving(bob, alice, a);
        double evicted = Scrape.value(relay, "relay_dtls_failures_total", Map.of("reason", "evicted"))
                - evictedByFlood;
        double refusedBrowsers = Scrape.value(relay, "relay_dtls_failures_total", Map.of("reason", "refused_cap"))
                - refused;
        double completed = Scrape.value(relay, "relay_dtls_handshakes_completed_total", Map.of());

        System.out.printf("dtls flood: %d stalled peers set up in %d ms (%d in flight, %.0f refused_cap, %.0f "
                        + "evicted by later stalled peers); JVM threads %d before, %d flooded (%d dtls-N); browser "
                        + "call connected with %.0f handshakes completed, %.0f stalled ones evicted for them, "
                        + "%.0f browser ClientHellos refused%n",
                PENDING, floodMillis, 32, refused, evictedByFlood, threadsBefore, threadsFlooded, dtlsThreads,
                completed, evicted, refusedBrowsers);
        assertTrue(threadsFlooded - threadsBefore < 60, "threads added: " + (threadsFlooded - threadsBefore));
        assertTrue(dtlsThreads <= 32 + 2, "dtls threads: " + dtlsThreads);
        assertEquals(4, completed, "two browsers, two PeerConnections each");
        assertTrue(evicted >= 1, "the browsers' handshakes took stalled slots");
        assertEquals(32 - evicted, Scrape.value(relay, "relay_dtls_handshakes_in_flight", Map.of()),
                "the stalled handshakes not evicted are still in flight; the browsers' are done");
    }

    /**
     * Joins a room of its own, publishes, passes an ICE check from 127.0.1.(1 + i % 30) and sends
     * one ClientHello; then never answers.
     */
    private void stalledPeer(HttpClient http, InetSocketAddress media, byte[] clientHello, int i) throws Exception {
        SignalingClient client = SignalingClient.connect(http, Relays.webSocket(relay), REPLY);
        clients.add(client);
        client.send("{\"type\":\"join\",\"room\":\"" + Relays.uniqueRoom("stalled") + "\"}");
        client.next(m -> m.get("type").asText().equals("joined"), "joined", REPLY);
        client.send(JSON.createObjectNode().put("type", "publish").put("sdp", IceFailureTest.OFFER).toString());
        JsonNode answer = client.next(m -> m.get("type").asText().equals("publishAnswer"), "publishAnswer", REPLY);
        String sdp = answer.get("sdp").asText();

        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.1." + (1 + i % ADDRESSES), 0));
        sockets.add(socket);
        socket.setSoTimeout((int) REPLY.toMillis());
        byte[] check = IceFailureTest.bindingRequest(attribute(sdp, "ice-ufrag") + ":2swx", attribute(sdp, "ice-pwd"));
        socket.send(new DatagramPacket(check, check.length, media));
        DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
        socket.receive(response);
        assertEquals(0x0101, ByteBuffer.wrap(response.getData()).getShort() & 0xFFFF, "ICE check answered");
        socket.send(new DatagramPacket(clientHello, clientHello.length, media));
    }

    /** A Bouncy Castle client's first flight (one 175-byte datagram). */
    private static byte[] clientHello() throws Exception {
        BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
        DtlsCertificate certificate = DtlsCertificate.generate();
        DtlsSession client = new DtlsSession(certificate, DtlsSession.Role.CLIENT, "sha-256",
                certificate.fingerprintSha256(), (buf, off, len) -> sent.add(Arrays.copyOfRange(buf, off, off + len)),
                new DtlsSession.Listener() {
                    @Override
                    public void onHandshakeComplete(dev.relay.transport.srtp.SrtpKeys keys) {
                    }

                    @Override
                    public void onFailure(String reason, Throwable cause) {
                    }
                });
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            client.start(executor);
            byte[] hello = sent.poll(10, TimeUnit.SECONDS);
            assertTrue(hello != null, "a ClientHello");
            return hello;
        } finally {
            client.close();
            executor.shutdownNow();
        }
    }

    private ChromiumPeer join(String room, String name) throws Exception {
        ChromiumPeer peer = ChromiumPeer.launch(name);
        browsers.add(peer);
        peer.open(Relays.httpBase(relay), room);
        return peer;
    }

    private static void awaitReceiving(ChromiumPeer at, ChromiumPeer from, String fromId) {
        at.awaitStats("more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from " + from.label,
                MEDIA, s -> s.framesDecodedFrom(fromId) > ENOUGH_FRAMES && s.audioPacketsFrom(fromId) > 0);
    }

    private static long dtlsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("dtls-")).count();
    }

    private static String attribute(String sdp, String name) {
        Matcher m = Pattern.compile("a=" + name + ":(\\S+)").matcher(sdp);
        assertTrue(m.find(), "no a=" + name + " in " + sdp);
        return m.group(1);
    }
}
