package dev.relay.codecs.rtp;

import dev.relay.codecs.Bytes;

/**
 * RTP retransmission packets (RFC 4588), SSRC-multiplexed as WebRTC negotiates them: the
 * retransmission stream has its own SSRC and payload type ({@code a=fmtp:<rtx> apt=<pt>}).
 *
 * <p>Static helpers over {@link RtpPacket} flyweights that copy between caller-owned ranges and
 * never allocate. Source and destination may be the same range of the same array (convert in
 * place) or any overlapping ranges of it: the copies are ordered so that no byte is overwritten
 * before it is read.
 *
 * <p>Padding (RFC 3550 §5.1) is not payload: neither direction carries it over. The packet
 * written has P clear and ends with the last payload byte.
 */
public final class RtxPacket
{
    /*
     * RFC 4588 §4 https://www.rfc-editor.org/rfc/rfc4588#section-4
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                         RTP Header                            |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |            OSN                |                               |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
     * |                  Original RTP Packet Payload                  |
     * |                                                               |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * The header is the original's with the retransmission stream's SSRC, payload type and
     * sequence number; the timestamp stays the original's. OSN is the original sequence number.
     */
    public static final int OSN_OFFSET = 0;
    public static final int OSN_LENGTH = 2;

    private RtxPacket()
    {
    }

    /**
     * @param keepHeaderExtras whether the CSRC list and header extension are copied.
     * @return bytes {@link #write} produces for {@code original}.
     */
    public static int length(final RtpPacket original, final boolean keepHeaderExtras)
    {
        return headerLength(original, keepHeaderExtras) + OSN_LENGTH + original.payloadLength();
    }

    /**
     * Writes {@code original} as a retransmission packet into {@code dst[dstOff, dstOff + dstCapacity)}:
     * its header (marker, timestamp and, if kept, CSRCs and header extension as they are) with
     * the given SSRC, payload type and sequence number, then its sequence number as OSN, then
     * its payload. To convert in place pass {@code original.buffer()} and {@code original.offset()}
     * with the room behind it: the packet grows by {@link #OSN_LENGTH} bytes (less what the
     * padding and dropped extras took). {@code original} describes stale bytes afterwards.
     *
     * @param keepHeaderExtras false to drop the CSRC list and header extension (CC=0, X=0),
     *     for a receiver that negotiated none.
     * @return bytes written, or -1 (nothing written) when the range lies outside {@code dst} or
     *     the packet does not fit in it.
     */
    public static int write(
        final RtpPacket original,
        final byte[] dst,
        final int dstOff,
        final int dstCapacity,
        final int rtxSsrc,
        final int rtxPayloadType,
        final int rtxSequenceNumber,
        final boolean keepHeaderExtras)
    {
        return write(original, original.sequenceNumber(), dst, dstOff, dstCapacity, rtxSsrc, rtxPayloadType,
            rtxSequenceNumber, keepHeaderExtras);
    }

    /**
     * As {@link #write(RtpPacket, byte[], int, int, int, int, int, boolean)}, with
     * {@code originalSequenceNumber} as the OSN instead of the one in {@code original}: a relay
     * retransmits from the packet as it received it, while its receiver knows the packet by the
     * sequence number the relay rewrote it to.
     */
    public static int write(
        final RtpPacket original,
        final int originalSequenceNumber,
        final byte[] dst,
        final int dstOff,
        final int dstCapacity,
        final int rtxSsrc,
        final int rtxPayloadType,
        final int rtxSequenceNumber,
        final boolean keepHeaderExtras)
    {
        final int header = headerLength(original, keepHeaderExtras);
        final int payload = original.payloadLength();
        final int total = header + OSN_LENGTH + payload;
        if (!Bytes.inBounds(dst, dstOff, dstCapacity) || total > dstCapacity)
        {
            return -1;
        }

        move(original.buffer(), original.offset(), header, original.payloadOffset(), payload,
            dst, dstOff, dstOff + header + OSN_LENGTH);
        Bytes.putUint16(dst, dstOff + header + OSN_OFFSET, originalSequenceNumber);

        int flags = dst[dstOff + RtpPacket.FLAGS_OFFSET] & ~RtpPacket.PADDING_BIT;
        if (!keepHeaderExtras)
        {
            flags &= ~(RtpPacket.EXTENSION_BIT | RtpPacket.CSRC_COUNT_MASK);
        }
        dst[dstOff + RtpPacket.FLAGS_OFFSET] = (byte)flags;
        rewrite(dst, dstOff, rtxPayloadType, rtxSequenceNumber, rtxSsrc);
        return total;
    }

    /**
     * @return the OSN of a retransmission packet, or -1 when its payload is shorter than the OSN
     *     (a padding-only packet on the retransmission stream, as bandwidth probes are).
     */
    public static int originalSequenceNumber(final RtpPacket rtx)
    {
        if (rtx.payloadLength() < OSN_LENGTH)
        {
            return -1;
        }
        return Bytes.uint16(rtx.buffer(), rtx.payloadOffset() + OSN_OFFSET);
    }

    /**
     * Rebuilds the original packet from a retransmission packet into {@code dst[dstOff, dstOff + dstCapacity)}:
     * its header, CSRCs and header extension as they are, with the original SSRC, payload type
     * and OSN as sequence number, then the payload after the OSN. To restore in place pass
     * {@code rtx.buffer()}, {@code rtx.offset()} and {@code rtx.length()}: the result is always
     * shorter than the retransmission packet. {@code rtx} describes stale bytes afterwards; wrap
     * the result again to read it.
     *
     * @return bytes written, or -1 (nothing written) when there is no OSN (see
     *     {@link #originalSequenceNumber}), the range lies outside {@code dst} or the packet does
     *     not fit in it.
     */
    public static int unwrap(
        final RtpPacket rtx,
        final byte[] dst,
        final int dstOff,
        final int dstCapacity,
        final int originalSsrc,
        final int originalPayloadType)
    {
        final int osn = originalSequenceNumber(rtx);
        if (osn < 0)
        {
            return -1;
        }
        final int header = rtx.headerLength();
        final int payload = rtx.payloadLength() - OSN_LENGTH;
        final int total = header + payload;
        if (!Bytes.inBounds(dst, dstOff, dstCapacity) || total > dstCapacity)
        {
            return -1;
        }

        move(rtx.buffer(), rtx.offset(), header, rtx.payloadOffset() + OSN_LENGTH, payload, dst, dstOff, dstOff + header);
        dst[dstOff + RtpPacket.FLAGS_OFFSET] &= (byte)~RtpPacket.PADDING_BIT;
        rewrite(dst, dstOff, originalPayloadType, osn, originalSsrc);
        return total;
    }

    private static int headerLength(final RtpPacket packet, final boolean keepHeaderExtras)
    {
        return keepHeaderExtras ? packet.headerLength() : RtpPacket.FIXED_HEADER_LENGTH;
    }

    /**
     * Copies {@code headerLength} bytes from {@code srcOff} to {@code dstOff} and
     * {@code payloadLength} bytes from {@code srcPayload} to {@code dstPayload}, where both
     * destinations keep the source order (header, then payload) but the gap between them may
     * grow or shrink. Within one array, the header copy can only overwrite source payload when
     * the packet moves right, and the payload copy can only overwrite the source header when it
     * moves left; copying the part that would be overwritten first keeps both intact.
     */
    private static void move(
        final byte[] src,
        final int srcOff,
        final int headerLength,
        final int srcPayload,
        final int payloadLength,
        final byte[] dst,
        final int dstOff,
        final int dstPayload)
    {
        if (src == dst && dstOff + headerLength > srcPayload)
        {
            System.arraycopy(src, srcPayload, dst, dstPayload, payloadLength);
            System.arraycopy(src, srcOff, dst, dstOff, headerLength);
        }
        else
        {
            System.arraycopy(src, srcOff, dst, dstOff, headerLength);
            System.arraycopy(src, srcPayload, dst, dstPayload, payloadLength);
        }
    }

    private static void rewrite(final byte[] buf, final int off, final int payloadType, final int seq, final int ssrc)
    {
        final int index = off + RtpPacket.MARKER_PT_OFFSET;
        buf[index] = (byte)((buf[index] & RtpPacket.MARKER_BIT) | (payloadType & RtpPacket.PAYLOAD_TYPE_MASK));
        Bytes.putUint16(buf, off + RtpPacket.SEQUENCE_NUMBER_OFFSET, seq);
        Bytes.putInt32(buf, off + RtpPacket.SSRC_OFFSET, ssrc);
    }
}
