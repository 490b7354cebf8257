package dev.relay.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chromium 156's real first flight: a 1,413-byte ClientHello offering DTLS 1.3 and 1.2 with an
 * X25519MLKEM768 key share, split over two datagrams (fragments of 1,175 and 238 bytes; see
 * {@code src/test/resources/dtls/README.md}). The server must reassemble it and answer with a
 * DTLS 1.2 ServerHello flight, ignoring the 1.3-only extensions and the post-quantum group.
 */
class ChromiumClientHelloTest {
    private static final int HANDSHAKE_SERVER_HELLO = 2;
    private static final int HANDSHAKE_CERTIFICATE = 11;
    private static final int HANDSHAKE_SERVER_KEY_EXCHANGE = 12;
    private static final int HANDSHAKE_CERTIFICATE_REQUEST = 13;
    private static final int HANDSHAKE_SERVER_HELLO_DONE = 14;
    private static final int DTLS_1_2 = 0xFEFD;
    private static final int TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B;
    private static final int EXT_USE_SRTP = 14;
    private static final int EXT_EXTENDED_MASTER_SECRET = 23;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int EXT_KEY_SHARE = 51;
    private static final int NAMED_CURVE = 3;
    private static final int X25519 = 0x001D;

    /** Chromium's certificate is never checked here: the test ends before its Certificate. */
    private static final String ANY_FINGERPRINT = "00:".repeat(31) + "00";

    static Stream<Arguments> arrivalOrders() throws IOException {
        byte[] first = resource("chromium156-client-hello-fragment-1.bin");
        byte[] second = resource("chromium156-client-hello-fragment-2.bin");
        return Stream.of(
                Arguments.of("in order", List.of(first, second)),
                Arguments.of("reordered", List.of(second, first)),
                Arguments.of("first fragment duplicated", List.of(first, first, second)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrivalOrders")
    void shouldAnswerFragmentedChromiumClientHelloWithDtls12ServerHelloFlight(String name, List<byte[]> datagrams)
            throws Exception {
        BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
        RecordingListener listener = new RecordingListener();
        DtlsCertificate certificate = DtlsCertificate.generate();
        DtlsSession server = new DtlsSession(certificate, DtlsSession.Role.SERVER, "sha-256", ANY_FINGERPRINT,
                (buf, off, len) -> sent.add(Arrays.copyOfRange(buf, off, off + len)), listener);
        try (DtlsTestExecutor executor = new DtlsTestExecutor()) {
            server.start(executor.executor);
            for (byte[] datagram : datagrams) {
                assertTrue(server.offer(datagram, 0, datagram.length));
            }

            List<byte[]> flight = awaitFlight(sent, listener);
            server.close();

            // First datagram: record header then handshake header of the ServerHello.
            byte[] first = flight.get(0);
            assertEquals(HandshakeMessages.CONTENT_TYPE_HANDSHAKE, first[0] & 0xFF, "content type");
            assertEquals(DTLS_1_2, HandshakeMessages.u16(first, 1), "record version");
            assertEquals(HANDSHAKE_SERVER_HELLO, first[HandshakeMessages.RECORD_HEADER_LENGTH] & 0xFF, "msg_type");
            assertEquals(DTLS_1_2, HandshakeMessages.u16(first,
                    HandshakeMessages.RECORD_HEADER_LENGTH + HandshakeMessages.HANDSHAKE_HEADER_LENGTH), "server_version");
            for (byte[] datagram : flight) {
                assertTrue(datagram.length <= QueueDatagramTransport.SEND_LIMIT, "datagram of " + datagram.length);
            }

            HandshakeMessages messages = new HandshakeMessages();
            flight.forEach(messages::add);
            ServerHello hello = ServerHello.parse(messages.first(HANDSHAKE_SERVER_HELLO).body());
            assertEquals(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, hello.cipherSuite);
            // use_srtp: profiles<2> = {0x0007 AEAD_AES_128_GCM}, empty MKI (RFC 5764 §4.1.1).
            assertArrayEquals(new byte[] {0, 2, 0, 7, 0}, hello.extensions.get(EXT_USE_SRTP));
            assertNotNull(hello.extensions.get(EXT_EXTENDED_MASTER_SECRET), "extended_master_secret echoed");
            assertNull(hello.extensions.get(EXT_SUPPORTED_VERSIONS), "no DTLS 1.3 supported_versions");
            assertNull(hello.extensions.get(EXT_KEY_SHARE), "no key_share below 1.3");

            // ECDHE on x25519: the ML-KEM hybrid group Chromium lists first is skipped.
            byte[] keyExchange = messages.first(HANDSHAKE_SERVER_KEY_EXCHANGE).body();
            assertEquals(NAMED_CURVE, keyExchange[0] & 0xFF);
            assertEquals(X25519, HandshakeMessages.u16(keyExchange, 1));

            assertNotNull(messages.first(HANDSHAKE_CERTIFICATE_REQUEST), "client certificate requested");
            byte[] certificateMessage = messages.first(HANDSHAKE_CERTIFICATE).body();
            byte[] der = certificate.encoded();
            // certificate_list<3> { ASN.1Cert<3> }: our one certificate after two length prefixes.
            assertArrayEquals(der, Arrays.copyOfRange(certificateMessage, 6, 6 + der.length));

            assertFalse(listener.failed.isDone(), () -> "server failed: " + listener.failed.getNow(null));
            assertTrue(executor.shutdownAndAwait(5_000), "handshake thread ends after close()");
            assertTrue(executor.uncaught.isEmpty(), executor.uncaught::toString);
        }
    }

    /** Collects what the server sends until its flight ends with ServerHelloDone. */
    private static List<byte[]> awaitFlight(BlockingQueue<byte[]> sent, RecordingListener listener)
            throws InterruptedException {
        List<byte[]> flight = new ArrayList<>();
        HandshakeMessages messages = new HandshakeMessages();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (messages.first(HANDSHAKE_SERVER_HELLO_DONE) == null) {
            byte[] datagram = sent.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (datagram == null) {
                throw new AssertionError("no complete ServerHello flight; server failure: "
                        + listener.failed.getNow(null) + ", datagrams: " + flight.size());
            }
            flight.add(datagram);
            messages.add(datagram);
        }
        return flight;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ChromiumClientHelloTest.class.getResourceAsStream("/dtls/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    /** RFC 5246 §7.4.1.3 ServerHello, as far as the assertions need. */
    private static final class ServerHello {
        int cipherSuite;
        final Map<Integer, byte[]> extensions = new HashMap<>();

        static ServerHello parse(byte[] body) {
            ServerHello hello = new ServerHello();
            int off = 2 + 32; // server_version, random
            off += 1 + (body[off] & 0xFF); // session_id
            hello.cipherSuite = HandshakeMessages.u16(body, off);
            off += 2 + 1; // cipher_suite, compression_method
            int end = off + 2 + HandshakeMessages.u16(body, off);
            off += 2;
            while (off < end) {
                int type = HandshakeMessages.u16(body, off);
                int length = HandshakeMessages.u16(body, off + 2);
                hello.extensions.put(type, Arrays.copyOfRange(body, off + 4, off + 4 + length));
                off += 4 + length;
            }
            return hello;
        }
    }
}
