package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over a Receiver Estimated Maximum Bitrate message, an application layer feedback
 * (PSFB FMT=15) that Chromium still understands when transport-cc is not negotiated.
 */
public final class RembPacket
{
    /*
     * draft-alvestrand-rmcat-remb-03 §2.2
     * https://datatracker.ietf.org/doc/html/draft-alvestrand-rmcat-remb-03#section-2.2
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |V=2|P| FMT=15  |   PT=206      |             length            |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                  SSRC of packet sender                        |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                  SSRC of media source (always 0)              |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |  Unique identifier 'R' 'E' 'M' 'B'                            |  12
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |  Num SSRC     | BR Exp    |  BR Mantissa                      |  16
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |   SSRC feedback                                               |  20
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |  ...                                                          |
     */
    static final int IDENTIFIER_OFFSET = 12;
    static final int NUM_SSRC_OFFSET = 16;
    static final int BITRATE_OFFSET = 17;
    static final int SSRCS_OFFSET = 20;
    public static final int LENGTH_WITHOUT_SSRCS = 20;
    public static final int FMT = 15;
    /** 'R' 'E' 'M' 'B' as a big-endian int. */
    static final int IDENTIFIER = 0x52454D42;
    static final int EXPONENT_SHIFT = 18;
    static final int MANTISSA_MASK = 0x3_FFFF;
    /** Num SSRC is one byte. */
    public static final int MAX_SSRCS = 255;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;

    /**
     * @return false unless this is a PSFB FMT=15 message with the "REMB" identifier, room for
     *     the listed SSRCs, and a bitrate that fits in a long (libwebrtc rejects the rest too).
     *     Other FMT=15 application messages return false as well.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || !FeedbackHeader.matches(header, RtcpHeader.PT_PSFB, FMT))
        {
            return false;
        }
        final int size = header.lengthInBytes();
        if (size < LENGTH_WITHOUT_SSRCS || Bytes.int32(buf, off + IDENTIFIER_OFFSET) != IDENTIFIER)
        {
            return false;
        }
        if (size < SSRCS_OFFSET + (buf[off + NUM_SSRC_OFFSET] & 0xFF) * 4)
        {
            return false;
        }
        final int field = Bytes.uint24(buf, off + BITRATE_OFFSET);
        final int exponent = field >>> EXPONENT_SHIFT;
        final long mantissa = field & MANTISSA_MASK;
        // Arithmetic shift back: a value that reaches the sign bit is as unusable as one that
        // falls off the top.
        if (((mantissa << exponent) >> exponent) != mantissa)
        {
            return false;
        }
        buffer = buf;
        offset = off;
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
        return header.lengthInBytes();
    }

    public int senderSsrc()
    {
        return FeedbackHeader.senderSsrc(buffer, offset);
    }

    /** @return estimated maximum bitrate in bits per second: mantissa * 2^exponent. */
    public long bitrate()
    {
        final int field = Bytes.uint24(buffer, offset + BITRATE_OFFSET);
        return ((long)(field & MANTISSA_MASK)) << (field >>> EXPONENT_SHIFT);
    }

    public int ssrcCount()
    {
        return buffer[offset + NUM_SSRC_OFFSET] & 0xFF;
    }

    /** @return the i-th SSRC the estimate applies to; {@code i} must be below {@link #ssrcCount()}. */
    public int ssrc(final int i)
    {
        return Bytes.int32(buffer, offset + SSRCS_OFFSET + i * 4);
    }

    /**
     * Writes a REMB for {@code ssrcs[0..count)}. The bitrate is rounded down to the nearest value
     * the 18-bit mantissa can carry: an estimate must never be reported higher than measured.
     *
     * @param count 0..255.
     * @return bytes written, {@code 20 + 4 * count}.
     */
    public static int write(
        final byte[] dst, final int off, final int senderSsrc, final long bitrate, final int[] ssrcs, final int count)
    {
        final int length = LENGTH_WITHOUT_SSRCS + count * 4;
        FeedbackHeader.write(dst, off, FMT, RtcpHeader.PT_PSFB, length, senderSsrc, 0);
        Bytes.putInt32(dst, off + IDENTIFIER_OFFSET, IDENTIFIER);

        final long bps = Math.max(0, bitrate);
        int exponent = 0;
        while ((bps >>> exponent) > MANTISSA_MASK)
        {
            exponent++;
        }
        final int mantissa = (int)(bps >>> exponent);
        dst[off + NUM_SSRC_OFFSET] = (byte)count;
        Bytes.putUint24(dst, off + BITRATE_OFFSET, (exponent << EXPONENT_SHIFT) | mantissa);
        for (int i = 0; i < count; i++)
        {
            Bytes.putInt32(dst, off + SSRCS_OFFSET + i * 4, ssrcs[i]);
        }
        return length;
    }
}
