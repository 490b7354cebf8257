package dev.relay.codecs.rtp;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over one RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions.
 *
 * <p>It reads and writes fields in place and never copies the packet. It is valid only while the
 * bytes it wraps are: whoever hands a packet on keeps ownership of the buffer. One instance is
 * reused for every packet; {@link #wrap} resets all state.
 *
 * <p>Wrap the plain RTP packet, after SRTP has removed its authentication tag: on an SRTP
 * packet the trailing tag is read as payload and, with P=1, its last byte as padding count.
 */
public final class RtpPacket
{
    /*
     * RFC 3550 §5.1 https://www.rfc-editor.org/rfc/rfc3550#section-5.1
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                           timestamp                           |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |           synchronization source (SSRC) identifier            |
     * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     * |            contributing source (CSRC) identifiers             |
     * |                             ....                              |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |      defined by profile       |           length              |  RFC 3550 §5.3.1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                        header extension                       |
     * |                             ....                              |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                     payload ... | padding ... | pad count     |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    static final int FLAGS_OFFSET = 0;
    static final int MARKER_PT_OFFSET = 1;
    static final int SEQUENCE_NUMBER_OFFSET = 2;
    static final int TIMESTAMP_OFFSET = 4;
    static final int SSRC_OFFSET = 8;
    static final int CSRC_OFFSET = 12;
    public static final int FIXED_HEADER_LENGTH = 12;

    static final int VERSION_SHIFT = 6;
    static final int VERSION = 2;
    static final int PADDING_BIT = 0x20;
    static final int EXTENSION_BIT = 0x10;
    static final int CSRC_COUNT_MASK = 0x0F;
    static final int MARKER_BIT = 0x80;
    static final int PAYLOAD_TYPE_MASK = 0x7F;
    static final int CSRC_LENGTH = 4;

    /** Extension header: 16-bit profile then 16-bit length in 32-bit words, RFC 3550 §5.3.1. */
    static final int EXTENSION_HEADER_LENGTH = 4;

    /*
     * RFC 8285 §4.2 one-byte form https://www.rfc-editor.org/rfc/rfc8285#section-4.2
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |       0xBE    |    0xDE       |           length=3            |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * RFC 8285 §4.3 two-byte form https://www.rfc-editor.org/rfc/rfc8285#section-4.3
     *
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |       0x100           |appbits|           length=3            |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |      ID       |     L=0       |     ID        |     L=1       |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |       data    |    0 (pad)    |       ID      |      L=4      |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    public static final int TWO_BYTE_PROFILE = 0x1000;
    /** The low four "appbits" of the two-byte profile are application-defined. */
    static final int TWO_BYTE_PROFILE_MASK = 0xFFF0;
    /** RFC 8285 §4.2: ID 15 is reserved; a parser must stop processing at it. */
    static final int ONE_BYTE_STOP_ID = 15;

    private byte[] buffer;
    private int offset;
    private int length;
    private int headerLength;
    private int paddingLength;
    private int lastExtensionLength = -1;

    /**
     * Points this flyweight at {@code buf[off, off + len)} and validates the header.
     *
     * @return false, leaving the flyweight unusable, when the range is out of the buffer, the
     *     version is not 2, the CSRC list or extension header does not fit, or the padding count
     *     is zero or larger than what follows the header.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        lastExtensionLength = -1;
        if (len < FIXED_HEADER_LENGTH || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }

        final int flags = buf[off + FLAGS_OFFSET] & 0xFF;
        if ((flags >>> VERSION_SHIFT) != VERSION)
        {
            return false;
        }

        int header = FIXED_HEADER_LENGTH + (flags & CSRC_COUNT_MASK) * CSRC_LENGTH;
        if (header > len)
        {
            return false;
        }

        if ((flags & EXTENSION_BIT) != 0)
        {
            if (header + EXTENSION_HEADER_LENGTH > len)
            {
                return false;
            }
            final int words = Bytes.uint16(buf, off + header + 2);
            header += EXTENSION_HEADER_LENGTH + words * 4;
            if (header > len)
            {
                return false;
            }
        }

        int padding = 0;
        if ((flags & PADDING_BIT) != 0)
        {
            // RFC 3550 §5.1: the count includes itself, so 0 is invalid, and it cannot reach
            // back into the header.
            padding = buf[off + len - 1] & 0xFF;
            if (padding == 0 || padding > len - header)
            {
                return false;
            }
        }

        buffer = buf;
        offset = off;
        length = len;
        headerLength = header;
        paddingLength = padding;
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

    public int length()
    {
        return length;
    }

    public boolean padding()
    {
        return (buffer[offset + FLAGS_OFFSET] & PADDING_BIT) != 0;
    }

    public boolean hasExtension()
    {
        return (buffer[offset + FLAGS_OFFSET] & EXTENSION_BIT) != 0;
    }

    public int csrcCount()
    {
        return buffer[offset + FLAGS_OFFSET] & CSRC_COUNT_MASK;
    }

    /** @return the i-th contributing source; {@code i} must be below {@link #csrcCount()}. */
    public int csrc(final int i)
    {
        return Bytes.int32(buffer, offset + CSRC_OFFSET + i * CSRC_LENGTH);
    }

    public boolean marker()
    {
        return (buffer[offset + MARKER_PT_OFFSET] & MARKER_BIT) != 0;
    }

    public void marker(final boolean marker)
    {
        final int index = offset + MARKER_PT_OFFSET;
        buffer[index] = (byte)(marker ? buffer[index] | MARKER_BIT : buffer[index] & ~MARKER_BIT);
    }

    public int payloadType()
    {
        return buffer[offset + MARKER_PT_OFFSET] & PAYLOAD_TYPE_MASK;
    }

    /** Rewrites the payload type, keeping the marker bit. */
    public void payloadType(final int payloadType)
    {
        final int index = offset + MARKER_PT_OFFSET;
        buffer[index] = (byte)((buffer[index] & MARKER_BIT) | (payloadType & PAYLOAD_TYPE_MASK));
    }

    public int sequenceNumber()
    {
        return Bytes.uint16(buffer, offset + SEQUENCE_NUMBER_OFFSET);
    }

    public void sequenceNumber(final int sequenceNumber)
    {
        Bytes.putUint16(buffer, offset + SEQUENCE_NUMBER_OFFSET, sequenceNumber);
    }

    /** @return the unsigned 32-bit RTP timestamp. */
    public long timestamp()
    {
        return Bytes.uint32(buffer, offset + TIMESTAMP_OFFSET);
    }

    public void timestamp(final long timestamp)
    {
        Bytes.putUint32(buffer, offset + TIMESTAMP_OFFSET, timestamp);
    }

    public int ssrc()
    {
        return Bytes.int32(buffer, offset + SSRC_OFFSET);
    }

    public void ssrc(final int ssrc)
    {
        Bytes.putInt32(buffer, offset + SSRC_OFFSET, ssrc);
    }

    /** @return bytes of fixed header, CSRC list and header extension (if any). */
    public int headerLength()
    {
        return headerLength;
    }

    /** @return absolute index of the first payload byte in {@link #buffer()}. */
    public int payloadOffset()
    {
        return offset + headerLength;
    }

    /** @return payload bytes, excluding padding. */
    public int payloadLength()
    {
        return length - headerLength - paddingLength;
    }

    /** @return padding bytes including the trailing count, 0 when P is clear. */
    public int paddingLength()
    {
        return paddingLength;
    }

    /** @return the 16-bit "defined by profile" field, or -1 when X is clear. */
    public int extensionProfile()
    {
        if (!hasExtension())
        {
            return -1;
        }
        return Bytes.uint16(buffer, extensionHeaderOffset());
    }

    /** @return absolute index of the first byte after the extension header, or -1 when X is clear. */
    public int extensionOffset()
    {
        return hasExtension() ? extensionHeaderOffset() + EXTENSION_HEADER_LENGTH : -1;
    }

    /** @return bytes of extension data after the 4-byte extension header, 0 when X is clear. */
    public int extensionLength()
    {
        return hasExtension() ? Bytes.uint16(buffer, extensionHeaderOffset() + 2) * 4 : 0;
    }

    /**
     * Finds an RFC 8285 header extension element.
     *
     * <p>The walk is repeated on each call: a packet carries a handful of elements and caching
     * their positions would cost more on packets nobody asks about.
     *
     * @param id the negotiated extmap id: 1..14 in the one-byte form, 1..255 in the two-byte form.
     * @return absolute index of the element's data, or -1 when absent, when the packet uses a
     *     profile other than the RFC 8285 ones, or when an element runs past the extension block.
     *     The data length is then available from {@link #lastExtensionLength()}.
     */
    public int findExtension(final int id)
    {
        lastExtensionLength = -1;
        if (!hasExtension() || id <= 0)
        {
            return -1;
        }

        final int profile = Bytes.uint16(buffer, extensionHeaderOffset());
        final int start = extensionHeaderOffset() + EXTENSION_HEADER_LENGTH;
        final int end = start + extensionLength();
        if (profile == ONE_BYTE_PROFILE)
        {
            return findOneByte(id, start, end);
        }
        if ((profile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE)
        {
            return findTwoByte(id, start, end);
        }
        return -1;
    }

    /** @return data length of the element last found by {@link #findExtension}, -1 if none. */
    public int lastExtensionLength()
    {
        return lastExtensionLength;
    }

    /**
     * Writes a 12-byte header with V=2 and no padding, extension or CSRC.
     *
     * @return bytes written, always {@link #FIXED_HEADER_LENGTH}.
     */
    public static int writeHeader(
        final byte[] dst,
        final int off,
        final boolean marker,
        final int pt,
        final int seq,
        final long ts,
        final int ssrc)
    {
        dst[off + FLAGS_OFFSET] = (byte)(VERSION << VERSION_SHIFT);
        dst[off + MARKER_PT_OFFSET] = (byte)((marker ? MARKER_BIT : 0) | (pt & PAYLOAD_TYPE_MASK));
        Bytes.putUint16(dst, off + SEQUENCE_NUMBER_OFFSET, seq);
        Bytes.putUint32(dst, off + TIMESTAMP_OFFSET, ts);
        Bytes.putInt32(dst, off + SSRC_OFFSET, ssrc);
        return FIXED_HEADER_LENGTH;
    }

    private int extensionHeaderOffset()
    {
        return offset + CSRC_OFFSET + csrcCount() * CSRC_LENGTH;
    }

    private int findOneByte(final int id, final int start, final int end)
    {
        int i = start;
        while (i < end)
        {
            final int b = buffer[i] & 0xFF;
            final int elementId = b >>> 4;
            if (elementId == 0)
            {
                // RFC 8285 §4.2: a zero byte is padding, which may sit between elements. A
                // non-zero length with ID 0 is not valid padding, but skipping one byte is what
                // libwebrtc does and it stays in bounds.
                i++;
                continue;
            }
            if (elementId == ONE_BYTE_STOP_ID)
            {
                return -1;
            }
            final int dataLength = (b & 0x0F) + 1;
            final int data = i + 1;
            if (data + dataLength > end)
            {
                return -1;
            }
            if (elementId == id)
            {
                lastExtensionLength = dataLength;
                return data;
            }
            i = data + dataLength;
        }
        return -1;
    }

    private int findTwoByte(final int id, final int start, final int end)
    {
        int i = start;
        while (i < end)
        {
            final int elementId = buffer[i] & 0xFF;
            if (elementId == 0)
            {
                // RFC 8285 §4.3: padding is single zero bytes, not an ID/length pair.
                i++;
                continue;
            }
            if (i + 2 > end)
            {
                return -1;
            }
            final int dataLength = buffer[i + 1] & 0xFF;
            final int data = i + 2;
            if (data + dataLength > end)
            {
                return -1;
            }
            if (elementId == id)
            {
                lastExtensionLength = dataLength;
                return data;
            }
            i = data + dataLength;
        }
        return -1;
    }
}
