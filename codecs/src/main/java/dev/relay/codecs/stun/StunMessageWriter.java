package dev.relay.codecs.stun;

import static dev.relay.codecs.stun.StunMessage.ATTRIBUTE_HEADER_LENGTH;
import static dev.relay.codecs.stun.StunMessage.HEADER_LENGTH;
import static dev.relay.codecs.stun.StunMessage.LENGTH_OFFSET;
import static dev.relay.codecs.stun.StunMessage.MAGIC_COOKIE;
import static dev.relay.codecs.stun.StunMessage.MAGIC_COOKIE_OFFSET;
import static dev.relay.codecs.stun.StunMessage.MESSAGE_INTEGRITY_LENGTH;
import static dev.relay.codecs.stun.StunMessage.TRANSACTION_ID_LENGTH;
import static dev.relay.codecs.stun.StunMessage.TRANSACTION_ID_OFFSET;
import static dev.relay.codecs.stun.StunMessage.padded;

import dev.relay.codecs.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Writes the Binding messages an ICE agent sends (RFC 8445 §7, RFC 8489), each closed with
 * MESSAGE-INTEGRITY and FINGERPRINT.
 *
 * <p>Not thread safe: it holds one {@code javax.crypto.Mac} and one {@code CRC32}. Give each
 * thread (each worker, each load-generator client thread) its own instance.
 *
 * <p>Methods return the bytes written, or -1, having written nothing, when the arguments are
 * invalid or {@code dst} is too small: per packet, nothing throws.
 * {@code dst} may be the buffer of the request being answered, with the response written over
 * it at the request's offset.
 */
public final class StunMessageWriter
{
    private static final int MESSAGE_INTEGRITY_ATTRIBUTE_LENGTH = ATTRIBUTE_HEADER_LENGTH + MESSAGE_INTEGRITY_LENGTH;
    private static final int FINGERPRINT_ATTRIBUTE_LENGTH = ATTRIBUTE_HEADER_LENGTH + StunMessage.FINGERPRINT_LENGTH;
    private static final int PRIORITY_LENGTH = 4;
    private static final int TIE_BREAKER_LENGTH = 8;
    /** RFC 8489 §14.8: the reason phrase is fewer than 128 characters. */
    static final int MAX_REASON_CHARS = 127;
    /** RFC 8489 §14.3: USERNAME is fewer than 509 bytes. */
    static final int MAX_USERNAME_BYTES = 508;

    private final StunCrypto crypto = new StunCrypto();

    /**
     * Writes a Binding success response (0x0101) with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and
     * FINGERPRINT, the answer an ICE-lite agent gives to a connectivity check (RFC 8445 §7.3).
     *
     * @param txBuf buffer holding the request's transaction id at {@code txOff}, typically
     *     {@code request.buffer()} and {@code request.transactionIdOffset()}.
     * @param ipAddress the request's source address, 4 (IPv4) or 16 (IPv6) bytes.
     * @param integrityKey the local ICE password; null or empty writes no MESSAGE-INTEGRITY.
     * @return bytes written, or -1.
     */
    public int writeBindingSuccess(
        final byte[] dst,
        final int off,
        final byte[] txBuf,
        final int txOff,
        final byte[] ipAddress,
        final int port,
        final byte[] integrityKey)
    {
        if (ipAddress == null
            || (ipAddress.length != StunMessage.IPV4_LENGTH && ipAddress.length != StunMessage.IPV6_LENGTH))
        {
            return -1;
        }
        final int addressValueLength = StunMessage.ADDRESS_OFFSET + ipAddress.length;
        final int total = HEADER_LENGTH + ATTRIBUTE_HEADER_LENGTH + addressValueLength + trailerLength(integrityKey);
        if (!Bytes.inBounds(dst, off, total) || !Bytes.inBounds(txBuf, txOff, TRANSACTION_ID_LENGTH))
        {
            return -1;
        }

        int position = writeHeader(dst, off, StunMessage.BINDING_SUCCESS_RESPONSE, txBuf, txOff);
        position = writeAttributeHeader(dst, position, StunMessage.XOR_MAPPED_ADDRESS, addressValueLength);
        dst[position] = 0;
        dst[position + StunMessage.ADDRESS_FAMILY_OFFSET] = (byte)(ipAddress.length == StunMessage.IPV4_LENGTH
            ? StunMessage.FAMILY_IPV4 : StunMessage.FAMILY_IPV6);
        Bytes.putUint16(dst, position + StunMessage.ADDRESS_PORT_OFFSET, port ^ (MAGIC_COOKIE >>> 16));
        // The pad is cookie || transaction id, already in place in the header just written.
        final int pad = off + MAGIC_COOKIE_OFFSET;
        for (int i = 0; i < ipAddress.length; i++)
        {
            dst[position + StunMessage.ADDRESS_OFFSET + i] = (byte)(ipAddress[i] ^ dst[pad + i]);
        }
        position += addressValueLength;
        return finish(dst, off, position, integrityKey);
    }

    /**
     * Writes a Binding error response (0x0111) with ERROR-CODE: 400 Bad Request, 401
     * Unauthorized (send it without integrity: the peer's credentials are what failed) or 487
     * Role Conflict (RFC 8445 §7.3.1.1).
     *
     * @param code 300..699.
     * @param reason the reason phrase, or null for the standard one of 400, 401, 420, 438, 487
     *     and 500. A non-ASCII reason is encoded with an allocation.
     * @param integrityKey the local ICE password; null or empty writes no MESSAGE-INTEGRITY.
     * @return bytes written, or -1.
     */
    public int writeBindingError(
        final byte[] dst,
        final int off,
        final byte[] txBuf,
        final int txOff,
        final int code,
        final String reason,
        final byte[] integrityKey)
    {
        if (code < 300 || code > 699)
        {
            return -1;
        }
        final String phrase = reason != null ? reason : defaultReason(code);
        if (phrase.length() > MAX_REASON_CHARS)
        {
            return -1;
        }
        final byte[] encoded = isAscii(phrase) ? null : phrase.getBytes(StandardCharsets.UTF_8);
        final int phraseLength = encoded == null ? phrase.length() : encoded.length;
        final int valueLength = StunMessage.ERROR_REASON_OFFSET + phraseLength;
        final int total = HEADER_LENGTH + ATTRIBUTE_HEADER_LENGTH + padded(valueLength) + trailerLength(integrityKey);
        if (!Bytes.inBounds(dst, off, total) || !Bytes.inBounds(txBuf, txOff, TRANSACTION_ID_LENGTH))
        {
            return -1;
        }

        int position = writeHeader(dst, off, StunMessage.BINDING_ERROR_RESPONSE, txBuf, txOff);
        position = writeAttributeHeader(dst, position, StunMessage.ERROR_CODE, valueLength);
        Bytes.putUint16(dst, position, 0);
        dst[position + StunMessage.ERROR_CLASS_OFFSET] = (byte)(code / 100);
        dst[position + StunMessage.ERROR_NUMBER_OFFSET] = (byte)(code % 100);
        final int text = position + StunMessage.ERROR_REASON_OFFSET;
        if (encoded == null)
        {
            writeAscii(dst, text, phrase);
        }
        else
        {
            System.arraycopy(encoded, 0, dst, text, encoded.length);
        }
        position = writePadding(dst, position + valueLength, valueLength);
        return finish(dst, off, position, integrityKey);
    }

    /**
     * Writes a Binding request (0x0001) as a full ICE agent sends it (RFC 8445 §7.1.1): USERNAME,
     * ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE when nominating, PRIORITY, then
     * MESSAGE-INTEGRITY and FINGERPRINT. The order follows Chromium's requests.
     *
     * @param transactionId12 the 12-byte transaction id, random per request (RFC 8489 §6).
     * @param username "remote-ufrag:local-ufrag"; ASCII is written without allocating.
     * @param integrityKey the remote ICE password; null or empty writes no MESSAGE-INTEGRITY.
     * @param priority unsigned 32-bit priority of the peer-reflexive candidate (RFC 8445 §7.1.1).
     * @return bytes written, or -1.
     */
    public int writeBindingRequest(
        final byte[] dst,
        final int off,
        final byte[] transactionId12,
        final String username,
        final byte[] integrityKey,
        final long priority,
        final boolean controlling,
        final long tieBreaker,
        final boolean useCandidate)
    {
        if (transactionId12 == null || transactionId12.length < TRANSACTION_ID_LENGTH || username == null)
        {
            return -1;
        }
        final byte[] encoded = isAscii(username) ? null : username.getBytes(StandardCharsets.UTF_8);
        final int usernameLength = encoded == null ? username.length() : encoded.length;
        if (usernameLength > MAX_USERNAME_BYTES)
        {
            return -1;
        }
        final int total = HEADER_LENGTH
            + ATTRIBUTE_HEADER_LENGTH + padded(usernameLength)
            + ATTRIBUTE_HEADER_LENGTH + TIE_BREAKER_LENGTH
            + (useCandidate ? ATTRIBUTE_HEADER_LENGTH : 0)
            + ATTRIBUTE_HEADER_LENGTH + PRIORITY_LENGTH
            + trailerLength(integrityKey);
        if (!Bytes.inBounds(dst, off, total))
        {
            return -1;
        }

        int position = writeHeader(dst, off, StunMessage.BINDING_REQUEST, transactionId12, 0);

        position = writeAttributeHeader(dst, position, StunMessage.USERNAME, usernameLength);
        if (encoded == null)
        {
            writeAscii(dst, position, username);
        }
        else
        {
            System.arraycopy(encoded, 0, dst, position, encoded.length);
        }
        position = writePadding(dst, position + usernameLength, usernameLength);

        position = writeAttributeHeader(
            dst, position, controlling ? StunMessage.ICE_CONTROLLING : StunMessage.ICE_CONTROLLED, TIE_BREAKER_LENGTH);
        Bytes.putInt64(dst, position, tieBreaker);
        position += TIE_BREAKER_LENGTH;

        if (useCandidate)
        {
            position = writeAttributeHeader(dst, position, StunMessage.USE_CANDIDATE, 0);
        }

        position = writeAttributeHeader(dst, position, StunMessage.PRIORITY, PRIORITY_LENGTH);
        Bytes.putUint32(dst, position, priority);
        position += PRIORITY_LENGTH;

        return finish(dst, off, position, integrityKey);
    }

    /**
     * Same check as {@link StunMessage#checkMessageIntegrity}, with this writer's MAC so a
     * worker can keep one crypto state for both directions.
     */
    public boolean verifyIntegrity(final StunMessage msg, final byte[] key)
    {
        final byte[] buf = msg.buffer();
        if (buf == null)
        {
            return false;
        }
        final int attribute = msg.attributeOffset(StunMessage.MESSAGE_INTEGRITY) - ATTRIBUTE_HEADER_LENGTH;
        if (attribute < 0)
        {
            return false;
        }
        final int lengthField = attribute + MESSAGE_INTEGRITY_ATTRIBUTE_LENGTH - msg.offset() - HEADER_LENGTH;
        final byte[] hmac = crypto.hmac(key, buf, msg.offset(), attribute, lengthField);
        return StunCrypto.equalsConstantTime(
            hmac, buf, attribute + ATTRIBUTE_HEADER_LENGTH, MESSAGE_INTEGRITY_LENGTH);
    }

    private static int trailerLength(final byte[] integrityKey)
    {
        final boolean integrity = integrityKey != null && integrityKey.length > 0;
        return (integrity ? MESSAGE_INTEGRITY_ATTRIBUTE_LENGTH : 0) + FINGERPRINT_ATTRIBUTE_LENGTH;
    }

    private static int writeHeader(
        final byte[] dst, final int off, final int type, final byte[] txBuf, final int txOff)
    {
        // Copy before the rest of the header, in case the id is read from bytes of dst that the
        // header overwrites.
        System.arraycopy(txBuf, txOff, dst, off + TRANSACTION_ID_OFFSET, TRANSACTION_ID_LENGTH);
        Bytes.putUint16(dst, off + StunMessage.TYPE_OFFSET, type);
        Bytes.putUint16(dst, off + LENGTH_OFFSET, 0);
        Bytes.putInt32(dst, off + MAGIC_COOKIE_OFFSET, MAGIC_COOKIE);
        return off + HEADER_LENGTH;
    }

    private static int writeAttributeHeader(final byte[] dst, final int position, final int type, final int length)
    {
        Bytes.putUint16(dst, position, type);
        Bytes.putUint16(dst, position + 2, length);
        return position + ATTRIBUTE_HEADER_LENGTH;
    }

    /** Zero-fills up to the 4-byte boundary; RFC 8489 §14 lets receivers ignore the values. */
    private static int writePadding(final byte[] dst, final int position, final int valueLength)
    {
        final int padding = padded(valueLength) - valueLength;
        for (int i = 0; i < padding; i++)
        {
            dst[position + i] = 0;
        }
        return position + padding;
    }

    /**
     * Appends MESSAGE-INTEGRITY then FINGERPRINT. Each is computed with the length field
     * counting up to its own end (RFC 8489 §14.5, §14.7), so the field is set twice.
     */
    private int finish(final byte[] dst, final int off, final int position, final byte[] integrityKey)
    {
        int end = position;
        if (integrityKey != null && integrityKey.length > 0)
        {
            final int lengthField = end + MESSAGE_INTEGRITY_ATTRIBUTE_LENGTH - off - HEADER_LENGTH;
            Bytes.putUint16(dst, off + LENGTH_OFFSET, lengthField);
            final byte[] hmac = crypto.hmac(integrityKey, dst, off, end, lengthField);
            end = writeAttributeHeader(dst, end, StunMessage.MESSAGE_INTEGRITY, MESSAGE_INTEGRITY_LENGTH);
            System.arraycopy(hmac, 0, dst, end, MESSAGE_INTEGRITY_LENGTH);
            end += MESSAGE_INTEGRITY_LENGTH;
        }

        Bytes.putUint16(dst, off + LENGTH_OFFSET, end + FINGERPRINT_ATTRIBUTE_LENGTH - off - HEADER_LENGTH);
        final int fingerprint = crypto.fingerprint(dst, off, end - off);
        end = writeAttributeHeader(dst, end, StunMessage.FINGERPRINT, StunMessage.FINGERPRINT_LENGTH);
        Bytes.putInt32(dst, end, fingerprint);
        end += StunMessage.FINGERPRINT_LENGTH;
        return end - off;
    }

    private static boolean isAscii(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) >= 0x80)
            {
                return false;
            }
        }
        return true;
    }

    private static void writeAscii(final byte[] dst, final int position, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            dst[position + i] = (byte)s.charAt(i);
        }
    }

    private static String defaultReason(final int code)
    {
        switch (code)
        {
            case 400:
                return "Bad Request";
            case 401:
                return "Unauthorized";
            case 420:
                return "Unknown Attribute";
            case 438:
                return "Stale Nonce";
            case 487:
                return "Role Conflict";
            case 500:
                return "Server Error";
            default:
                return "";
        }
    }
}
