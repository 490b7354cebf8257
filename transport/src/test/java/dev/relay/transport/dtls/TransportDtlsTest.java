package dev.relay.transport.dtls;

import static dev.relay.transport.dtls.DtlsHandshakeFloodTest.iceCheck;
import static dev.relay.transport.dtls.DtlsHandshakesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.DropCounters;
import dev.relay.transport.DropReason;
import dev.relay.transport.MediaServer;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a Transport's DTLS handshake starts, over real UDP through the relay's {@link MediaServer}:
 * only after a valid ICE check and the peer's fingerprint, whichever comes last.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportDtlsTest {
    private static final DtlsCertificate RELAY_CERTIFICATE = DtlsCertificate.createSelfSigned();
    private static final DtlsCertificate PEER_CERTIFICATE = DtlsCertificate.createSelfSigned();

    private final DropCounters drops = new DropCounters();
    private final TransportRegistry registry = new TransportRegistry(drops);
    private final DtlsHandshakes handshakes = new DtlsHandshakes(DtlsHandshakes.Limits.defaults());
    private MediaServer media;
    private InetSocketAddress relay;
    private DatagramSocket socket;
    private byte[] fragment1;
    private byte[] fragment2;

    @BeforeEach
    void setUp() throws Exception {
        media = MediaServer.start("127.0.0.1", 0, 1, registry, drops);
        relay = new InetSocketAddress("127.0.0.1", media.port());
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        fragment1 = resource("chromium156-client-hello-fragment-1.bin");
        fragment2 = resource("chromium156-client-hello-fragment-2.bin");
    }

    @AfterEach
    void tearDown() {
        socket.close();
        media.close();
        handshakes.close();
    }

    @Test
    void shouldDropAClientHelloFromAnAddressNoIceCheckValidated() throws Exception {
        Transport transport = registry.create();
        transport.startDtls(RELAY_CERTIFICATE, "sha-256", PEER_CERTIFICATE.fingerprintSha256(), handshakes,
                new RecordingListener());

        sendHello();

        DtlsHandshakesTest.await("counted as unvalidated", () -> drops.get(DropReason.UNVALIDATED_ADDRESS) == 2);
        assertEquals(0, handshakes.inFlight());
        assertEquals(0, handshakes.poolThreads(), "no thread for an unvalidated peer");
        transport.close();
    }

    @Test
    void shouldKeepAnEarlyClientHelloUntilTheFingerprintIsKnown() throws Exception {
        Transport transport = registry.create();
        iceCheck(socket, relay, transport);
        sendHello();
        // The one I/O thread reads this socket in order: once a second check is answered, the
        // ClientHello before it has been handled.
        iceCheck(socket, relay, transport);
        assertEquals(0, drops.total(), "queued, not dropped");
        assertFalse(transport.isDtlsStarted());
        assertEquals(0, handshakes.poolThreads());

        transport.startDtls(RELAY_CERTIFICATE, "sha-256", PEER_CERTIFICATE.fingerprintSha256(), handshakes,
                new RecordingListener());

        assertServerHelloArrives();
        transport.close();
        DtlsHandshakesTest.await("slot freed on close", () -> handshakes.inFlight() == 0);
    }

    @Test
    void shouldStayStartableAfterAMalformedFingerprint() throws Exception {
        Transport transport = registry.create();
        iceCheck(socket, relay, transport);

        assertThrows(IllegalArgumentException.class, () -> transport.startDtls(RELAY_CERTIFICATE, "sha-256",
                "AB:CD", handshakes, new RecordingListener()));
        assertFalse(transport.isDtlsStarted());

        transport.startDtls(RELAY_CERTIFICATE, "sha-256", PEER_CERTIFICATE.fingerprintSha256(), handshakes,
                new RecordingListener());
        assertTrue(transport.isDtlsStarted());
        sendHello();
        assertServerHelloArrives();
        transport.close();
    }

    private void sendHello() throws Exception {
        socket.send(new DatagramPacket(fragment1, fragment1.length, relay));
        socket.send(new DatagramPacket(fragment2, fragment2.length, relay));
    }

    private void assertServerHelloArrives() throws Exception {
        socket.setSoTimeout(5_000);
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        while (true) {
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no ServerHello from the relay", e);
            }
            byte[] datagram = Arrays.copyOf(packet.getData(), packet.getLength());
            if (DtlsHandshakesTest.startsServerHelloFlight(datagram)) {
                return;
            }
        }
    }
}
