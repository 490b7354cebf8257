package dev.relay.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DtlsHandshakes} with real Bouncy Castle handshakes in process: server sessions from the
 * pool, clients on a test executor, each side's Sender calling the other's offer. Admission
 * decisions read a fake clock, so eviction is driven by the test; Bouncy Castle's own timers run
 * on real time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DtlsHandshakesTest {
    private static final DtlsCertificate SERVER_CERTIFICATE = DtlsCertificate.createSelfSigned();
    private static final DtlsCertificate CLIENT_CERTIFICATE = DtlsCertificate.createSelfSigned();
    private static final String WRONG_FINGERPRINT = "AB:".repeat(31) + "AB";
    private static final InetSocketAddress PEER_A = new InetSocketAddress("192.0.2.1", 50000);
    private static final InetSocketAddress PEER_B = new InetSocketAddress("192.0.2.2", 50000);
    private static final InetSocketAddress PEER_C = new InetSocketAddress("192.0.2.3", 50000);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DtlsTestExecutor clients = new DtlsTestExecutor();
    private final AtomicLong clock = new AtomicLong();
    private DtlsHandshakes handshakes;

    @AfterEach
    void tearDown() throws InterruptedException {
        clients.close();
        if (handshakes != null) {
            handshakes.close();
            assertTrue(handshakes.awaitTermination(5_000), "pool threads end");
        }
        assertTrue(clients.uncaught.isEmpty(), clients.uncaught::toString);
    }

    private DtlsHandshakes handshakes(DtlsHandshakes.Limits limits) {
        handshakes = new DtlsHandshakes(limits, clock::get);
        return handshakes;
    }

    @Test
    void shouldTakeNoThreadUntilAClientHelloArrivesThenComplete() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults());
        java.util.concurrent.atomic.AtomicLong handshakeNanos = new java.util.concurrent.atomic.AtomicLong(-1);
        pool.onCompleted(handshakeNanos::set);
        LivePair pair = new LivePair(pool, PEER_A, CLIENT_CERTIFICATE.fingerprintSha256());

        byte[] notAHello = {23, (byte) 0xFE, (byte) 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 20,
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
        assertFalse(pair.server.offer(notAHello, 0, notAHello.length), "only a ClientHello is taken before start");
        assertEquals(0, pool.poolThreads());
        assertEquals(0, pool.inFlight());

        pair.start();
        pair.serverListener.awaitKeys();
        pair.clientListener.awaitKeys();
        await("the handshake's slot is freed and counted", () -> pool.inFlight() == 0 && pool.completed() == 1);
        assertTrue(handshakeNanos.get() > 0, "the handshake's time is reported: " + handshakeNanos.get());
        for (DtlsFailure reason : DtlsFailure.values()) {
            assertEquals(0, pool.failures(reason), reason.label());
        }
        assertThrows(IllegalStateException.class, () -> pair.server.start(clients.executor),
                "the pool starts its sessions");
    }

    /**
     * The amplification figure of docs/operations.md: a peer that sends one ClientHello and
     * nothing more, with the default limits. Our flight goes out at 0 s and is resent at 1, 3 and
     * 7 s (RFC 6347 §4.2.4.1 backoff); at 10 s the handshake times out without a fifth copy.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldTimeOutAClientHelloThatNeverContinuesWithBoundedBytesSent() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults());
        List<byte[]> chromium = List.of(resource("chromium156-client-hello-fragment-1.bin"),
                resource("chromium156-client-hello-fragment-2.bin"));
        List<byte[]> bouncyCastle = List.of(bouncyCastleClientHello());
        Silent chromiumPeer = new Silent(pool, PEER_A);
        Silent bcPeer = new Silent(pool, PEER_B);

        chromiumPeer.receive(chromium);
        bcPeer.receive(bouncyCastle);

        assertEquals("DTLS handshake timed out after 10000 ms", chromiumPeer.listener.failed.get(15, TimeUnit.SECONDS));
        assertEquals("DTLS handshake timed out after 10000 ms", bcPeer.listener.failed.get(15, TimeUnit.SECONDS));
        await("both slots freed", () -> pool.inFlight() == 0);
        assertEquals(2, pool.failures(DtlsFailure.TIMEOUT));
        for (Silent peer : List.of(chromiumPeer, bcPeer)) {
            assertEquals(4, peer.flights(), "the first flight and three timer resends, none at the deadline");
            // Four flights and the internal_error alert Bouncy Castle sends when it gives up.
            assertTrue(peer.bytesSent.get() <= 4 * peer.firstFlightBytes() + 64, peer.report());
            System.out.println("dtls amplification: " + peer.report());
        }
    }

    @Test
    void shouldRefuseAClientHelloOverThePerAddressCapAndStillServeOtherAddresses() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults().withMaxHandshakesPerAddress(1));
        byte[] hello = bouncyCastleClientHello();
        Silent first = new Silent(pool, PEER_A);
        Silent second = new Silent(pool, PEER_A);

        first.receive(List.of(hello));
        await("the first handshake answers", () -> first.flights() == 1);
        assertFalse(second.session.offer(hello, 0, hello.length), "refused: its address has a handshake in flight");

        assertEquals(1, pool.failures(DtlsFailure.REFUSED_IP_CAP));
        assertFalse(second.session.hasStarted(), "a refused session waits for a retransmitted ClientHello");
        assertEquals(0, second.bytesSent.get(), "nothing is sent to a refused peer");
        LivePair other = new LivePair(pool, PEER_B, CLIENT_CERTIFICATE.fingerprintSha256());
        other.start();
        other.serverListener.awaitKeys();

        first.session.close();
        await("slots freed", () -> pool.inFlight() == 0);
        // The refused session's peer retransmits, and now there is room.
        assertTrue(second.session.offer(hello, 0, hello.length));
        await("the retried handshake answers", () -> second.flights() == 1);
        second.session.close();
    }

    @Test
    void shouldRefuseAtTheTotalCapThenEvictAStalledHandshakeForANewOne() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults().withMaxHandshakes(2));
        byte[] hello = bouncyCastleClientHello();
        Silent stalledA = new Silent(pool, PEER_A);
        Silent stalledB = new Silent(pool, PEER_B);
        stalledA.receive(List.of(hello));
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        stalledB.receive(List.of(hello));
        await("both answer", () -> stalledA.flights() >= 1 && stalledB.flights() >= 1);

        Silent refused = new Silent(pool, PEER_C);
        assertFalse(refused.session.offer(hello, 0, hello.length));
        assertEquals(1, pool.failures(DtlsFailure.REFUSED_CAP));

        // The oldest has been in flight for the stall limit: a new ClientHello takes its slot.
        clock.addAndGet(DtlsHandshakes.Limits.DEFAULT_STALL_AFTER.toNanos() - Duration.ofSeconds(1).toNanos());
        LivePair fresh = new LivePair(pool, PEER_C, CLIENT_CERTIFICATE.fingerprintSha256());
        fresh.start();
        fresh.serverListener.awaitKeys();

        assertTrue(stalledA.listener.awaitFailure().startsWith("DTLS handshake evicted"),
                stalledA.listener.failed.getNow(null));
        assertFalse(stalledB.listener.failed.isDone(), "the younger one keeps its slot");
        await("evicted handshake counted", () -> pool.failures(DtlsFailure.EVICTED) == 1);
        await("completed handshake counted", () -> pool.completed() == 1);
        stalledB.session.close();
        await("slots freed", () -> pool.inFlight() == 0);
    }

    @Test
    void shouldFailAFingerprintMismatchCleanlyAndCountIt() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults());
        LivePair mismatch = new LivePair(pool, PEER_A, WRONG_FINGERPRINT);
        mismatch.start();

        String reason = mismatch.serverListener.awaitFailure();
        assertTrue(reason.startsWith("remote certificate fingerprint mismatch: expected sha-256 " + WRONG_FINGERPRINT),
                reason);
        await("counted", () -> pool.failures(DtlsFailure.BAD_FINGERPRINT) == 1 && pool.inFlight() == 0);
        mismatch.clientListener.awaitFailure();

        // The pool carries on: the next handshake from the same address completes.
        LivePair next = new LivePair(pool, PEER_A, CLIENT_CERTIFICATE.fingerprintSha256());
        next.start();
        next.serverListener.awaitKeys();
        assertEquals(1, pool.failures(DtlsFailure.BAD_FINGERPRINT));
    }

    @Test
    void shouldCountAFatalAlertFromThePeer() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults());
        // The client expects another server certificate and aborts with bad_certificate.
        LivePair pair = new LivePair(pool, PEER_A, CLIENT_CERTIFICATE.fingerprintSha256(), WRONG_FINGERPRINT);
        pair.start();

        assertTrue(pair.serverListener.awaitFailure().startsWith("peer sent fatal alert"));
        await("counted", () -> pool.failures(DtlsFailure.ALERT) == 1 && pool.inFlight() == 0);
    }

    @Test
    void shouldStopAHandshakeAndFreeEverythingWhenClosed() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults());
        Silent running = new Silent(pool, PEER_A);
        running.receive(List.of(bouncyCastleClientHello()));
        await("handshake waiting for the peer", () -> running.flights() == 1);
        assertEquals(1, pool.inFlight());

        running.session.close();

        await("slot freed and no pool thread busy", () -> pool.inFlight() == 0 && activeThreads(pool) == 0);
        assertFalse(running.listener.failed.isDone(), "closing is not a failure");
        for (DtlsFailure reason : DtlsFailure.values()) {
            assertEquals(0, pool.failures(reason), reason.label());
        }
    }

    @Test
    void shouldTakeAClosedSessionsTaskOffThePoolQueue() throws Exception {
        DtlsHandshakes pool = handshakes(DtlsHandshakes.Limits.defaults().withMaxHandshakes(1));
        // Occupy every pool thread so that the next handshake task has to queue.
        CountDownLatch release = new CountDownLatch(1);
        int threads = 1 + DtlsHandshakes.SPARE_THREADS;
        CountDownLatch busy = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            pool.executor().execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertTrue(busy.await(5, TimeUnit.SECONDS));
        Silent queued = new Silent(pool, PEER_A);
        queued.receive(List.of(bouncyCastleClientHello()));
        assertEquals(1, pool.queuedTasks());
        assertEquals(1, pool.inFlight());

        queued.session.close();

        assertEquals(0, pool.queuedTasks(), "the pool's queue no longer references the session");
        assertEquals(0, pool.inFlight(), "its slot is free at once");
        release.countDown();
        await("blockers done", () -> activeThreads(pool) == 0);
        assertEquals(0, queued.bytesSent.get(), "the handshake never ran");
    }

    private static int activeThreads(DtlsHandshakes pool) {
        return ((java.util.concurrent.ThreadPoolExecutor) pool.executor()).getActiveCount();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(5);
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = DtlsHandshakesTest.class.getResourceAsStream("/dtls/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    /** The first flight of a Bouncy Castle client with this project's settings: one datagram. */
    static byte[] bouncyCastleClientHello() throws Exception {
        BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
        DtlsSession client = new DtlsSession(CLIENT_CERTIFICATE, DtlsSession.Role.CLIENT, "sha-256",
                SERVER_CERTIFICATE.fingerprintSha256(), (buf, off, len) -> sent.add(Arrays.copyOfRange(buf, off, off + len)),
                new RecordingListener());
        try (DtlsTestExecutor executor = new DtlsTestExecutor()) {
            client.start(executor.executor);
            byte[] hello = sent.poll(10, TimeUnit.SECONDS);
            client.close();
            assertTrue(hello != null && DtlsSession.isClientHello(hello, 0, hello.length), "a ClientHello");
            return hello;
        }
    }

    /** True for a datagram that opens our first flight: a ServerHello, fragment offset 0. */
    static boolean startsServerHelloFlight(byte[] datagram) {
        return datagram.length > 25 && (datagram[0] & 0xFF) == 22 && datagram[3] == 0 && datagram[4] == 0
                && datagram[13] == 2 && HandshakeMessages.u24(datagram, 19) == 0;
    }

    /** A peer that sends ClientHello datagrams and then nothing: counts what the server sends it. */
    static final class Silent {
        final RecordingListener listener = new RecordingListener();
        final DtlsSession session;
        final AtomicLong bytesSent = new AtomicLong();
        final AtomicInteger datagramsSent = new AtomicInteger();
        final AtomicInteger flights = new AtomicInteger();
        final AtomicLong firstFlightBytes = new AtomicLong();
        private volatile long bytesReceived;

        Silent(DtlsHandshakes pool, InetSocketAddress from) {
            session = pool.newServerSession(SERVER_CERTIFICATE, "sha-256", CLIENT_CERTIFICATE.fingerprintSha256(),
                    this::sent, listener, () -> from);
        }

        void receive(List<byte[]> datagrams) {
            for (byte[] datagram : datagrams) {
                bytesReceived += datagram.length;
                assertTrue(session.offer(datagram, 0, datagram.length), "ClientHello accepted");
            }
        }

        private void sent(byte[] buf, int off, int len) {
            byte[] datagram = Arrays.copyOfRange(buf, off, off + len);
            if (startsServerHelloFlight(datagram)) {
                flights.incrementAndGet();
            }
            if (flights.get() == 1) {
                firstFlightBytes.addAndGet(len);
            }
            bytesSent.addAndGet(len);
            datagramsSent.incrementAndGet();
        }

        int flights() {
            return flights.get();
        }

        long firstFlightBytes() {
            return firstFlightBytes.get();
        }

        String report() {
            return String.format("ClientHello %d B in, %d B out in %d datagrams (%d flights of %d B), ratio %.1f",
                    bytesReceived, bytesSent.get(), datagramsSent.get(), flights(), firstFlightBytes(),
                    (double) bytesSent.get() / bytesReceived);
        }
    }

    /** A pool server session and a client started on the test executor, wired back to back. */
    final class LivePair {
        final RecordingListener serverListener = new RecordingListener();
        final RecordingListener clientListener = new RecordingListener();
        final DtlsSession server;
        final DtlsSession client;

        LivePair(DtlsHandshakes pool, InetSocketAddress from, String serverExpects) {
            this(pool, from, serverExpects, SERVER_CERTIFICATE.fingerprintSha256());
        }

        LivePair(DtlsHandshakes pool, InetSocketAddress from, String serverExpects, String clientExpects) {
            server = pool.newServerSession(SERVER_CERTIFICATE, "sha-256", serverExpects,
                    (buf, off, len) -> client().offer(Arrays.copyOfRange(buf, off, off + len), 0, len), serverListener,
                    () -> from);
            client = new DtlsSession(CLIENT_CERTIFICATE, DtlsSession.Role.CLIENT, "sha-256", clientExpects,
                    (buf, off, len) -> server.offer(Arrays.copyOfRange(buf, off, off + len), 0, len), clientListener);
        }

        private DtlsSession client() {
            return client;
        }

        void start() {
            client.start(clients.executor);
        }
    }
}
