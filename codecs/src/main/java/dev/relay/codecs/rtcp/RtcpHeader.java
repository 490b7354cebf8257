package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over the header common to every RTCP packet (RFC 3550 §6.4, RFC 4585 §6.1).
 *
 * <p>{@link #wrap} accepts a buffer holding more than one packet (a compound, RFC 3550 §6.1):
 * the packet's own length field bounds it, see {@link #lengthInBytes()}.
 */
public final class RtcpHeader
{
    /*
     * RFC 3550 §6.4.1 https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
     * RFC 4585 §6.1   https://www.rfc-editor.org/rfc/rfc4585#section-6.1
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |V=2|P| RC/FMT  |      PT       |  length (32-bit words - 1)    |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                  SSRC of packet sender                        |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    static final int FLAGS_OFFSET = 0;
    static final int PACKET_TYPE_OFFSET = 1;
    static final int LENGTH_OFFSET = 2;
    static final int SENDER_SSRC_OFFSET = 4;
    public static final int HEADER_LENGTH = 4;
    /** Header plus sender SSRC, the smallest packet that has a sender. */
    public static final int HEADER_WITH_SSRC_LENGTH = 8;

    static final int VERSION = 2;
    static final int VERSION_SHIFT = 6;
    static final int PADDING_BIT = 0x20;
    static final int COUNT_MASK = 0x1F;

    public static final int PT_SR = 200;
    public static final int PT_RR = 201;
    public static final int PT_SDES = 202;
    public static final int PT_BYE = 203;
    public static final int PT_APP = 204;
    public static final int PT_RTPFB = 205;
    public static final int PT_PSFB = 206;
    /** RFC 3611 extended reports. */
    public static final int PT_XR = 207;

    private byte[] buffer;
    private int offset;
    private int lengthInBytes;

    /**
     * @return false when fewer than 4 bytes are available, the version is not 2 or the packet's
     *     length field reaches past {@code len}.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (len < HEADER_LENGTH || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }
        if (((buf[off + FLAGS_OFFSET] & 0xFF) >>> VERSION_SHIFT) != VERSION)
        {
            return false;
        }
        final int bytes = (Bytes.uint16(buf, off + LENGTH_OFFSET) + 1) * 4;
        if (bytes > len)
        {
            return false;
        }
        buffer = buf;
        offset = off;
        lengthInBytes = bytes;
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

    public boolean padding()
    {
        return (buffer[offset + FLAGS_OFFSET] & PADDING_BIT) != 0;
    }

    /** @return the 5-bit field after P: report count (RC), source count (SC) or feedback FMT. */
    public int count()
    {
        return buffer[offset + FLAGS_OFFSET] & COUNT_MASK;
    }

    public int packetType()
    {
        return buffer[offset + PACKET_TYPE_OFFSET] & 0xFF;
    }

    /** @return this packet's size including the header, from its length field. */
    public int lengthInBytes()
    {
        return lengthInBytes;
    }

    /** @return the first SSRC after the header, or 0 for a packet too short to carry one. */
    public int senderSsrc()
    {
        if (lengthInBytes < HEADER_WITH_SSRC_LENGTH)
        {
            return 0;
        }
        return Bytes.int32(buffer, offset + SENDER_SSRC_OFFSET);
    }

    /**
     * Writes a header whose length field covers {@code lengthInBytes}, which must be a multiple
     * of 4 of at least 4.
     *
     * @return bytes written, {@link #HEADER_LENGTH}.
     */
    public static int write(
        final byte[] dst, final int off, final int count, final int packetType, final int lengthInBytes)
    {
        dst[off + FLAGS_OFFSET] = (byte)((VERSION << VERSION_SHIFT) | (count & COUNT_MASK));
        dst[off + PACKET_TYPE_OFFSET] = (byte)packetType;
        Bytes.putUint16(dst, off + LENGTH_OFFSET, lengthInBytes / 4 - 1);
        return HEADER_LENGTH;
    }
}
