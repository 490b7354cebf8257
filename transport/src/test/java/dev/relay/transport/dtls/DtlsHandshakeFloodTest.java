package dev.relay.transport.dtls;

import static dev.relay.transport.dtls.DtlsHandshakesTest.await;
import static dev.relay.transport.dtls.DtlsHandshakesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.stun.StunMessageWriter;
import dev.relay.transport.DropCounters;
import dev.relay.transport.MediaServer;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 300 Transports, each with an address a valid ICE check came from and a ClientHello (Chromium's,
 * two fragments), that never continue: over real UDP on loopback through the relay's
 * {@link MediaServer}, with the default caps. The pending peers come from one address or spread
 * over 30 (127.0.1.x: Linux routes all of 127/8 to the loopback interface). Meanwhile a normal
 * peer from 127.0.0.1 (ICE check, then a Bouncy Castle DTLS client) must complete its handshake,
 * and the relay must hold only its bounded pool of threads.
 *
 * <p>The stalled handshakes get a 60 s timeout here, so that they are all still in flight when
 * the normal peer arrives; with 30 addresses the total cap (32) is full and the normal peer gets
 * in by evicting the oldest (the admission clock is moved past the stall limit).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DtlsHandshakeFloodTest {
    private static final int PENDING = 300;
    private static final DtlsCertificate RELAY_CERTIFICATE = DtlsCertificate.createSelfSigned();
    private static final DtlsCertificate PEER_CERTIFICATE = DtlsCertificate.createSelfSigned();

    private final DtlsTestExecutor clients = new DtlsTestExecutor();
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final List<Transport> transports = new ArrayList<>();
    private MediaServer media;
    private DtlsHandshakes handshakes;

    @AfterEach
    void tearDown() throws InterruptedException {
        transports.forEach(Transport::close);
        sockets.forEach(DatagramSocket::close);
        clients.close();
        if (media != null) {
            media.close();
        }
        if (handshakes != null) {
            handshakes.close();
        }
    }

    @ParameterizedTest(name = "pending peers on {0} address(es)")
    @ValueSource(ints = {1, 30})
    void shouldHoldFewThreadsFor300PendingHandshakesAndCompleteANormalOne(int addresses) throws Exception {
        DropCounters drops = new DropCounters();
        TransportRegistry registry = new TransportRegistry(drops);
        media = MediaServer.start("127.0.0.1", 0, 1, registry, drops);
        InetSocketAddress relay = new InetSocketAddress("127.0.0.1", media.port());
        AtomicLong clock = new AtomicLong();
        DtlsHandshakes.Limits limits = DtlsHandshakes.Limits.defaults().withTimeout(Duration.ofSeconds(60));
        handshakes = new DtlsHandshakes(limits, clock::get);
        byte[] fragment1 = resource("chromium156-client-hello-fragment-1.bin");
        byte[] fragment2 = resource("chromium156-client-hello-fragment-2.bin");
        // One ICE check and answer first, so that the I/O thread and Netty's lazy threads exist.
        pendingPeer(registry, relay, new InetSocketAddress("127.0.0.1", 0), null, null).close();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();

        for (int i = 0; i < PENDING; i++) {
            InetSocketAddress from = new InetSocketAddress("127.0.1." + (1 + i % addresses), 0);
            pendingPeer(registry, relay, from, fragment1, fragment2);
        }
        int admitted = Math.min(limits.maxHandshakes(), addresses * limits.maxHandshakesPerAddress());
        DtlsFailure refusal = addresses == 1 ? DtlsFailure.REFUSED_IP_CAP : DtlsFailure.REFUSED_CAP;
        // Each refused peer's two fragments are each refused (and dropped).
        long refusals = 2L * (PENDING - admitted);
        await("every ClientHello admitted or refused",
                () -> handshakes.inFlight() == admitted && handshakes.failures(refusal) == refusals);
        int threadsPending = threads.getThreadCount();

        // A normal peer arrives once the admitted ones have been in flight for the stall limit.
        clock.addAndGet(limits.stallAfter().toNanos());
        NormalPeer normal = new NormalPeer(registry, relay);
        normal.clientListener.awaitKeys();
        normal.serverListener.awaitKeys();
        int threadsAfter = threads.getThreadCount();

        assertTrue(threadsPending - threadsBefore < 60, "threads added: " + (threadsPending - threadsBefore));
        assertTrue(threadsAfter - threadsBefore < 60, "threads added: " + (threadsAfter - threadsBefore));
        assertTrue(handshakes.poolThreads() <= limits.maxHandshakes() + DtlsHandshakes.SPARE_THREADS);
        long evictions = addresses == 1 ? 0 : 1;
        await("at the total cap the normal peer takes the oldest stalled slot, else no eviction",
                () -> handshakes.failures(DtlsFailure.EVICTED) == evictions);
        await("the normal handshake counted", () -> handshakes.completed() == 1);
        System.out.printf("dtls flood (%d address(es)): threads %d before, %d with %d pending (%d in flight, "
                        + "%d refusals), %d after a normal handshake; pool %d threads; evicted %d%n",
                addresses, threadsBefore, threadsPending, PENDING, admitted, refusals, threadsAfter,
                handshakes.poolThreads(), handshakes.failures(DtlsFailure.EVICTED));

        // The participants leave: every handshake stops and gives its slot back.
        transports.forEach(Transport::close);
        await("all slots freed, no pool thread busy", () -> handshakes.inFlight() == 0
                && ((java.util.concurrent.ThreadPoolExecutor) handshakes.executor()).getActiveCount() == 0);
    }

    /**
     * Opens a Transport that knows the peer's fingerprint, sends it a valid ICE check from a new
     * socket at {@code from}, waits for the answer, then sends the ClientHello datagrams given.
     */
    private DatagramSocket pendingPeer(TransportRegistry registry, InetSocketAddress relay, InetSocketAddress from,
                                       byte[]... hello) throws Exception {
        Transport transport = registry.create();
        transports.add(transport);
        transport.startDtls(RELAY_CERTIFICATE, "sha-256", PEER_CERTIFICATE.fingerprintSha256(), handshakes,
                new RecordingListener());
        DatagramSocket socket = new DatagramSocket(from);
        sockets.add(socket);
        iceCheck(socket, relay, transport);
        for (byte[] datagram : hello) {
            if (datagram != null) {
                socket.send(new DatagramPacket(datagram, datagram.length, relay));
            }
        }
        return socket;
    }

    /** A binding request with the Transport's credentials; returns once the success response came back. */
    static void iceCheck(DatagramSocket socket, InetSocketAddress relay, Transport transport) throws Exception {
        byte[] request = new byte[512];
        byte[] transactionId = new byte[12];
        ThreadLocalRandom.current().nextBytes(transactionId);
        int len = new StunMessageWriter().writeBindingRequest(request, 0, transactionId,
                transport.localCredentials().ufrag() + ":peer", transport.ice().integrityKey(), 0x6e7f00ffL, true,
                ThreadLocalRandom.current().nextLong(), true);
        socket.setSoTimeout(5_000);
        socket.send(new DatagramPacket(request, len, relay));
        DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
        socket.receive(response);
        assertEquals(0x0101, ByteBuffer.wrap(response.getData()).getShort() & 0xFFFF, "binding success response");
    }

    /** ICE check, then a Bouncy Castle DTLS client over the same socket, read by its own thread. */
    private final class NormalPeer {
        final RecordingListener serverListener = new RecordingListener();
        final RecordingListener clientListener = new RecordingListener();

        NormalPeer(TransportRegistry registry, InetSocketAddress relay) throws Exception {
            Transport transport = registry.create();
            transports.add(transport);
            transport.startDtls(RELAY_CERTIFICATE, "sha-256", PEER_CERTIFICATE.fingerprintSha256(), handshakes,
                    serverListener);
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            sockets.add(socket);
            iceCheck(socket, relay, transport);
            DtlsSession client = new DtlsSession(PEER_CERTIFICATE, DtlsSession.Role.CLIENT, "sha-256",
                    RELAY_CERTIFICATE.fingerprintSha256(), (buf, off, len) -> send(socket, relay, buf, off, len),
                    clientListener);
            Thread reader = new Thread(() -> {
                DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.setSoTimeout(0);
                    while (!socket.isClosed()) {
                        socket.receive(packet);
                        client.offer(packet.getData(), 0, packet.getLength());
                    }
                } catch (java.io.IOException e) {
                    // The socket closed at the end of the test.
                }
            }, "normal-peer-reader");
            reader.setDaemon(true);
            reader.start();
            client.start(clients.executor);
        }

        private void send(DatagramSocket socket, InetSocketAddress relay, byte[] buf, int off, int len) {
            try {
                socket.send(new DatagramPacket(Arrays.copyOfRange(buf, off, off + len), len, relay));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static {
        // Fail fast with a clear message where 127/8 is not all loopback (not Linux).
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.1.1", 0))) {
            probe.getLocalPort();
        } catch (SocketException e) {
            throw new ExceptionInInitializerError("this test needs to bind 127.0.1.x: " + e);
        }
    }
}
