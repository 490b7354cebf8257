package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.Bytes;
import dev.relay.codecs.stun.StunMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link StunMessage}: wrap, every attribute accessor, FINGERPRINT and MESSAGE-INTEGRITY. The
 * attribute list is walked a second time here to check that each offset the accessors return
 * is the value of an attribute of that type inside the message.
 */
class StunMessageFuzzTest
{
    /** RFC 5769 §2's short-term credential, so the seed vectors pass the integrity check. */
    private static final byte[] KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.US_ASCII);
    private static final int[] KNOWN_TYPES = {
        StunMessage.MAPPED_ADDRESS, StunMessage.USERNAME, StunMessage.MESSAGE_INTEGRITY, StunMessage.ERROR_CODE,
        StunMessage.XOR_MAPPED_ADDRESS, StunMessage.PRIORITY, StunMessage.USE_CANDIDATE, StunMessage.SOFTWARE,
        StunMessage.FINGERPRINT, StunMessage.ICE_CONTROLLED, StunMessage.ICE_CONTROLLING, 0x0000, 0xFFFF,
    };
    private static final int MAX_ATTRIBUTES = 64;

    private final StunMessage message = new StunMessage();
    private final int[] attributeTypes = new int[MAX_ATTRIBUTES];
    private final int[] attributePositions = new int[MAX_ATTRIBUTES];
    private final byte[] address = new byte[16];

    @FuzzTest
    void stunMessage(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = trace(data, 0, data.length);
        assertEquals(exact, trace(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, message::wrap);
        assertFalse(message.checkFingerprint(), "a failed wrap leaves nothing to check");
        assertFalse(message.checkMessageIntegrity(KEY), "a failed wrap leaves nothing to check");
    }

    private Trace trace(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = message.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            return trace;
        }
        assertSame(buf, message.buffer());
        assertEquals(off, message.offset());
        final int length = message.length();
        assertTrue(length >= StunMessage.HEADER_LENGTH && length <= len && length % 4 == 0, "length " + length);
        final int end = off + length;

        final int type = message.messageType();
        assertTrue(type >= 0 && type < 0x4000, "the top two bits are zero");
        assertEquals(type == StunMessage.BINDING_REQUEST, message.isBindingRequest());
        assertEquals(type == StunMessage.BINDING_INDICATION, message.isBindingIndication());
        assertEquals(type == StunMessage.BINDING_SUCCESS_RESPONSE, message.isBindingSuccessResponse());
        assertEquals(type == StunMessage.BINDING_ERROR_RESPONSE, message.isBindingErrorResponse());
        assertEquals(off + 8, message.transactionIdOffset());
        assertTrue(message.transactionIdEquals(buf, off + 8));
        trace.add(length).add(type);

        final int attributes = walkAttributes(buf, off, end);
        trace.add(attributes);
        for (final int known : KNOWN_TYPES)
        {
            attribute(trace, buf, off, end, attributes, known);
        }
        for (int i = 0; i < Math.min(attributes, MAX_ATTRIBUTES); i++)
        {
            attribute(trace, buf, off, end, attributes, attributeTypes[i]);
        }

        username(trace, buf);
        assertEquals(message.hasAttribute(StunMessage.USE_CANDIDATE), message.useCandidate());
        assertEquals(message.hasAttribute(StunMessage.ICE_CONTROLLING), message.iceControlling());
        assertEquals(message.hasAttribute(StunMessage.ICE_CONTROLLED), message.iceControlled());
        final long priority = message.priority();
        assertTrue(priority >= -1 && priority <= 0xFFFF_FFFFL, "priority " + priority);
        final int errorCode = message.errorCode();
        assertTrue(errorCode == -1 || (errorCode >= 0 && errorCode <= 7 * 100 + 255), "error code " + errorCode);
        trace.add(message.useCandidate()).add(message.iceControlling()).add(message.iceControlled()).add(priority)
            .add(message.tieBreaker()).add(errorCode);

        mappedAddress(trace);

        final boolean fingerprint = message.checkFingerprint();
        final boolean integrity = message.checkMessageIntegrity(KEY);
        if (fingerprint)
        {
            assertTrue(message.hasAttribute(StunMessage.FINGERPRINT));
        }
        if (integrity)
        {
            assertTrue(message.hasAttribute(StunMessage.MESSAGE_INTEGRITY));
        }
        assertFalse(message.checkMessageIntegrity(null), "no key, no check");
        assertFalse(message.checkMessageIntegrity(new byte[0]), "no key, no check");
        trace.add(fingerprint).add(integrity);
        return trace;
    }

    /**
     * Records the attribute headers the accessors may return: up to and including the first
     * MESSAGE-INTEGRITY (RFC 8489 §14.5 ignores what follows), plus a trailing FINGERPRINT.
     *
     * @return how many were recorded, or the count past {@link #MAX_ATTRIBUTES}.
     */
    private int walkAttributes(final byte[] buf, final int off, final int end)
    {
        int count = 0;
        int position = off + StunMessage.HEADER_LENGTH;
        boolean afterIntegrity = false;
        while (position < end)
        {
            assertTrue(position + 4 <= end, "wrap accepted a truncated attribute header");
            final int type = Bytes.uint16(buf, position);
            final int valueLength = Bytes.uint16(buf, position + 2);
            final int next = position + 4 + ((valueLength + 3) & ~3);
            assertTrue(next <= end, "wrap accepted an attribute that runs past the message");
            if (!afterIntegrity || type == StunMessage.FINGERPRINT)
            {
                if (count < MAX_ATTRIBUTES)
                {
                    attributeTypes[count] = type;
                    attributePositions[count] = position;
                }
                count++;
            }
            afterIntegrity |= type == StunMessage.MESSAGE_INTEGRITY;
            position = next;
        }
        assertEquals(end, position);
        return count;
    }

    private void attribute(
        final Trace trace, final byte[] buf, final int off, final int end, final int attributes, final int type)
    {
        final int value = message.attributeOffset(type);
        final int valueLength = message.attributeLength(type);
        final boolean present = message.hasAttribute(type);
        assertEquals(present, value >= 0);
        assertEquals(present, valueLength >= 0);
        trace.add(type).add(value < 0 ? -1 : value - off).add(valueLength);
        if (!present)
        {
            assertEquals(-1, value);
            assertEquals(-1, valueLength);
            return;
        }
        assertTrue(value >= off + StunMessage.HEADER_LENGTH + 4 && value + valueLength <= end,
            "attribute " + type + " outside the message");
        assertEquals(type, Bytes.uint16(buf, value - 4));
        assertEquals(valueLength, Bytes.uint16(buf, value - 2));
        if (attributes <= MAX_ATTRIBUTES)
        {
            boolean listed = false;
            for (int i = 0; i < attributes && !listed; i++)
            {
                listed = attributePositions[i] == value - 4;
            }
            assertTrue(listed, "attribute " + type + " is not on an attribute boundary");
        }
    }

    private void username(final Trace trace, final byte[] buf)
    {
        final int value = message.usernameOffset();
        final int valueLength = message.usernameLength();
        assertEquals(message.attributeOffset(StunMessage.USERNAME), value);
        assertEquals(message.attributeLength(StunMessage.USERNAME), valueLength);
        if (value < 0)
        {
            assertFalse(message.usernameEquals(new byte[0]));
            assertFalse(message.usernameStartsWith(new byte[0]));
            return;
        }
        final byte[] username = Arrays.copyOfRange(buf, value, value + valueLength);
        assertTrue(message.usernameEquals(username));
        assertTrue(message.usernameStartsWith(username));
        assertTrue(message.usernameStartsWith(Arrays.copyOf(username, valueLength / 2)));
        assertFalse(message.usernameStartsWith(Arrays.copyOf(username, valueLength + 1)), "prefix longer than the value");
        assertFalse(message.usernameEquals(Arrays.copyOf(username, valueLength + 1)));
        trace.add(Arrays.hashCode(username));
    }

    private void mappedAddress(final Trace trace)
    {
        final int port = message.mappedPort();
        Arrays.fill(address, (byte)0);
        final int written = message.mappedAddress(address, 0);
        assertTrue(port >= -1 && port <= 0xFFFF, "port " + port);
        assertTrue(written == -1 || written == 4 || written == 16, "address length " + written);
        assertEquals(port < 0, written < 0);
        if (written > 0)
        {
            // No room at the end of dst: refused, not truncated.
            assertEquals(-1, message.mappedAddress(address, address.length - written + 1));
            assertEquals(-1, message.mappedAddress(new byte[written - 1], 0));
        }
        trace.add(port).add(written).add(Arrays.hashCode(address));
    }
}
