package dev.relay.codecs.stun;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over a STUN message (RFC 8489) with the ICE attributes of RFC 8445 §16.
 *
 * <p>{@link #wrap} checks the whole attribute list once, so the accessors can walk it without
 * bounds checks. Attribute lookups walk the (short) list on each call instead of caching
 * offsets. Integrity and fingerprint checks use state held by this instance; it is not thread
 * safe, like every flyweight here.
 */
public final class StunMessage
{
    /*
     * RFC 8489 §5 https://www.rfc-editor.org/rfc/rfc8489#section-5
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |0 0|     STUN Message Type     |         Message Length        |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                         Magic Cookie                          |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                                                               |
     * |                     Transaction ID (96 bits)                  |
     * |                                                               |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * Message Length counts the attribute bytes after this 20-byte header.
     *
     * RFC 8489 §14 https://www.rfc-editor.org/rfc/rfc8489#section-14, each attribute:
     *
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |         Type                  |            Length             |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                         Value (variable)                ....
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * Length excludes the padding that brings the value to a 4-byte boundary.
     */
    static final int TYPE_OFFSET = 0;
    static final int LENGTH_OFFSET = 2;
    static final int MAGIC_COOKIE_OFFSET = 4;
    static final int TRANSACTION_ID_OFFSET = 8;
    public static final int HEADER_LENGTH = 20;
    public static final int TRANSACTION_ID_LENGTH = 12;
    public static final int MAGIC_COOKIE = 0x2112A442;
    static final int ATTRIBUTE_HEADER_LENGTH = 4;
    /** RFC 8489 §5: the two most significant bits of every STUN message are zero. */
    static final int TOP_BITS_MASK = 0xC000;

    /** Method Binding in the classes of RFC 8489 §6. */
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_INDICATION = 0x0011;
    public static final int BINDING_SUCCESS_RESPONSE = 0x0101;
    public static final int BINDING_ERROR_RESPONSE = 0x0111;

    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;

    static final int MESSAGE_INTEGRITY_LENGTH = 20;
    static final int FINGERPRINT_LENGTH = 4;

    /*
     * RFC 8489 §14.2 XOR-MAPPED-ADDRESS https://www.rfc-editor.org/rfc/rfc8489#section-14.2
     *
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                X-Address (Variable)
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * X-Port is XORed with the cookie's top 16 bits, X-Address with the cookie (IPv4) or with
     * cookie and transaction id (IPv6).
     */
    static final int ADDRESS_FAMILY_OFFSET = 1;
    static final int ADDRESS_PORT_OFFSET = 2;
    static final int ADDRESS_OFFSET = 4;
    static final int FAMILY_IPV4 = 0x01;
    static final int FAMILY_IPV6 = 0x02;
    static final int IPV4_LENGTH = 4;
    static final int IPV6_LENGTH = 16;

    /*
     * RFC 8489 §14.8 ERROR-CODE https://www.rfc-editor.org/rfc/rfc8489#section-14.8
     *
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |           Reserved, should be 0         |Class|     Number    |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |      Reason Phrase (variable)                                ..
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    static final int ERROR_CLASS_OFFSET = 2;
    static final int ERROR_NUMBER_OFFSET = 3;
    static final int ERROR_REASON_OFFSET = 4;

    private byte[] buffer;
    private int offset;
    private int length;
    private int integrityAttribute = -1;
    private int fingerprintAttribute = -1;
    private StunCrypto crypto;

    /**
     * @return false when the range is out of the buffer or shorter than 20 bytes, the top two
     *     bits are set, the magic cookie is wrong, the length is not a multiple of 4 or runs past
     *     {@code len}, an attribute (with its padding) runs past the message, MESSAGE-INTEGRITY
     *     or FINGERPRINT has the wrong size, or anything follows FINGERPRINT.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        integrityAttribute = -1;
        fingerprintAttribute = -1;
        if (len < HEADER_LENGTH || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }
        final int type = Bytes.uint16(buf, off + TYPE_OFFSET);
        final int bodyLength = Bytes.uint16(buf, off + LENGTH_OFFSET);
        if ((type & TOP_BITS_MASK) != 0
            || Bytes.int32(buf, off + MAGIC_COOKIE_OFFSET) != MAGIC_COOKIE
            || (bodyLength & 3) != 0
            || HEADER_LENGTH + bodyLength > len)
        {
            return false;
        }

        final int end = off + HEADER_LENGTH + bodyLength;
        int integrity = -1;
        int fingerprint = -1;
        int position = off + HEADER_LENGTH;
        while (position < end)
        {
            if (fingerprint >= 0)
            {
                // RFC 8489 §14.7: FINGERPRINT MUST be the last attribute.
                return false;
            }
            if (position + ATTRIBUTE_HEADER_LENGTH > end)
            {
                return false;
            }
            final int attributeType = Bytes.uint16(buf, position);
            final int valueLength = Bytes.uint16(buf, position + 2);
            final int next = position + ATTRIBUTE_HEADER_LENGTH + padded(valueLength);
            if (next > end)
            {
                return false;
            }
            if (attributeType == MESSAGE_INTEGRITY && integrity < 0)
            {
                if (valueLength != MESSAGE_INTEGRITY_LENGTH)
                {
                    return false;
                }
                integrity = position;
            }
            else if (attributeType == FINGERPRINT)
            {
                if (valueLength != FINGERPRINT_LENGTH)
                {
                    return false;
                }
                fingerprint = position;
            }
            position = next;
        }

        buffer = buf;
        offset = off;
        length = HEADER_LENGTH + bodyLength;
        integrityAttribute = integrity;
        fingerprintAttribute = fingerprint;
        return true;
    }

    public byte[] buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /** @return header plus attributes, from the length field; the datagram may be longer. */
    public int length()
    {
        return length;
    }

    /** @return the 14-bit message type: method and class, RFC 8489 §5. */
    public int messageType()
    {
        return Bytes.uint16(buffer, offset + TYPE_OFFSET);
    }

    public boolean isBindingRequest()
    {
        return messageType() == BINDING_REQUEST;
    }

    public boolean isBindingIndication()
    {
        return messageType() == BINDING_INDICATION;
    }

    public boolean isBindingSuccessResponse()
    {
        return messageType() == BINDING_SUCCESS_RESPONSE;
    }

    public boolean isBindingErrorResponse()
    {
        return messageType() == BINDING_ERROR_RESPONSE;
    }

    /** @return absolute index of the 12-byte transaction id. */
    public int transactionIdOffset()
    {
        return offset + TRANSACTION_ID_OFFSET;
    }

    /** @return true when both messages carry the same transaction id, e.g. request and response. */
    public boolean transactionIdEquals(final byte[] buf, final int off)
    {
        final int mine = transactionIdOffset();
        for (int i = 0; i < TRANSACTION_ID_LENGTH; i++)
        {
            if (buffer[mine + i] != buf[off + i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return absolute index of the first value of attribute {@code type}, or -1. Attributes after
     *     MESSAGE-INTEGRITY are not found, except FINGERPRINT: RFC 8489 §14.5 says to ignore them
     *     because they are not authenticated.
     */
    public int attributeOffset(final int type)
    {
        final int attribute = findAttribute(type);
        return attribute < 0 ? -1 : attribute + ATTRIBUTE_HEADER_LENGTH;
    }

    /** @return value length (without padding) of attribute {@code type}, or -1 when absent. */
    public int attributeLength(final int type)
    {
        final int attribute = findAttribute(type);
        return attribute < 0 ? -1 : Bytes.uint16(buffer, attribute + 2);
    }

    public boolean hasAttribute(final int type)
    {
        return findAttribute(type) >= 0;
    }

    /** @return absolute index of the USERNAME value, or -1 when absent. */
    public int usernameOffset()
    {
        return attributeOffset(USERNAME);
    }

    /** @return USERNAME length in bytes, or -1 when absent. */
    public int usernameLength()
    {
        return attributeLength(USERNAME);
    }

    /** @return true when USERNAME is present and byte-for-byte equal to {@code expected}. */
    public boolean usernameEquals(final byte[] expected)
    {
        return usernameLength() == expected.length && usernameStartsWith(expected);
    }

    /**
     * @return true when USERNAME starts with {@code prefix}. An ICE-lite agent finds the
     *     Transport by the "local-ufrag:" part (RFC 8445 §7.2.2) before it knows the remote one.
     */
    public boolean usernameStartsWith(final byte[] prefix)
    {
        final int attribute = findAttribute(USERNAME);
        if (attribute < 0 || Bytes.uint16(buffer, attribute + 2) < prefix.length)
        {
            return false;
        }
        final int value = attribute + ATTRIBUTE_HEADER_LENGTH;
        for (int i = 0; i < prefix.length; i++)
        {
            if (buffer[value + i] != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /** @return true when USE-CANDIDATE is present: the controlling agent nominates this pair. */
    public boolean useCandidate()
    {
        return hasAttribute(USE_CANDIDATE);
    }

    /** @return the unsigned 32-bit PRIORITY, or -1 when absent or not 4 bytes long. */
    public long priority()
    {
        final int attribute = findAttribute(PRIORITY);
        if (attribute < 0 || Bytes.uint16(buffer, attribute + 2) != 4)
        {
            return -1;
        }
        return Bytes.uint32(buffer, attribute + ATTRIBUTE_HEADER_LENGTH);
    }

    public boolean iceControlling()
    {
        return hasAttribute(ICE_CONTROLLING);
    }

    public boolean iceControlled()
    {
        return hasAttribute(ICE_CONTROLLED);
    }

    /** @return the 64-bit tie-breaker of ICE-CONTROLLING or ICE-CONTROLLED, 0 when neither is valid. */
    public long tieBreaker()
    {
        int attribute = findAttribute(ICE_CONTROLLING);
        if (attribute < 0)
        {
            attribute = findAttribute(ICE_CONTROLLED);
        }
        if (attribute < 0 || Bytes.uint16(buffer, attribute + 2) != 8)
        {
            return 0;
        }
        return Bytes.int64(buffer, attribute + ATTRIBUTE_HEADER_LENGTH);
    }

    /** @return the ERROR-CODE as class * 100 + number, or -1 when absent or too short. */
    public int errorCode()
    {
        final int attribute = findAttribute(ERROR_CODE);
        if (attribute < 0 || Bytes.uint16(buffer, attribute + 2) < ERROR_REASON_OFFSET)
        {
            return -1;
        }
        final int value = attribute + ATTRIBUTE_HEADER_LENGTH;
        return (buffer[value + ERROR_CLASS_OFFSET] & 0x07) * 100 + (buffer[value + ERROR_NUMBER_OFFSET] & 0xFF);
    }

    /** @return the port of XOR-MAPPED-ADDRESS, or -1 when absent or malformed. */
    public int mappedPort()
    {
        final int value = mappedAddressValue();
        if (value < 0)
        {
            return -1;
        }
        return Bytes.uint16(buffer, value + ADDRESS_PORT_OFFSET) ^ (MAGIC_COOKIE >>> 16);
    }

    /**
     * Decodes the address of XOR-MAPPED-ADDRESS into {@code dst[off..]}, which needs room for 16
     * bytes if the peer may be IPv6.
     *
     * @return 4 or 16, the bytes written, or -1 when absent, malformed or {@code dst} is too small.
     */
    public int mappedAddress(final byte[] dst, final int off)
    {
        final int value = mappedAddressValue();
        if (value < 0)
        {
            return -1;
        }
        final int addressLength = Bytes.uint16(buffer, value - 2) - ADDRESS_OFFSET;
        if (!Bytes.inBounds(dst, off, addressLength))
        {
            return -1;
        }
        // The XOR pad is cookie || transaction id, contiguous in the header right after the
        // length field.
        final int pad = offset + MAGIC_COOKIE_OFFSET;
        for (int i = 0; i < addressLength; i++)
        {
            dst[off + i] = (byte)(buffer[value + ADDRESS_OFFSET + i] ^ buffer[pad + i]);
        }
        return addressLength;
    }

    /**
     * Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 of everything before it, XOR 0x5354554e.
     *
     * @return false when absent or not matching.
     */
    public boolean checkFingerprint()
    {
        if (buffer == null || fingerprintAttribute < 0)
        {
            return false;
        }
        final int expected = crypto().fingerprint(buffer, offset, fingerprintAttribute - offset);
        return expected == Bytes.int32(buffer, fingerprintAttribute + ATTRIBUTE_HEADER_LENGTH);
    }

    /**
     * Checks MESSAGE-INTEGRITY (RFC 8489 §14.5) with a short-term credential (the ICE password).
     * The HMAC covers the message up to the attribute with the length field counting up to its
     * end, as if FINGERPRINT were not there; that length is fed to the MAC directly, so the
     * buffer is never modified.
     *
     * @return false when absent, the key is null or empty, or the HMAC does not match.
     */
    public boolean checkMessageIntegrity(final byte[] key)
    {
        if (buffer == null || integrityAttribute < 0)
        {
            return false;
        }
        final int lengthField = integrityAttribute + ATTRIBUTE_HEADER_LENGTH + MESSAGE_INTEGRITY_LENGTH
            - offset - HEADER_LENGTH;
        final byte[] hmac = crypto().hmac(key, buffer, offset, integrityAttribute, lengthField);
        return StunCrypto.equalsConstantTime(
            hmac, buffer, integrityAttribute + ATTRIBUTE_HEADER_LENGTH, MESSAGE_INTEGRITY_LENGTH);
    }

    /** @return {@code len} rounded up to the 4-byte attribute boundary. */
    static int padded(final int len)
    {
        return (len + 3) & ~3;
    }

    private StunCrypto crypto()
    {
        if (crypto == null)
        {
            crypto = new StunCrypto();
        }
        return crypto;
    }

    private int mappedAddressValue()
    {
        final int attribute = findAttribute(XOR_MAPPED_ADDRESS);
        if (attribute < 0)
        {
            return -1;
        }
        final int valueLength = Bytes.uint16(buffer, attribute + 2);
        if (valueLength < ADDRESS_OFFSET)
        {
            return -1;
        }
        final int value = attribute + ATTRIBUTE_HEADER_LENGTH;
        final int family = buffer[value + ADDRESS_FAMILY_OFFSET] & 0xFF;
        if ((family == FAMILY_IPV4 && valueLength == ADDRESS_OFFSET + IPV4_LENGTH)
            || (family == FAMILY_IPV6 && valueLength == ADDRESS_OFFSET + IPV6_LENGTH))
        {
            return value;
        }
        return -1;
    }

    /** @return absolute index of the attribute's header, or -1. */
    private int findAttribute(final int type)
    {
        if (buffer == null)
        {
            return -1;
        }
        if (type == FINGERPRINT)
        {
            return fingerprintAttribute;
        }
        final int end = integrityAttribute >= 0
            ? integrityAttribute + ATTRIBUTE_HEADER_LENGTH + MESSAGE_INTEGRITY_LENGTH
            : offset + length;
        int position = offset + HEADER_LENGTH;
        while (position < end)
        {
            if (Bytes.uint16(buffer, position) == type)
            {
                return position;
            }
            position += ATTRIBUTE_HEADER_LENGTH + padded(Bytes.uint16(buffer, position + 2));
        }
        return -1;
    }
}
