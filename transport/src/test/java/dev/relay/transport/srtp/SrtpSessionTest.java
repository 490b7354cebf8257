package dev.relay.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known-answer tests against an independent SRTP implementation (a Python script over
 * pyca/cryptography following RFC 3711 §4 and RFC 7714 §8-§9, with the key derivation checked
 * against the RFC 3711 Appendix B.3 vectors and libsrtp's left-aligned 96-bit GCM salt), then
 * the failure contract: every drop returns -1 and is counted by reason.
 */
class SrtpSessionTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 3711 B.3 master key and salt; AEAD_AES_128_GCM uses the first 12 salt bytes. */
    private static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] MASTER_SALT_14 = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");

    /*
     * V=2 X=1 CC=0 PT=111 seq=0x1234 ts=123456 SSRC=0xCAFEBABE, one-byte extension header (0xBEDE,
     * 1 word: id 1, len 1, 0xAB 00 00), payload 00..27.
     */
    private static final byte[] RTP = HEX.parseHex("906f12340001e240cafebabebede000110ab0000"
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627");
    /** V=2 PT=200 (SR) length=6 SSRC=0xCAFEBABE, then 20 bytes 00..13. */
    private static final byte[] RTCP = HEX.parseHex("80c80006cafebabe000102030405060708090a0b0c0d0e0f10111213");

    private static final String SRTP_CM = "906f12340001e240cafebabebede000110ab0000e5ff75e44837d5742f0673b5333b81a6"
            + "8f0181f1a158b29c49be2d2fb372932154c24544a8470ccc50f61509d91dae54dc3c";
    private static final String SRTP_GCM = "906f12340001e240cafebabebede000110ab0000a560a551f147f81ecf7173281339c90d"
            + "a84b7f1153b6bc6f8b8ceb1d9bc2f3608cd0936fe37e79b107b128e30040c11e74792a7b3969e042";
    /** SRTCP index 0 (jitsi-srtp's first), E=1. */
    private static final String SRTCP_CM_0 = "80c80006cafebabe1a368832a7c5c1d645bf2fab59121b9b3f27b0f1"
            + "800000002cc166207d3c79694544";
    private static final String SRTCP_GCM_0 = "80c80006cafebabe86112e2f403b14cc7308d7d599510bc089ae46cb"
            + "ecbbb797165292cfe244ef880d77b40980000000";
    /** SRTCP index 1, as libsrtp sends first. */
    private static final String SRTCP_CM_1 = "80c80006cafebabeda82aaf34b2914111d5a31e15ed1000c6e550139"
            + "80000001323b6a241a6ce15eb70c";
    private static final String SRTCP_GCM_1 = "80c80006cafebabe41c4f71b68f2eb8ca3573f1f39e818ea29764f49"
            + "d1f97b5495798a75f6e5fafabaa32dc780000001";

    static SrtpKeys symmetricKeys(SrtpProfile profile) {
        byte[] salt = Arrays.copyOf(MASTER_SALT_14, profile.saltLength());
        return new SrtpKeys(profile, MASTER_KEY.clone(), salt, MASTER_KEY.clone(), salt.clone());
    }

    static Stream<Arguments> knownAnswers() {
        return Stream.of(
                Arguments.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SRTP_CM, SRTCP_CM_0, SRTCP_CM_1),
                Arguments.of(SrtpProfile.AEAD_AES_128_GCM, SRTP_GCM, SRTCP_GCM_0, SRTCP_GCM_1));
    }

    @ParameterizedTest
    @MethodSource("knownAnswers")
    void shouldProtectRtpToKnownAnswer(SrtpProfile profile, String srtp, String srtcp0, String srtcp1) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] buf = withRoom(RTP, 3, SrtpSession.MAX_RTP_OVERHEAD);

        int len = session.protectRtp(buf, 3, RTP.length);

        assertEquals(srtp, HEX.formatHex(buf, 3, 3 + len));
    }

    @ParameterizedTest
    @MethodSource("knownAnswers")
    void shouldUnprotectKnownSrtp(SrtpProfile profile, String srtp, String srtcp0, String srtcp1) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] wire = HEX.parseHex(srtp);

        int len = session.unprotectRtp(wire, 0, wire.length);

        assertArrayEquals(RTP, Arrays.copyOf(wire, len));
    }

    @ParameterizedTest
    @MethodSource("knownAnswers")
    void shouldProtectRtcpToKnownAnswer(SrtpProfile profile, String srtp, String srtcp0, String srtcp1) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] buf = withRoom(RTCP, 0, SrtpSession.MAX_RTCP_OVERHEAD);

        int len = session.protectRtcp(buf, 0, RTCP.length);

        assertEquals(srtcp0, HEX.formatHex(buf, 0, len));
    }

    @ParameterizedTest
    @MethodSource("knownAnswers")
    void shouldUnprotectKnownSrtcp(SrtpProfile profile, String srtp, String srtcp0, String srtcp1) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] wire = withRoom(HEX.parseHex(srtcp1), 5, 0);

        int len = session.unprotectRtcp(wire, 5, wire.length - 5);

        assertArrayEquals(RTCP, Arrays.copyOfRange(wire, 5, 5 + len));
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldCountTamperedPacketAsAuthFailure(SrtpProfile profile) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] wire = HEX.parseHex(profile == SrtpProfile.AEAD_AES_128_GCM ? SRTP_GCM : SRTP_CM);
        wire[30] ^= 1;

        assertEquals(-1, session.unprotectRtp(wire, 0, wire.length));
        assertEquals(1, session.authFailures());
        assertEquals(0, session.replayFailures());
        assertEquals(0, session.otherFailures());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldCountTamperedRtcpAsAuthFailure(SrtpProfile profile) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] wire = HEX.parseHex(profile == SrtpProfile.AEAD_AES_128_GCM ? SRTCP_GCM_1 : SRTCP_CM_1);
        wire[10] ^= 0x40;

        assertEquals(-1, session.unprotectRtcp(wire, 0, wire.length));
        assertEquals(1, session.authFailures());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldCountReplayedPacket(SrtpProfile profile) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] first = HEX.parseHex(profile == SrtpProfile.AEAD_AES_128_GCM ? SRTP_GCM : SRTP_CM);
        byte[] again = first.clone();

        assertEquals(RTP.length, session.unprotectRtp(first, 0, first.length));
        assertEquals(-1, session.unprotectRtp(again, 0, again.length));
        assertEquals(1, session.replayFailures());
        assertEquals(0, session.authFailures());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldRoundTripManySequenceNumbersAcrossRollover(SrtpProfile profile) {
        SrtpSession sender = new SrtpSession(symmetricKeys(profile));
        SrtpSession receiver = new SrtpSession(symmetricKeys(profile));
        byte[] buf = new byte[RTP.length + SrtpSession.MAX_RTP_OVERHEAD];
        for (int i = 0; i < 300; i++) {
            int seq = (65_400 + i) & 0xFFFF;
            System.arraycopy(RTP, 0, buf, 0, RTP.length);
            buf[2] = (byte) (seq >> 8);
            buf[3] = (byte) seq;
            int protectedLen = sender.protectRtp(buf, 0, RTP.length);
            assertEquals(RTP.length + profile.authTagLength(), protectedLen);
            assertEquals(RTP.length, receiver.unprotectRtp(buf, 0, protectedLen), "seq " + seq);
            assertArrayEquals(Arrays.copyOfRange(RTP, 4, RTP.length), Arrays.copyOfRange(buf, 4, RTP.length));
        }
        assertEquals(0, receiver.authFailures() + receiver.replayFailures() + receiver.otherFailures());
    }

    /**
     * The stream's first packets were lost (they came before the DTLS keys) and its sequence
     * number wrapped meanwhile: the first packet we can decrypt is in rollover 1. Guessing ROC 0
     * alone would fail this packet and every later one (the whole stream).
     */
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldDecryptAStreamThatWrappedBeforeItsFirstPacketArrived(SrtpProfile profile) {
        SrtpSession sender = new SrtpSession(symmetricKeys(profile));
        SrtpSession receiver = new SrtpSession(symmetricKeys(profile));
        byte[] buf = new byte[RTP.length + SrtpSession.MAX_RTP_OVERHEAD];
        int received = 0;
        for (int i = 0; i < 40; i++) {
            int seq = (65_520 + i) & 0xFFFF;
            System.arraycopy(RTP, 0, buf, 0, RTP.length);
            buf[2] = (byte) (seq >> 8);
            buf[3] = (byte) seq;
            int protectedLen = sender.protectRtp(buf, 0, RTP.length);
            if (i < 30) {
                continue; // lost before the keys: 65520 .. 65535, 0 .. 13
            }
            assertEquals(RTP.length, receiver.unprotectRtp(buf, 0, protectedLen), "seq " + seq);
            assertArrayEquals(Arrays.copyOfRange(RTP, 4, RTP.length), Arrays.copyOfRange(buf, 4, RTP.length));
            received++;
        }
        assertEquals(10, received);
        assertEquals(0, receiver.authFailures() + receiver.replayFailures() + receiver.otherFailures(),
                "the wrong first guess is not counted as a failure");
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldRefuseToReuseAnSrtpIndexWhenSending(SrtpProfile profile) {
        SrtpSession session = new SrtpSession(symmetricKeys(profile));
        byte[] first = withRoom(RTP, 0, SrtpSession.MAX_RTP_OVERHEAD);
        byte[] again = first.clone();

        assertEquals(RTP.length + profile.authTagLength(), session.protectRtp(first, 0, RTP.length));
        assertEquals(-1, session.protectRtp(again, 0, RTP.length));
        assertEquals(1, session.replayFailures());
    }

    static Stream<Arguments> malformedRtp() {
        return Stream.of(
                Arguments.of("shorter than the fixed header", HEX.parseHex("906f1234")),
                Arguments.of("version 1", HEX.parseHex("506f12340001e240cafebabe00010203")),
                Arguments.of("CSRC count beyond the packet", HEX.parseHex("8f6f12340001e240cafebabe00010203")),
                Arguments.of("extension length beyond the packet", HEX.parseHex("906f12340001e240cafebabebede00ff00")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRtp")
    void shouldRejectMalformedRtpOnProtect(String name, byte[] packet) {
        SrtpSession session = new SrtpSession(symmetricKeys(SrtpProfile.AEAD_AES_128_GCM));
        byte[] buf = withRoom(packet, 0, SrtpSession.MAX_RTP_OVERHEAD);

        assertEquals(-1, session.protectRtp(buf, 0, packet.length));
        assertEquals(1, session.otherFailures());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRtp")
    void shouldRejectMalformedSrtpOnUnprotect(String name, byte[] packet) {
        SrtpSession session = new SrtpSession(symmetricKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80));

        assertEquals(-1, session.unprotectRtp(packet, 0, packet.length));
        assertEquals(1, session.authFailures() + session.otherFailures());
    }

    @Test
    void shouldRefuseToProtectWithoutRoomForTheTag() {
        SrtpSession session = new SrtpSession(symmetricKeys(SrtpProfile.AEAD_AES_128_GCM));
        byte[] buf = withRoom(RTP, 0, SrtpSession.MAX_RTP_OVERHEAD - 1);
        byte[] before = buf.clone();

        assertEquals(-1, session.protectRtp(buf, 0, RTP.length));
        assertEquals(1, session.otherFailures());
        assertArrayEquals(before, buf);
    }

    @Test
    void shouldRefuseToProtectRtcpWithoutRoomForIndexAndTag() {
        SrtpSession session = new SrtpSession(symmetricKeys(SrtpProfile.AEAD_AES_128_GCM));
        byte[] buf = withRoom(RTCP, 0, SrtpSession.MAX_RTCP_OVERHEAD - 1);

        assertEquals(-1, session.protectRtcp(buf, 0, RTCP.length));
        assertEquals(1, session.otherFailures());
    }

    @Test
    void shouldNotKeepContextsForSsrcsThatNeverAuthenticated() {
        SrtpSession session = new SrtpSession(symmetricKeys(SrtpProfile.AEAD_AES_128_GCM));
        byte[] junk = HEX.parseHex(SRTP_GCM);
        for (int i = 0; i < SrtpSession.MAX_RECEIVE_SSRCS + 10; i++) {
            byte[] copy = junk.clone();
            copy[8] = (byte) i;
            copy[9] = (byte) (i >> 8);
            assertEquals(-1, session.unprotectRtp(copy, 0, copy.length));
        }
        assertEquals(SrtpSession.MAX_RECEIVE_SSRCS + 10, session.authFailures());

        // The genuine stream still gets a context: junk did not fill the table.
        byte[] genuine = HEX.parseHex(SRTP_GCM);
        assertEquals(RTP.length, session.unprotectRtp(genuine, 0, genuine.length));
    }

    @Test
    void shouldUseDifferentKeysPerDirection() {
        SrtpKeys a = new SrtpKeys(SrtpProfile.AEAD_AES_128_GCM, bytes(16, 1), bytes(12, 2), bytes(16, 3), bytes(12, 4));
        SrtpKeys b = new SrtpKeys(SrtpProfile.AEAD_AES_128_GCM, bytes(16, 3), bytes(12, 4), bytes(16, 1), bytes(12, 2));
        SrtpSession sideA = new SrtpSession(a);
        SrtpSession sideB = new SrtpSession(b);
        byte[] buf = withRoom(RTP, 0, SrtpSession.MAX_RTP_OVERHEAD);

        int len = sideA.protectRtp(buf, 0, RTP.length);
        byte[] copy = buf.clone();
        assertEquals(-1, sideA.unprotectRtp(copy, 0, len), "own keys must not open what we sent");
        assertEquals(RTP.length, sideB.unprotectRtp(buf, 0, len));
        assertArrayEquals(RTP, Arrays.copyOf(buf, RTP.length));
    }

    @Test
    void shouldNeverUseBouncyCastleAes() {
        new SrtpSession(symmetricKeys(SrtpProfile.AEAD_AES_128_GCM));
        assertNotEquals("BC", SrtpSession.aesProvider());
        assertEquals(-1, SrtpSession.aesProvider().indexOf("BC"), SrtpSession.aesProvider());
    }

    private static byte[] withRoom(byte[] packet, int off, int room) {
        byte[] buf = new byte[off + packet.length + room];
        System.arraycopy(packet, 0, buf, off, packet.length);
        return buf;
    }

    private static byte[] bytes(int length, int fill) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) fill);
        return out;
    }

    @Test
    void shouldWarmUpEveryProfileAndNameTheAesProvider() {
        String provider = SrtpSession.warmUp();
        assertTrue(provider.contains("JitsiOpenSslProvider") || provider.contains("SunJCE"), provider);
    }
}
