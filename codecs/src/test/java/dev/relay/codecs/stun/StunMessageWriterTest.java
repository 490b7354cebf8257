package dev.relay.codecs.stun;

import static dev.relay.codecs.stun.StunVectors.CHROMIUM_OFFERER_PASSWORD;
import static dev.relay.codecs.stun.StunVectors.CHROMIUM_REQUEST;
import static dev.relay.codecs.stun.StunVectors.CHROMIUM_SUCCESS;
import static dev.relay.codecs.stun.StunVectors.RFC5769_IPV4_RESPONSE;
import static dev.relay.codecs.stun.StunVectors.RFC5769_IPV6_RESPONSE;
import static dev.relay.codecs.stun.StunVectors.RFC5769_PASSWORD;
import static dev.relay.codecs.stun.StunVectors.RFC5769_REQUEST;
import static dev.relay.codecs.stun.StunVectors.RFC5769_TRANSACTION_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StunMessageWriterTest
{
    private static final byte[] LOCALHOST = {127, 0, 0, 1};
    private static final byte[] RFC5769_IPV4 = {(byte)192, 0, 2, 1};
    private static final byte[] RFC5769_IPV6 = Hex.bytes("20 01 0d b8 12 34 56 78 00 11 22 33 44 55 66 77");

    /**
     * RFC 5769 §2.1's request as this writer lays it out: no SOFTWARE, zero padding, Chromium's
     * attribute order. MESSAGE-INTEGRITY and FINGERPRINT were computed independently with
     * Python's hmac and zlib.crc32.
     */
    static final byte[] WRITTEN_REQUEST = Hex.bytes("""
        00 01 00 44   # Binding request, length 68
        21 12 a4 42   # magic cookie
        b7 e7 a7 01 bc 34 d6 86 fa 87 df ae   # transaction id of RFC 5769
        00 06 00 09   # USERNAME
        65 76 74 6a 3a 68 36 76 59 00 00 00   #   "evtj:h6vY", zero padding
        80 29 00 08   # ICE-CONTROLLED
        93 2f f9 b1 51 26 3b 36   #   tie-breaker
        00 24 00 04   # PRIORITY
        6e 00 01 ff
        00 08 00 14   # MESSAGE-INTEGRITY
        4e 2f 7e cd ee 22 f4 05 f1 9c 95 e5 2c 7d 6a ae ed a9 18 60
        80 28 00 04   # FINGERPRINT
        a7 37 06 7d
        """);

    private final StunMessageWriter writer = new StunMessageWriter();
    private final StunMessage msg = new StunMessage();

    @Test
    void shouldReproduceChromiumBindingSuccessByteForByte()
    {
        assertTrue(msg.wrap(CHROMIUM_REQUEST, 0, CHROMIUM_REQUEST.length));
        final byte[] dst = new byte[128];

        final int length = writer.writeBindingSuccess(
            dst, 0, msg.buffer(), msg.transactionIdOffset(), LOCALHOST, 51628, CHROMIUM_OFFERER_PASSWORD);

        assertEquals(64, length);
        assertArrayEquals(CHROMIUM_SUCCESS, Arrays.copyOf(dst, length));
    }

    @Test
    void shouldWriteRfc5769Ipv4XorMappedAddress()
    {
        final byte[] dst = new byte[64];

        final int length = writer.writeBindingSuccess(
            dst, 0, RFC5769_TRANSACTION_ID, 0, RFC5769_IPV4, 32853, RFC5769_PASSWORD);

        assertEquals(64, length);
        assertTrue(msg.wrap(dst, 0, length));
        assertArrayEquals(xorMappedAddressValue(RFC5769_IPV4_RESPONSE), xorMappedAddressValue(dst));
        assertEquals(32853, msg.mappedPort());
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldWriteRfc5769Ipv6XorMappedAddress()
    {
        final byte[] dst = new byte[80];

        final int length = writer.writeBindingSuccess(
            dst, 0, RFC5769_TRANSACTION_ID, 0, RFC5769_IPV6, 32853, RFC5769_PASSWORD);

        assertEquals(76, length);
        assertTrue(msg.wrap(dst, 0, length));
        assertArrayEquals(xorMappedAddressValue(RFC5769_IPV6_RESPONSE), xorMappedAddressValue(dst));
        final byte[] address = new byte[16];
        assertEquals(16, msg.mappedAddress(address, 0));
        assertArrayEquals(RFC5769_IPV6, address);
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldAnswerInPlaceOverRequest()
    {
        final byte[] buf = Arrays.copyOf(CHROMIUM_REQUEST, 200);
        assertTrue(msg.wrap(buf, 0, CHROMIUM_REQUEST.length));

        final int length = writer.writeBindingSuccess(
            buf, 0, buf, msg.transactionIdOffset(), LOCALHOST, 51628, CHROMIUM_OFFERER_PASSWORD);

        assertArrayEquals(CHROMIUM_SUCCESS, Arrays.copyOf(buf, length));
    }

    @Test
    void shouldWriteBindingRequestLikeIndependentImplementation()
    {
        final byte[] dst = new byte[128];

        final int length = writer.writeBindingRequest(
            dst, 0, RFC5769_TRANSACTION_ID, "evtj:h6vY", RFC5769_PASSWORD, 0x6e0001ffL, false, 0x932ff9b151263b36L,
            false);

        assertArrayEquals(WRITTEN_REQUEST, Arrays.copyOf(dst, length));
    }

    @Test
    void shouldWriteNominatingRequestFromControllingAgent()
    {
        final byte[] dst = new byte[128];
        final byte[] txId = Hex.bytes("4b 70 33 64 5a 71 47 52 67 78 52 61");

        final int length = writer.writeBindingRequest(
            dst, 0, txId, "ztCZ:2swx", CHROMIUM_OFFERER_PASSWORD, 1853824767L, true, 0x22884f5d975335f6L, true);

        // Chromium's datagram 1 is 100 bytes: the same plus its 8-byte GOOG-NETWORK-INFO.
        assertEquals(92, length);
        assertTrue(msg.wrap(dst, 0, length));
        assertTrue(msg.isBindingRequest());
        assertTrue(msg.transactionIdEquals(txId, 0));
        assertTrue(msg.usernameEquals("ztCZ:2swx".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(msg.iceControlling());
        assertEquals(0x22884f5d975335f6L, msg.tieBreaker());
        assertTrue(msg.useCandidate());
        assertEquals(1853824767L, msg.priority());
        assertTrue(msg.checkMessageIntegrity(CHROMIUM_OFFERER_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldWriteRoleConflictWithIntegrity()
    {
        final byte[] dst = new byte[128];

        final int length = writer.writeBindingError(
            dst, 0, RFC5769_REQUEST, 8, 487, null, RFC5769_PASSWORD);

        assertTrue(msg.wrap(dst, 0, length));
        assertTrue(msg.isBindingErrorResponse());
        assertTrue(msg.transactionIdEquals(RFC5769_TRANSACTION_ID, 0));
        assertEquals(487, msg.errorCode());
        assertEquals(4 + "Role Conflict".length(), msg.attributeLength(StunMessage.ERROR_CODE));
        assertEquals("Role Conflict", reason(msg));
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldWriteUnauthorizedWithoutIntegrity()
    {
        final byte[] expected = Hex.bytes("""
            01 11 00 1c   # Binding error response, length 28
            21 12 a4 42   # magic cookie
            b7 e7 a7 01 bc 34 d6 86 fa 87 df ae   # transaction id
            00 09 00 10   # ERROR-CODE, 16 bytes
            00 00 04 01   #   class 4, number 1
            55 6e 61 75 74 68 6f 72 69 7a 65 64   #   "Unauthorized"
            80 28 00 04   # FINGERPRINT
            """);
        final byte[] dst = new byte[128];

        final int length = writer.writeBindingError(dst, 0, RFC5769_TRANSACTION_ID, 0, 401, null, null);

        assertEquals(48, length);
        assertArrayEquals(expected, Arrays.copyOf(dst, 44));
        assertTrue(msg.wrap(dst, 0, length));
        assertEquals(401, msg.errorCode());
        assertFalse(msg.hasAttribute(StunMessage.MESSAGE_INTEGRITY));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldZeroPadCustomReason()
    {
        final byte[] dst = new byte[128];
        Arrays.fill(dst, (byte)0xEE);

        final int length = writer.writeBindingError(
            dst, 0, RFC5769_TRANSACTION_ID, 0, 400, "Bad Request: no USERNAME", null);

        assertTrue(msg.wrap(dst, 0, length));
        assertEquals(400, msg.errorCode());
        assertEquals("Bad Request: no USERNAME", reason(msg));
        assertEquals(28, msg.attributeLength(StunMessage.ERROR_CODE));
        assertTrue(msg.checkFingerprint());

        final byte[] nonAscii = new byte[128];
        final int nonAsciiLength = writer.writeBindingError(nonAscii, 0, RFC5769_TRANSACTION_ID, 0, 400, "Übel", null);
        assertTrue(msg.wrap(nonAscii, 0, nonAsciiLength));
        assertEquals("Übel", reason(msg));
        assertEquals(0, nonAscii[msg.attributeOffset(StunMessage.ERROR_CODE) + 4 + 5]);
    }

    @Test
    void shouldVerifyRfc5769VectorsAndSwitchKeys()
    {
        final StunMessage other = new StunMessage();
        assertTrue(msg.wrap(RFC5769_REQUEST, 0, RFC5769_REQUEST.length));
        assertTrue(other.wrap(CHROMIUM_SUCCESS, 0, CHROMIUM_SUCCESS.length));

        assertTrue(writer.verifyIntegrity(msg, RFC5769_PASSWORD));
        assertTrue(writer.verifyIntegrity(other, CHROMIUM_OFFERER_PASSWORD));
        assertFalse(writer.verifyIntegrity(other, RFC5769_PASSWORD));
        assertTrue(writer.verifyIntegrity(msg, RFC5769_PASSWORD.clone()));
        assertFalse(writer.verifyIntegrity(msg, null));

        assertTrue(msg.wrap(RFC5769_IPV4_RESPONSE, 0, RFC5769_IPV4_RESPONSE.length));
        assertTrue(writer.verifyIntegrity(msg, RFC5769_PASSWORD));
        assertTrue(msg.wrap(RFC5769_IPV6_RESPONSE, 0, RFC5769_IPV6_RESPONSE.length));
        assertTrue(writer.verifyIntegrity(msg, RFC5769_PASSWORD));
    }

    @Test
    void shouldRefuseInvalidArgumentsWithoutWriting()
    {
        final byte[] dst = new byte[128];
        final byte[] untouched = dst.clone();

        assertEquals(-1, writer.writeBindingSuccess(dst, 0, RFC5769_TRANSACTION_ID, 0, new byte[5], 1, null));
        assertEquals(-1, writer.writeBindingSuccess(dst, 0, RFC5769_TRANSACTION_ID, 0, null, 1, null));
        assertEquals(-1, writer.writeBindingSuccess(new byte[63], 0, RFC5769_TRANSACTION_ID, 0, LOCALHOST, 1,
            RFC5769_PASSWORD));
        assertEquals(-1, writer.writeBindingSuccess(dst, 100, RFC5769_TRANSACTION_ID, 0, LOCALHOST, 1,
            RFC5769_PASSWORD));
        assertEquals(-1, writer.writeBindingSuccess(dst, 0, RFC5769_TRANSACTION_ID, 1, LOCALHOST, 1, null));
        assertEquals(-1, writer.writeBindingError(dst, 0, RFC5769_TRANSACTION_ID, 0, 299, null, null));
        assertEquals(-1, writer.writeBindingError(dst, 0, RFC5769_TRANSACTION_ID, 0, 700, null, null));
        assertEquals(-1, writer.writeBindingError(dst, 0, RFC5769_TRANSACTION_ID, 0, 400, "x".repeat(128), null));
        assertEquals(-1, writer.writeBindingRequest(dst, 0, new byte[11], "a:b", null, 1, true, 1, false));
        assertEquals(-1, writer.writeBindingRequest(dst, 0, RFC5769_TRANSACTION_ID, null, null, 1, true, 1, false));
        assertEquals(-1, writer.writeBindingRequest(new byte[40], 0, RFC5769_TRANSACTION_ID, "a:b", null, 1, true, 1,
            false));
        assertArrayEquals(untouched, dst);
    }

    private static byte[] xorMappedAddressValue(final byte[] message)
    {
        final StunMessage m = new StunMessage();
        m.wrap(message, 0, message.length);
        final int at = m.attributeOffset(StunMessage.XOR_MAPPED_ADDRESS);
        return Arrays.copyOfRange(message, at, at + m.attributeLength(StunMessage.XOR_MAPPED_ADDRESS));
    }

    private static String reason(final StunMessage m)
    {
        final int at = m.attributeOffset(StunMessage.ERROR_CODE) + 4;
        return new String(m.buffer(), at, m.attributeLength(StunMessage.ERROR_CODE) - 4, StandardCharsets.UTF_8);
    }
}
