package dev.relay.codecs.rtp;

import dev.relay.codecs.Bytes;

/**
 * A reusable flyweight over the payload of an RTP packet with redundant audio data (RFC 2198),
 * as WebRTC negotiates it for Opus ({@code a=rtpmap:<pt> red/48000/2}, {@code a=fmtp:<pt> 111/111}):
 * zero or more redundant blocks, older first, then the primary block, the packet's own frame.
 *
 * <p>{@link #wrap} validates the block headers against the payload length and keeps each block's
 * position in fixed arrays; nothing is copied and nothing allocated. A payload with more than
 * {@link #MAX_BLOCKS} blocks is refused: senders put one or two redundant frames in (a larger
 * count only costs a receiver work).
 */
public final class RedPayload
{
    /*
     * RFC 2198 §3 https://www.rfc-editor.org/rfc/rfc2198#section-3
     *
     * Every block but the last has a four-byte header:
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |F|   block PT  |  timestamp offset         |   block length    |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * The last (primary) block's header is one byte, F = 0 and its payload type; its length is
     * what remains of the payload and its timestamp is the packet's. The blocks' data follow
     * the headers in the same order. A redundant block's timestamp is the packet's minus the
     * (unsigned, 14-bit) offset.
     */
    public static final int MAX_BLOCKS = 8;
    private static final int FOLLOWS = 0x80;
    private static final int LONG_HEADER = 4;

    private final int[] headerOffset = new int[MAX_BLOCKS];
    private final int[] dataOffset = new int[MAX_BLOCKS];
    private final int[] dataLength = new int[MAX_BLOCKS];
    private final int[] timestampOffset = new int[MAX_BLOCKS];
    private byte[] buffer;
    private int blocks;

    /**
     * Points at {@code buf[off, off + len)}, an RTP packet's payload (padding excluded).
     *
     * @return false if it is not a well-formed RED payload: no header, a header or block that
     *     runs past {@code len}, more than {@link #MAX_BLOCKS} blocks, or a range outside {@code buf}.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = buf;
        blocks = 0;
        if (len < 1 || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }
        final int end = off + len;
        int at = off;
        int dataLengths = 0;
        while (true)
        {
            if (at >= end || blocks == MAX_BLOCKS)
            {
                blocks = 0;
                return false;
            }
            headerOffset[blocks] = at;
            if ((buf[at] & FOLLOWS) == 0)
            {
                timestampOffset[blocks] = 0;
                at++;
                blocks++;
                break;
            }
            if (end - at < LONG_HEADER)
            {
                blocks = 0;
                return false;
            }
            timestampOffset[blocks] = ((buf[at + 1] & 0xFF) << 6) | ((buf[at + 2] & 0xFC) >>> 2);
            dataLength[blocks] = ((buf[at + 2] & 0x03) << 8) | (buf[at + 3] & 0xFF);
            dataLengths += dataLength[blocks];
            at += LONG_HEADER;
            blocks++;
        }
        if (end - at < dataLengths)
        {
            blocks = 0;
            return false;
        }
        for (int i = 0; i < blocks - 1; i++)
        {
            dataOffset[i] = at;
            at += dataLength[i];
        }
        dataOffset[blocks - 1] = at;
        dataLength[blocks - 1] = end - at;
        return true;
    }

    /** Blocks in the payload, the primary included: at least 1 after a successful {@link #wrap}. */
    public int blockCount()
    {
        return blocks;
    }

    /** The index of the primary block, the last one. */
    public int primary()
    {
        return blocks - 1;
    }

    public int payloadType(final int block)
    {
        return buffer[headerOffset[block]] & 0x7F;
    }

    /** Rewrites block {@code block}'s payload type in place, keeping its F bit. */
    public void payloadType(final int block, final int payloadType)
    {
        final int at = headerOffset[block];
        buffer[at] = (byte)((buffer[at] & FOLLOWS) | (payloadType & 0x7F));
    }

    /** How many RTP timestamp units the block is older than the packet; 0 for the primary. */
    public int timestampOffset(final int block)
    {
        return timestampOffset[block];
    }

    public int dataOffset(final int block)
    {
        return dataOffset[block];
    }

    public int dataLength(final int block)
    {
        return dataLength[block];
    }
}
