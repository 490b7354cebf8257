package dev.relay.codecs.stun;

import static dev.relay.codecs.stun.StunVectors.CHROMIUM_NOMINATION;
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

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StunMessageTest
{
    private final StunMessage msg = new StunMessage();

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldReadRfc5769SampleRequest()
    {
        assertTrue(msg.wrap(RFC5769_REQUEST, 0, RFC5769_REQUEST.length));

        assertEquals(RFC5769_REQUEST, msg.buffer());
        assertEquals(0, msg.offset());
        assertEquals(108, msg.length());
        assertEquals(StunMessage.BINDING_REQUEST, msg.messageType());
        assertTrue(msg.isBindingRequest());
        assertEquals(8, msg.transactionIdOffset());
        assertTrue(msg.transactionIdEquals(RFC5769_TRANSACTION_ID, 0));
        assertEquals(24, msg.attributeOffset(StunMessage.SOFTWARE));
        assertEquals(16, msg.attributeLength(StunMessage.SOFTWARE));
        assertEquals(0x6e0001ffL, msg.priority());
        assertTrue(msg.iceControlled());
        assertFalse(msg.iceControlling());
        assertEquals(0x932ff9b151263b36L, msg.tieBreaker());
        assertFalse(msg.useCandidate());
        assertEquals(64, msg.usernameOffset());
        assertEquals(9, msg.usernameLength());
        assertTrue(msg.usernameEquals(ascii("evtj:h6vY")));
        assertTrue(msg.usernameStartsWith(ascii("evtj:")));
        assertFalse(msg.usernameEquals(ascii("evtj:h6vY ")));
        assertFalse(msg.usernameEquals(ascii("evtj:h6vX")));
        assertEquals(80, msg.attributeOffset(StunMessage.MESSAGE_INTEGRITY));
        assertEquals(104, msg.attributeOffset(StunMessage.FINGERPRINT));
        assertFalse(msg.hasAttribute(StunMessage.XOR_MAPPED_ADDRESS));
        assertEquals(-1, msg.attributeLength(StunMessage.XOR_MAPPED_ADDRESS));
        assertEquals(-1, msg.errorCode());
    }

    @Test
    void shouldVerifyRfc5769SampleRequestWithoutModifyingIt()
    {
        final byte[] before = RFC5769_REQUEST.clone();
        msg.wrap(RFC5769_REQUEST, 0, RFC5769_REQUEST.length);

        assertTrue(msg.checkFingerprint());
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
        assertArrayEquals(before, RFC5769_REQUEST);
    }

    @Test
    void shouldRejectIntegrityWithWrongPassword()
    {
        msg.wrap(RFC5769_REQUEST, 0, RFC5769_REQUEST.length);

        assertFalse(msg.checkMessageIntegrity(ascii("VOkJxbRl1RmTxUk/WvJxBu")));
        assertFalse(msg.checkMessageIntegrity(new byte[0]));
        assertFalse(msg.checkMessageIntegrity(null));
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
    }

    @Test
    void shouldDecodeRfc5769Ipv4MappedAddress()
    {
        assertTrue(msg.wrap(RFC5769_IPV4_RESPONSE, 0, RFC5769_IPV4_RESPONSE.length));
        final byte[] address = new byte[16];

        assertTrue(msg.isBindingSuccessResponse());
        assertEquals(32853, msg.mappedPort());
        assertEquals(4, msg.mappedAddress(address, 0));
        assertArrayEquals(new byte[] {(byte)192, 0, 2, 1}, Arrays.copyOf(address, 4));
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldDecodeRfc5769Ipv6MappedAddress()
    {
        assertTrue(msg.wrap(RFC5769_IPV6_RESPONSE, 0, RFC5769_IPV6_RESPONSE.length));
        final byte[] address = new byte[16];

        assertEquals(32853, msg.mappedPort());
        assertEquals(16, msg.mappedAddress(address, 0));
        assertArrayEquals(Hex.bytes("20 01 0d b8 12 34 56 78 00 11 22 33 44 55 66 77"), address);
        assertEquals(-1, msg.mappedAddress(new byte[15], 0));
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldVerifyChromiumRequestWithIcePasswordFromSdp()
    {
        assertTrue(msg.wrap(CHROMIUM_REQUEST, 0, CHROMIUM_REQUEST.length));

        assertTrue(msg.isBindingRequest());
        assertTrue(msg.usernameEquals(ascii("2swx:ztCZ")));
        assertTrue(msg.usernameStartsWith(ascii("2swx:")));
        assertTrue(msg.hasAttribute(0xC057));
        assertTrue(msg.iceControlled());
        assertEquals(0x8ecee9372534021dL, msg.tieBreaker());
        assertEquals(1853824767L, msg.priority());
        assertFalse(msg.useCandidate());
        assertTrue(msg.checkFingerprint());
        assertTrue(msg.checkMessageIntegrity(CHROMIUM_OFFERER_PASSWORD));
    }

    @Test
    void shouldReadChromiumNomination()
    {
        assertTrue(msg.wrap(CHROMIUM_NOMINATION, 0, CHROMIUM_NOMINATION.length));

        assertTrue(msg.usernameEquals(ascii("ztCZ:2swx")));
        assertTrue(msg.iceControlling());
        assertFalse(msg.iceControlled());
        assertEquals(0x22884f5d975335f6L, msg.tieBreaker());
        assertTrue(msg.useCandidate());
        assertEquals(0, msg.attributeLength(StunMessage.USE_CANDIDATE));
        assertTrue(msg.checkFingerprint());
        // Keyed with the answerer's password, which is not the offerer's.
        assertFalse(msg.checkMessageIntegrity(CHROMIUM_OFFERER_PASSWORD));
    }

    @Test
    void shouldVerifyChromiumSuccessResponse()
    {
        assertTrue(msg.wrap(CHROMIUM_SUCCESS, 0, CHROMIUM_SUCCESS.length));
        final byte[] address = new byte[4];

        assertTrue(msg.isBindingSuccessResponse());
        assertTrue(msg.transactionIdEquals(CHROMIUM_REQUEST, 8));
        assertEquals(51628, msg.mappedPort());
        assertEquals(4, msg.mappedAddress(address, 0));
        assertArrayEquals(new byte[] {127, 0, 0, 1}, address);
        assertTrue(msg.checkMessageIntegrity(CHROMIUM_OFFERER_PASSWORD));
        assertTrue(msg.checkFingerprint());
    }

    @Test
    void shouldDetectTamperedUsername()
    {
        final byte[] tampered = CHROMIUM_REQUEST.clone();
        tampered[24] = 'X';

        assertTrue(msg.wrap(tampered, 0, tampered.length));
        assertFalse(msg.checkFingerprint());
        assertFalse(msg.checkMessageIntegrity(CHROMIUM_OFFERER_PASSWORD));
    }

    @Test
    void shouldIgnoreAttributesAfterMessageIntegrity()
    {
        final byte[] buf = Hex.bytes("""
            00 01 00 24   # Binding request, length 36
            21 12 a4 42 00 01 02 03 04 05 06 07 08 09 0a 0b
            00 08 00 14   # MESSAGE-INTEGRITY
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 25 00 00   # USE-CANDIDATE after MESSAGE-INTEGRITY: not authenticated (RFC 8489 §14.5)
            80 22 00 04   # SOFTWARE after MESSAGE-INTEGRITY
            74 65 73 74
            """);

        assertTrue(msg.wrap(buf, 0, buf.length));
        assertTrue(msg.hasAttribute(StunMessage.MESSAGE_INTEGRITY));
        assertFalse(msg.useCandidate());
        assertFalse(msg.hasAttribute(StunMessage.SOFTWARE));
        assertFalse(msg.checkFingerprint());
    }

    @Test
    void shouldReportAbsentOptionalAttributes()
    {
        final byte[] buf = Hex.bytes("""
            00 01 00 00   # Binding request without attributes
            21 12 a4 42 00 01 02 03 04 05 06 07 08 09 0a 0b
            """);

        assertTrue(msg.wrap(buf, 0, buf.length));
        assertEquals(-1, msg.usernameOffset());
        assertEquals(-1, msg.usernameLength());
        assertFalse(msg.usernameEquals(new byte[0]));
        assertEquals(-1, msg.priority());
        assertEquals(0, msg.tieBreaker());
        assertEquals(-1, msg.mappedPort());
        assertEquals(-1, msg.mappedAddress(new byte[16], 0));
        assertFalse(msg.checkFingerprint());
        assertFalse(msg.checkMessageIntegrity(RFC5769_PASSWORD));
    }

    @Test
    void shouldWrapMessageAtOffsetInLongerBuffer()
    {
        final byte[] buf = new byte[RFC5769_REQUEST.length + 11];
        System.arraycopy(RFC5769_REQUEST, 0, buf, 7, RFC5769_REQUEST.length);

        assertTrue(msg.wrap(buf, 7, RFC5769_REQUEST.length + 4));
        assertEquals(108, msg.length());
        assertEquals(15, msg.transactionIdOffset());
        assertTrue(msg.usernameEquals(ascii("evtj:h6vY")));
        assertTrue(msg.checkFingerprint());
        assertTrue(msg.checkMessageIntegrity(RFC5769_PASSWORD));
    }

    private static final String HEADER_TAIL = "21 12 a4 42 00 01 02 03 04 05 06 07 08 09 0a 0b";

    static Stream<Arguments> malformed()
    {
        final byte[] topBits = RFC5769_REQUEST.clone();
        topBits[0] = (byte)0xc0;
        final byte[] cookie = RFC5769_REQUEST.clone();
        cookie[7] = 0x43;
        return Stream.of(
            Arguments.of("shorter than the header", Arrays.copyOf(RFC5769_REQUEST, 19)),
            Arguments.of("top two bits set", topBits),
            Arguments.of("wrong magic cookie", cookie),
            Arguments.of("length not a multiple of 4", Hex.bytes("00 01 00 02" + HEADER_TAIL + "00 00 00 00")),
            Arguments.of("length past datagram", Arrays.copyOf(RFC5769_REQUEST, 104)),
            Arguments.of("attribute value past message",
                Hex.bytes("00 01 00 04" + HEADER_TAIL + "00 06 00 04")),
            Arguments.of("attribute padding past message",
                Hex.bytes("00 01 00 08" + HEADER_TAIL + "00 06 00 05 61 62 63 64")),
            Arguments.of("FINGERPRINT not last",
                Hex.bytes("00 01 00 10" + HEADER_TAIL + "80 28 00 04 00 00 00 00 00 06 00 04 61 62 63 64")),
            Arguments.of("FINGERPRINT of wrong size",
                Hex.bytes("00 01 00 0c" + HEADER_TAIL + "80 28 00 08 00 00 00 00 00 00 00 00")),
            Arguments.of("MESSAGE-INTEGRITY of wrong size",
                Hex.bytes("00 01 00 14" + HEADER_TAIL + "00 08 00 10" + " 00".repeat(16))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldRejectMalformedMessage(final String reason, final byte[] buf)
    {
        assertFalse(msg.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final StunMessage stun = new StunMessage();
        final byte[] address = new byte[16];
        Fuzz.run(8489, List.of(RFC5769_REQUEST, RFC5769_IPV4_RESPONSE, RFC5769_IPV6_RESPONSE, CHROMIUM_REQUEST,
            CHROMIUM_NOMINATION, CHROMIUM_SUCCESS), (buf, off, len) ->
            {
                if (stun.wrap(buf, off, len))
                {
                    stun.messageType();
                    stun.isBindingRequest();
                    stun.transactionIdEquals(RFC5769_TRANSACTION_ID, 0);
                    stun.usernameEquals(RFC5769_PASSWORD);
                    stun.usernameStartsWith(RFC5769_PASSWORD);
                    stun.useCandidate();
                    stun.priority();
                    stun.tieBreaker();
                    stun.errorCode();
                    stun.mappedPort();
                    stun.mappedAddress(address, 0);
                    stun.checkFingerprint();
                    stun.checkMessageIntegrity(RFC5769_PASSWORD);
                    for (final int type : new int[] {StunMessage.USERNAME, StunMessage.SOFTWARE, 0x0000, 0xFFFF})
                    {
                        final int at = stun.attributeOffset(type);
                        assertTrue(at < 0 || at + stun.attributeLength(type) <= off + stun.length());
                    }
                }
            });
    }
}
