package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Layout shared by every RTPFB and PSFB feedback message; the concrete types interpret the FCI.
 */
final class FeedbackHeader
{
    /*
     * RFC 4585 §6.1 https://www.rfc-editor.org/rfc/rfc4585#section-6.1
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |V=2|P|   FMT   |       PT      |          length               |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                  SSRC of packet sender                        |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                  SSRC of media source                         |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * :            Feedback Control Information (FCI)                 :
     * :                                                               :
     */
    static final int SENDER_SSRC_OFFSET = 4;
    static final int MEDIA_SSRC_OFFSET = 8;
    static final int FCI_OFFSET = 12;
    static final int LENGTH = 12;

    private FeedbackHeader()
    {
    }

    /**
     * @return true when {@code header} wrapped a feedback message of type {@code packetType} and
     *     format {@code fmt} with room for the common part.
     */
    static boolean matches(final RtcpHeader header, final int packetType, final int fmt)
    {
        return header.packetType() == packetType && header.count() == fmt && header.lengthInBytes() >= LENGTH;
    }

    static int senderSsrc(final byte[] buf, final int off)
    {
        return Bytes.int32(buf, off + SENDER_SSRC_OFFSET);
    }

    static int mediaSsrc(final byte[] buf, final int off)
    {
        return Bytes.int32(buf, off + MEDIA_SSRC_OFFSET);
    }

    /** @return bytes written, {@link #LENGTH}. */
    static int write(
        final byte[] dst,
        final int off,
        final int fmt,
        final int packetType,
        final int lengthInBytes,
        final int senderSsrc,
        final int mediaSsrc)
    {
        RtcpHeader.write(dst, off, fmt, packetType, lengthInBytes);
        Bytes.putInt32(dst, off + SENDER_SSRC_OFFSET, senderSsrc);
        Bytes.putInt32(dst, off + MEDIA_SSRC_OFFSET, mediaSsrc);
        return LENGTH;
    }
}
