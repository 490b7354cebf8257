package dev.relay.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpProfile;
import dev.relay.transport.srtp.SrtpSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client and a server {@link DtlsSession} wired back to back in process (each Sender calls the
 * other side's offer), with real certificates and fingerprint checks.
 */
class DtlsSessionTest {
    private static final DtlsCertificate SERVER_CERTIFICATE = DtlsCertificate.createSelfSigned();
    private static final DtlsCertificate CLIENT_CERTIFICATE = DtlsCertificate.createSelfSigned();
    private static final String WRONG_FINGERPRINT = "AB:".repeat(31) + "AB";

    private static final byte[] RTP = hex("806f12340001e240cafebabe" + "00112233445566778899aabbccddeeff0123456789");
    private static final byte[] RTCP = hex("80c80006cafebabe" + "000102030405060708090a0b0c0d0e0f10111213");

    private final DtlsTestExecutor executor = new DtlsTestExecutor();

    @AfterEach
    void tearDown() {
        executor.close();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldDeriveMatchingKeysAndCarryMediaForEachProfile(SrtpProfile profile) throws Exception {
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, List.of(profile));
        pair.start();

        SrtpKeys serverKeys = pair.serverListener.awaitKeys();
        SrtpKeys clientKeys = pair.clientListener.awaitKeys();

        assertEquals(profile, serverKeys.profile());
        assertEquals(profile, clientKeys.profile());
        assertArrayEquals(clientKeys.localKey(), serverKeys.remoteKey());
        assertArrayEquals(clientKeys.localSalt(), serverKeys.remoteSalt());
        assertArrayEquals(serverKeys.localKey(), clientKeys.remoteKey());
        assertArrayEquals(serverKeys.localSalt(), clientKeys.remoteSalt());
        assertFalse(Arrays.equals(serverKeys.localKey(), serverKeys.remoteKey()), "directions use different keys");
        assertTrue(pair.server.isEstablished());
        assertTrue(pair.client.isEstablished());
        assertEquals(profile, pair.server.selectedProfile());
        assertTrue(pair.server.handshakeNanos() > 0);

        SrtpSession serverSrtp = new SrtpSession(serverKeys);
        SrtpSession clientSrtp = new SrtpSession(clientKeys);
        assertRoundTrip(serverSrtp, clientSrtp);
        assertRoundTrip(clientSrtp, serverSrtp);

        byte[] tampered = withRoom(RTP, SrtpSession.MAX_RTP_OVERHEAD);
        tampered[3]++; // next sequence number: the sender refuses to reuse an SRTP index
        int len = serverSrtp.protectRtp(tampered, 0, RTP.length);
        tampered[len - 1] ^= 0x01;
        assertEquals(-1, clientSrtp.unprotectRtp(tampered, 0, len));
        assertEquals(1, clientSrtp.authFailures());

        pair.assertNoThreadDied();
    }

    @Test
    void shouldPreferGcmEvenWhenTheClientListsCmFirst() throws Exception {
        // Chromium's order: AES128_CM_HMAC_SHA1_80 before AEAD_AES_128_GCM.
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE,
                List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM));
        pair.start();

        assertEquals(SrtpProfile.AEAD_AES_128_GCM, pair.serverListener.awaitKeys().profile());
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, pair.clientListener.awaitKeys().profile());
    }

    @Test
    void shouldFailWithClearReasonWhenServerCertificateDoesNotMatchFingerprint() throws Exception {
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE,
                CLIENT_CERTIFICATE.fingerprintSha256(), WRONG_FINGERPRINT);
        pair.start();

        String reason = pair.clientListener.awaitFailure();
        assertTrue(reason.startsWith("remote certificate fingerprint mismatch: expected sha-256 " + WRONG_FINGERPRINT
                + ", got " + SERVER_CERTIFICATE.fingerprintSha256()), reason);
        assertTrue(pair.serverListener.awaitFailure().contains("bad_certificate"));
        assertFalse(pair.clientListener.completed.isDone());
        assertFalse(pair.server.isEstablished());
        pair.assertNoThreadDied();
    }

    @Test
    void shouldFailWithClearReasonWhenClientCertificateDoesNotMatchFingerprint() throws Exception {
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE,
                WRONG_FINGERPRINT, SERVER_CERTIFICATE.fingerprintSha256());
        pair.start();

        String reason = pair.serverListener.awaitFailure();
        assertTrue(reason.contains("remote certificate fingerprint mismatch"), reason);
        assertTrue(reason.contains("got " + CLIENT_CERTIFICATE.fingerprintSha256()), reason);
        assertTrue(pair.clientListener.awaitFailure().startsWith("peer sent fatal alert"));
        assertFalse(pair.serverListener.completed.isDone());
        pair.assertNoThreadDied();
    }

    @Test
    void shouldFailWhenThereIsNoCommonSrtpProfile() throws Exception {
        Pair pair = new Pair(List.of(SrtpProfile.AEAD_AES_128_GCM), List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80));
        pair.start();

        String reason = pair.serverListener.awaitFailure();
        assertEquals("no common SRTP protection profile; peer offered [AES_CM_128_HMAC_SHA1_80]", reason);
        pair.clientListener.awaitFailure();
    }

    /**
     * Datagrams the RFC 7983 demux hands to DTLS (first byte 20..63) that are not part of the
     * handshake: each is offered to the server before every real client datagram. The record
     * layer must discard them and the handshake complete.
     */
    @Test
    void shouldCompleteHandshakeDespiteJunkDatagrams() throws Exception {
        Random random = new Random(7983);
        List<byte[]> junk = new ArrayList<>();
        junk.add(randomDatagram(random, 0x2F, 100)); // DTLS 1.3 unified header, never accepted here
        junk.add(randomDatagram(random, 0x3F, 1));
        junk.add(record(22, 0xFEFD, 0, 0x4000, new byte[20])); // length beyond the datagram
        junk.add(record(22, 0x0303, 0, 20, new byte[20])); // a TLS (not DTLS) version
        junk.add(record(23, 0xFEFD, 1, 40, randomBytes(random, 40))); // application data, no keys
        junk.add(record(22, 0xFEFD, 5, 30, randomBytes(random, 30))); // unknown epoch
        junk.add(new byte[2000]); // larger than any datagram: refused by offer
        junk.add(new byte[0]);

        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE);
        pair.junkBeforeEachClientDatagram = junk;
        pair.start();

        SrtpKeys serverKeys = pair.serverListener.awaitKeys();
        assertArrayEquals(serverKeys.localKey(), pair.clientListener.awaitKeys().remoteKey());
        assertTrue(pair.junkOffered.get() > 0);
        pair.assertNoThreadDied();
    }

    /**
     * Junk that is a well-formed epoch-0 record can derail DTLS 1.2 itself, since nothing in epoch
     * 0 is authenticated: a record sequence number far ahead moves the replay window past the
     * client's records (RFC 6347 §4.1.2.6), a conflicting ClientHello fragment for message_seq 0
     * blocks reassembly, a plaintext fatal alert aborts. Then the session must fail cleanly, once,
     * with a reason, inside its handshake timeout, and its thread must end.
     */
    @Test
    void shouldEndCleanlyWhenJunkLooksLikeHandshake() throws Exception {
        List<byte[]> junk = List.of(
                record(22, 0xFEFD, 0, 3, new byte[] {1, 0, 0}), // handshake header cut short, seq 99
                record(22, 0xFEFF, 0, 24, hex("01" + "001388" + "0000" + "000000" + "00000c" + "00".repeat(12))),
                record(21, 0xFEFD, 0, 2, new byte[] {2, 40})); // fatal handshake_failure, plaintext
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE,
                CLIENT_CERTIFICATE.fingerprintSha256(), SERVER_CERTIFICATE.fingerprintSha256(), 2_000);
        pair.junkBeforeEachClientDatagram = junk;
        pair.start();

        // Either outcome is acceptable; hanging or dying silently is not.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!pair.serverListener.completed.isDone() && !pair.serverListener.failed.isDone()) {
            assertTrue(System.nanoTime() < deadline, "server neither completed nor failed");
            Thread.sleep(10);
        }
        if (pair.serverListener.failed.isDone()) {
            assertNotNull(pair.serverListener.failed.get());
            assertEquals(1, pair.serverListener.terminalCallbacks.get());
        }
        pair.server.close();
        pair.client.close();
        assertTrue(executor.shutdownAndAwait(5_000), "handshake threads end");
        pair.assertNoThreadDied();
    }

    /**
     * The server's last flight (ChangeCipherSpec + Finished) is lost once: the client retransmits
     * its flight (RFC 6347 §4.2.4), and the already established server must answer it with its
     * last flight again, from a post-handshake read.
     */
    @Test
    void shouldResendFinalFlightWhenThePeerRetransmits() throws Exception {
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE);
        AtomicInteger dropped = new AtomicInteger();
        pair.dropServerToClient = datagram -> isFinalFlight(datagram) && dropped.getAndIncrement() < 2;
        pair.start();

        SrtpKeys serverKeys = pair.serverListener.awaitKeys();
        SrtpKeys clientKeys = pair.clientListener.awaitKeys();
        assertTrue(dropped.get() >= 2, "final flight was dropped");
        assertArrayEquals(serverKeys.localKey(), clientKeys.remoteKey());
        pair.assertNoThreadDied();
    }

    @Test
    void shouldTellServerWhenClientClosesWithCloseNotify() throws Exception {
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE);
        pair.start();
        pair.serverListener.awaitKeys();
        pair.clientListener.awaitKeys();

        pair.client.close();

        pair.serverListener.closedByPeer.get(5, TimeUnit.SECONDS);
        assertFalse(pair.server.isEstablished());
        assertFalse(pair.client.isEstablished());
        assertFalse(pair.clientListener.failed.isDone(), "no callback after our own close()");
        assertEquals(1, pair.serverListener.terminalCallbacks.get());
        assertFalse(pair.server.offer(RTP, 0, RTP.length));
        pair.assertNoThreadDied();
    }

    @Test
    void shouldStopHandshakeThreadOnCloseWithoutCallbacks() throws Exception {
        RecordingListener listener = new RecordingListener();
        DtlsSession server = new DtlsSession(SERVER_CERTIFICATE, DtlsSession.Role.SERVER, "sha-256",
                CLIENT_CERTIFICATE.fingerprintSha256(), (buf, off, len) -> { }, listener);
        server.start(executor.executor);
        Thread.sleep(50);

        server.close();

        assertTrue(executor.shutdownAndAwait(2_000), "handshake thread ended promptly");
        assertFalse(listener.failed.isDone());
        assertFalse(listener.completed.isDone());
        assertTrue(executor.uncaught.isEmpty(), executor.uncaught::toString);
    }

    @Test
    void shouldFailWhenHandshakeTimesOut() throws Exception {
        RecordingListener listener = new RecordingListener();
        DtlsSession client = new DtlsSession(CLIENT_CERTIFICATE, DtlsSession.Role.CLIENT, "sha-256",
                SERVER_CERTIFICATE.fingerprintSha256(), (buf, off, len) -> { }, listener,
                SrtpProfile.DEFAULT_PREFERENCE, 300);
        client.start(executor.executor);

        assertEquals("DTLS handshake timed out after 300 ms", listener.awaitFailure());
        assertEquals(1, listener.terminalCallbacks.get());
    }

    @Test
    void shouldDropDatagramsWhenQueueIsFull() {
        DtlsSession server = new DtlsSession(SERVER_CERTIFICATE, DtlsSession.Role.SERVER, "sha-256",
                CLIENT_CERTIFICATE.fingerprintSha256(), (buf, off, len) -> { }, new RecordingListener());
        byte[] datagram = new byte[100];
        for (int i = 0; i < QueueDatagramTransport.QUEUE_CAPACITY; i++) {
            assertTrue(server.offer(datagram, 0, datagram.length));
        }
        assertFalse(server.offer(datagram, 0, datagram.length));
        server.close();
        assertFalse(server.offer(datagram, 0, 10));
    }

    @Test
    void shouldRejectMalformedFingerprintAtConstruction() {
        RecordingListener listener = new RecordingListener();
        assertThrows(IllegalArgumentException.class, () -> new DtlsSession(SERVER_CERTIFICATE, DtlsSession.Role.SERVER,
                "sha-256", "AB:CD", (buf, off, len) -> { }, listener));
        assertThrows(IllegalArgumentException.class, () -> new DtlsSession(SERVER_CERTIFICATE, DtlsSession.Role.SERVER,
                "md5", "AB:CD", (buf, off, len) -> { }, listener));
        assertThrows(IllegalArgumentException.class, () -> new DtlsSession(SERVER_CERTIFICATE, DtlsSession.Role.SERVER,
                "sha-256", "ZZ:".repeat(31) + "ZZ", (buf, off, len) -> { }, listener));
    }

    @Test
    void shouldAcceptLowerCaseFingerprintWithoutColons() throws Exception {
        String lower = SERVER_CERTIFICATE.fingerprintSha256().replace(":", "").toLowerCase();
        Pair pair = new Pair(SrtpProfile.DEFAULT_PREFERENCE, SrtpProfile.DEFAULT_PREFERENCE,
                CLIENT_CERTIFICATE.fingerprintSha256(), lower);
        pair.start();

        pair.clientListener.awaitKeys();
    }

    private static void assertRoundTrip(SrtpSession sender, SrtpSession receiver) {
        byte[] rtp = withRoom(RTP, SrtpSession.MAX_RTP_OVERHEAD);
        int protectedRtp = sender.protectRtp(rtp, 0, RTP.length);
        assertTrue(protectedRtp > RTP.length);
        assertFalse(Arrays.equals(RTP, Arrays.copyOf(rtp, RTP.length)), "payload encrypted");
        assertEquals(RTP.length, receiver.unprotectRtp(rtp, 0, protectedRtp));
        assertArrayEquals(RTP, Arrays.copyOf(rtp, RTP.length));

        byte[] rtcp = withRoom(RTCP, SrtpSession.MAX_RTCP_OVERHEAD);
        int protectedRtcp = sender.protectRtcp(rtcp, 0, RTCP.length);
        assertTrue(protectedRtcp > RTCP.length);
        assertEquals(RTCP.length, receiver.unprotectRtcp(rtcp, 0, protectedRtcp));
        assertArrayEquals(RTCP, Arrays.copyOf(rtcp, RTCP.length));
    }

    /** Server datagrams of its last flight: ChangeCipherSpec, or a handshake record in epoch 1. */
    private static boolean isFinalFlight(byte[] datagram) {
        int type = datagram[0] & 0xFF;
        int epoch = HandshakeMessages.u16(datagram, 3);
        return type == 20 || (type == 22 && epoch != 0);
    }

    private static byte[] record(int contentType, int version, int epoch, int declaredLength, byte[] fragment) {
        byte[] out = new byte[HandshakeMessages.RECORD_HEADER_LENGTH + fragment.length];
        out[0] = (byte) contentType;
        out[1] = (byte) (version >> 8);
        out[2] = (byte) version;
        out[3] = (byte) (epoch >> 8);
        out[4] = (byte) epoch;
        out[10] = 99; // record sequence number
        out[11] = (byte) (declaredLength >> 8);
        out[12] = (byte) declaredLength;
        System.arraycopy(fragment, 0, out, HandshakeMessages.RECORD_HEADER_LENGTH, fragment.length);
        return out;
    }

    private static byte[] randomDatagram(Random random, int firstByte, int length) {
        byte[] out = randomBytes(random, length);
        out[0] = (byte) firstByte;
        return out;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }

    private static byte[] withRoom(byte[] packet, int room) {
        return Arrays.copyOf(packet, packet.length + room);
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** Two sessions wired back to back through their Senders. */
    private final class Pair {
        final RecordingListener serverListener = new RecordingListener();
        final RecordingListener clientListener = new RecordingListener();
        final DtlsSession server;
        final DtlsSession client;
        final AtomicInteger junkOffered = new AtomicInteger();
        volatile List<byte[]> junkBeforeEachClientDatagram = List.of();
        volatile Predicate<byte[]> dropServerToClient = datagram -> false;

        Pair(List<SrtpProfile> serverProfiles, List<SrtpProfile> clientProfiles) {
            this(serverProfiles, clientProfiles, CLIENT_CERTIFICATE.fingerprintSha256(),
                    SERVER_CERTIFICATE.fingerprintSha256());
        }

        Pair(List<SrtpProfile> serverProfiles, List<SrtpProfile> clientProfiles,
             String serverExpects, String clientExpects) {
            this(serverProfiles, clientProfiles, serverExpects, clientExpects,
                    DtlsSession.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS);
        }

        Pair(List<SrtpProfile> serverProfiles, List<SrtpProfile> clientProfiles,
             String serverExpects, String clientExpects, int timeoutMillis) {
            server = new DtlsSession(SERVER_CERTIFICATE, DtlsSession.Role.SERVER, "sha-256", serverExpects,
                    this::serverToClient, serverListener, serverProfiles, timeoutMillis);
            client = new DtlsSession(CLIENT_CERTIFICATE, DtlsSession.Role.CLIENT, "sha-256", clientExpects,
                    this::clientToServer, clientListener, clientProfiles, timeoutMillis);
        }

        void start() {
            server.start(executor.executor);
            client.start(executor.executor);
        }

        private void serverToClient(byte[] buf, int off, int len) {
            byte[] datagram = Arrays.copyOfRange(buf, off, off + len);
            if (!dropServerToClient.test(datagram)) {
                client.offer(datagram, 0, len);
            }
        }

        private void clientToServer(byte[] buf, int off, int len) {
            for (byte[] junk : junkBeforeEachClientDatagram) {
                server.offer(junk, 0, junk.length);
                junkOffered.incrementAndGet();
            }
            server.offer(buf, off, len);
        }

        void assertNoThreadDied() {
            assertTrue(executor.uncaught.isEmpty(), executor.uncaught::toString);
        }
    }
}
