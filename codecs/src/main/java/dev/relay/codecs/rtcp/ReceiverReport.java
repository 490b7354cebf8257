package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over an RTCP receiver report (RFC 3550 §6.4.2).
 *
 * <p>{@link #wrap} takes the bytes available from the packet's start; the packet's length field
 * bounds it.
 */
public final class ReceiverReport
{
    /*
     * RFC 3550 §6.4.2 https://www.rfc-editor.org/rfc/rfc3550#section-6.4.2
     *
     *         0                   1                   2                   3
     *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * header |V=2|P|    RC   |   PT=RR=201   |             length            |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *        |                     SSRC of packet sender                     |
     *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     * report |                 report blocks, see ReportBlock                |
     * blocks |                             ...                               |
     *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     *        |                  profile-specific extensions                  |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    static final int SENDER_SSRC_OFFSET = 4;
    static final int REPORT_BLOCKS_OFFSET = 8;
    public static final int HEADER_LENGTH = 8;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;

    /**
     * @return false unless this is a valid RTCP header with PT=201 whose length covers the RC
     *     report blocks.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || header.packetType() != RtcpHeader.PT_RR)
        {
            return false;
        }
        if (header.lengthInBytes() < REPORT_BLOCKS_OFFSET + header.count() * ReportBlock.LENGTH)
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

    /** @return packet size from its length field. */
    public int length()
    {
        return header.lengthInBytes();
    }

    public int senderSsrc()
    {
        return Bytes.int32(buffer, offset + SENDER_SSRC_OFFSET);
    }

    public int reportCount()
    {
        return header.count();
    }

    /** @return absolute index of report block {@code i}, which must be below {@link #reportCount()}. */
    public int blockOffset(final int i)
    {
        return offset + REPORT_BLOCKS_OFFSET + i * ReportBlock.LENGTH;
    }

    public int blockSsrc(final int i)
    {
        return ReportBlock.ssrc(buffer, blockOffset(i));
    }

    public int fractionLost(final int i)
    {
        return ReportBlock.fractionLost(buffer, blockOffset(i));
    }

    public int cumulativeLost(final int i)
    {
        return ReportBlock.cumulativeLost(buffer, blockOffset(i));
    }

    public long extendedHighestSeq(final int i)
    {
        return ReportBlock.extendedHighestSeq(buffer, blockOffset(i));
    }

    public long jitter(final int i)
    {
        return ReportBlock.jitter(buffer, blockOffset(i));
    }

    public long lsr(final int i)
    {
        return ReportBlock.lsr(buffer, blockOffset(i));
    }

    public long dlsr(final int i)
    {
        return ReportBlock.dlsr(buffer, blockOffset(i));
    }

    /**
     * Writes the header and sender SSRC with a length field covering {@code blockCount} blocks
     * (0..31), to be followed by that many {@link #writeBlock} calls.
     *
     * @return bytes written, {@link #HEADER_LENGTH}.
     */
    public static int writeHeader(final byte[] dst, final int off, final int senderSsrc, final int blockCount)
    {
        RtcpHeader.write(dst, off, blockCount, RtcpHeader.PT_RR, HEADER_LENGTH + blockCount * ReportBlock.LENGTH);
        Bytes.putInt32(dst, off + SENDER_SSRC_OFFSET, senderSsrc);
        return HEADER_LENGTH;
    }

    /**
     * Writes one report block, see {@link ReportBlock#write}.
     *
     * @return bytes written, {@link ReportBlock#LENGTH}.
     */
    public static int writeBlock(
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
        return ReportBlock.write(dst, off, ssrc, fractionLost, cumulativeLost, extHighestSeq, jitter, lsr, dlsr);
    }
}
