package dev.relay.codecs.rtp;

import dev.relay.codecs.Bytes;

/**
 * Adds the transport-wide sequence number header extension
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2) to an RTP packet in place, as a
 * one-byte-header element (RFC 8285 §4.2): a new extension block when the packet has none, one
 * more 32-bit word at the end of its one-byte-header block otherwise. The payload moves back by 8
 * or 4 bytes; the caller's buffer must have that room after the packet. Nothing is allocated.
 */
public final class TransportSequenceStamp
{
    /*
     * The element: ID (4 bits), L = 1 (two bytes of data), then the 16-bit sequence number, then
     * one byte of padding to end the word (RFC 8285 §4.2 allows padding bytes between elements):
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |  ID   | L=1   |transport-wide sequence number | zero padding  |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    private static final int ONE_BYTE_PROFILE = 0xBEDE;
    private static final int X_BIT = 0x10;
    private static final int WORD = 4;
    private static final int FIXED_HEADER = 12;

    private TransportSequenceStamp()
    {
    }

    /**
     * Stamps {@code seq} under extension {@code id} (1-14) into the packet at {@code buf[off, off + len)}.
     *
     * @return the packet's new length, or -1 (nothing changed) if the packet is not RTP version
     *     2, carries a two-byte-header extension block, is cut short, or does not fit in
     *     {@code capacity} bytes from {@code off} once stamped.
     */
    public static int stamp(final byte[] buf, final int off, final int len, final int capacity, final int id,
        final int seq)
    {
        if (len < FIXED_HEADER || (buf[off] & 0xC0) != 0x80 || id < 1 || id > 14)
        {
            return -1;
        }
        final int csrcEnd = off + FIXED_HEADER + (buf[off] & 0x0F) * WORD;
        if (csrcEnd > off + len)
        {
            return -1;
        }
        if ((buf[off] & X_BIT) == 0)
        {
            final int grown = len + 2 * WORD;
            if (grown > capacity)
            {
                return -1;
            }
            System.arraycopy(buf, csrcEnd, buf, csrcEnd + 2 * WORD, off + len - csrcEnd);
            Bytes.putUint16(buf, csrcEnd, ONE_BYTE_PROFILE);
            Bytes.putUint16(buf, csrcEnd + 2, 1);
            writeElement(buf, csrcEnd + WORD, id, seq);
            buf[off] |= X_BIT;
            return grown;
        }
        if (csrcEnd + WORD > off + len || Bytes.uint16(buf, csrcEnd) != ONE_BYTE_PROFILE)
        {
            return -1;
        }
        final int words = Bytes.uint16(buf, csrcEnd + 2);
        final int blockEnd = csrcEnd + WORD + words * WORD;
        if (blockEnd > off + len || words == 0xFFFF || len + WORD > capacity)
        {
            return -1;
        }
        System.arraycopy(buf, blockEnd, buf, blockEnd + WORD, off + len - blockEnd);
        writeElement(buf, blockEnd, id, seq);
        Bytes.putUint16(buf, csrcEnd + 2, words + 1);
        return len + WORD;
    }

    private static void writeElement(final byte[] buf, final int at, final int id, final int seq)
    {
        buf[at] = (byte)((id << 4) | 1);
        Bytes.putUint16(buf, at + 1, seq & 0xFFFF);
        buf[at + 3] = 0;
    }
}
