package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over an RTCP sender report (RFC 3550 §6.4.1).
 *
 * <p>{@link #wrap} takes the bytes available from the packet's start; the packet's length field
 * bounds it, so {@code wrap(buf, it.packetOffset(), it.packetLength())} and
 * {@code wrap(buf, off, datagramLength)} both work.
 */
public final class SenderReport
{
    /*
     * RFC 3550 §6.4.1 https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
     *
     *         0                   1                   2                   3
     *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * header |V=2|P|    RC   |   PT=SR=200   |             length            |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *        |                         SSRC of sender                        |
     *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     * sender |              NTP timestamp, most significant word             |
     * info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *        |             NTP timestamp, least significant word             |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *        |                         RTP timestamp                         |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *        |                     sender's packet count                     |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *        |                      sender's octet count                     |
     *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     * report |                 report blocks, see ReportBlock                |
     * blocks |                             ...                               |
     *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
     *        |                  profile-specific extensions                  |
     *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    static final int SENDER_SSRC_OFFSET = 4;
    static final int NTP_TIMESTAMP_OFFSET = 8;
    static final int RTP_TIMESTAMP_OFFSET = 16;
    static final int PACKET_COUNT_OFFSET = 20;
    static final int OCTET_COUNT_OFFSET = 24;
    static final int REPORT_BLOCKS_OFFSET = 28;
    public static final int LENGTH_WITHOUT_BLOCKS = 28;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;

    /**
     * @return false unless this is a valid RTCP header with PT=200 whose length covers the
     *     sender info and the RC report blocks.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || header.packetType() != RtcpHeader.PT_SR)
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

    /** @return the 64-bit NTP timestamp: seconds since 1900 in the high word, fraction low. */
    public long ntpTimestamp()
    {
        return Bytes.int64(buffer, offset + NTP_TIMESTAMP_OFFSET);
    }

    /** @return the middle 32 bits of the NTP timestamp, echoed back as LSR (RFC 3550 §6.4.1). */
    public long compactNtp()
    {
        return NtpTime.compact(ntpTimestamp());
    }

    public long rtpTimestamp()
    {
        return Bytes.uint32(buffer, offset + RTP_TIMESTAMP_OFFSET);
    }

    public long packetCount()
    {
        return Bytes.uint32(buffer, offset + PACKET_COUNT_OFFSET);
    }

    public long octetCount()
    {
        return Bytes.uint32(buffer, offset + OCTET_COUNT_OFFSET);
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
     * Writes a sender report without report blocks.
     *
     * @return bytes written, {@link #LENGTH_WITHOUT_BLOCKS}.
     */
    public static int write(
        final byte[] dst,
        final int off,
        final int ssrc,
        final long ntp,
        final long rtpTs,
        final long packetCount,
        final long octetCount)
    {
        return writeHeader(dst, off, ssrc, ntp, rtpTs, packetCount, octetCount, 0);
    }

    /**
     * Writes the header and sender info of a sender report whose length field accounts for
     * {@code blockCount} blocks; append them with {@link ReportBlock#write}.
     *
     * @return bytes written, {@link #LENGTH_WITHOUT_BLOCKS}.
     */
    public static int writeHeader(
        final byte[] dst,
        final int off,
        final int ssrc,
        final long ntp,
        final long rtpTs,
        final long packetCount,
        final long octetCount,
        final int blockCount)
    {
        RtcpHeader.write(
            dst, off, blockCount, RtcpHeader.PT_SR, LENGTH_WITHOUT_BLOCKS + blockCount * ReportBlock.LENGTH);
        Bytes.putInt32(dst, off + SENDER_SSRC_OFFSET, ssrc);
        Bytes.putInt64(dst, off + NTP_TIMESTAMP_OFFSET, ntp);
        Bytes.putUint32(dst, off + RTP_TIMESTAMP_OFFSET, rtpTs);
        Bytes.putUint32(dst, off + PACKET_COUNT_OFFSET, packetCount);
        Bytes.putUint32(dst, off + OCTET_COUNT_OFFSET, octetCount);
        return LENGTH_WITHOUT_BLOCKS;
    }
}
