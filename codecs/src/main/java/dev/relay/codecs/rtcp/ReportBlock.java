package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Layout of one reception report block, shared by {@link SenderReport} and
 * {@link ReceiverReport}; static accessors take the absolute index of the block.
 */
public final class ReportBlock
{
    /*
     * RFC 3550 §6.4.1 https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     * |                 SSRC_1 (SSRC of first source)                 |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * | fraction lost |       cumulative number of packets lost       |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |           extended highest sequence number received           |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                      interarrival jitter                      |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                         last SR (LSR)                         |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                   delay since last SR (DLSR)                  |
     * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     */
    static final int SSRC_OFFSET = 0;
    static final int FRACTION_LOST_OFFSET = 4;
    static final int CUMULATIVE_LOST_OFFSET = 5;
    static final int EXTENDED_HIGHEST_SEQ_OFFSET = 8;
    static final int JITTER_OFFSET = 12;
    static final int LSR_OFFSET = 16;
    static final int DLSR_OFFSET = 20;
    public static final int LENGTH = 24;

    /** The cumulative lost field is a 24-bit two's complement number (RFC 3550 §6.4.1). */
    static final int CUMULATIVE_LOST_MAX = 0x7F_FFFF;
    static final int CUMULATIVE_LOST_MIN = -0x80_0000;

    private ReportBlock()
    {
    }

    public static int ssrc(final byte[] buf, final int block)
    {
        return Bytes.int32(buf, block + SSRC_OFFSET);
    }

    /** @return loss since the last report as a fixed-point fraction of 256. */
    public static int fractionLost(final byte[] buf, final int block)
    {
        return buf[block + FRACTION_LOST_OFFSET] & 0xFF;
    }

    /** @return packets lost since the start, signed: duplicates can make it negative. */
    public static int cumulativeLost(final byte[] buf, final int block)
    {
        return (Bytes.uint24(buf, block + CUMULATIVE_LOST_OFFSET) << 8) >> 8;
    }

    public static long extendedHighestSeq(final byte[] buf, final int block)
    {
        return Bytes.uint32(buf, block + EXTENDED_HIGHEST_SEQ_OFFSET);
    }

    public static long jitter(final byte[] buf, final int block)
    {
        return Bytes.uint32(buf, block + JITTER_OFFSET);
    }

    /** @return middle 32 bits of the NTP timestamp of the last SR received, 0 if none. */
    public static long lsr(final byte[] buf, final int block)
    {
        return Bytes.uint32(buf, block + LSR_OFFSET);
    }

    /** @return delay since that SR in units of 1/65536 s. */
    public static long dlsr(final byte[] buf, final int block)
    {
        return Bytes.uint32(buf, block + DLSR_OFFSET);
    }

    /**
     * Writes one block; {@code cumulativeLost} is clamped to the 24-bit signed range as RFC 3550
     * §6.4.1 asks rather than wrapped.
     *
     * @return bytes written, {@link #LENGTH}.
     */
    public static int write(
        final byte[] dst,
        final int off,
        final int ssrc,
        final int fractionLost,
        final int cumulativeLost,
        final long extHighestSeq,
        final long jitter,
        final long lsr,
        final long dlsr)
    {
        final int lost = Math.max(CUMULATIVE_LOST_MIN, Math.min(CUMULATIVE_LOST_MAX, cumulativeLost));
        Bytes.putInt32(dst, off + SSRC_OFFSET, ssrc);
        Bytes.putUint8(dst, off + FRACTION_LOST_OFFSET, fractionLost);
        Bytes.putUint24(dst, off + CUMULATIVE_LOST_OFFSET, lost);
        Bytes.putUint32(dst, off + EXTENDED_HIGHEST_SEQ_OFFSET, extHighestSeq);
        Bytes.putUint32(dst, off + JITTER_OFFSET, jitter);
        Bytes.putUint32(dst, off + LSR_OFFSET, lsr);
        Bytes.putUint32(dst, off + DLSR_OFFSET, dlsr);
        return LENGTH;
    }
}
