package dev.relay.codecs.rtcp;

/**
 * Flyweight over a Picture Loss Indication, a payload-specific feedback message with no FCI.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=1  |    PT=206     |          length=2             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * <a href="https://www.rfc-editor.org/rfc/rfc4585#section-6.3.1">RFC 4585 §6.3.1</a>; offsets in
 * {@link FeedbackHeader}.
 */
public final class PliPacket
{
    public static final int FMT = 1;
    public static final int LENGTH = FeedbackHeader.LENGTH;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;

    /**
     * @return false unless this is a PSFB message with FMT=1 long enough for both SSRCs. A
     *     longer length field is tolerated (and its extra bytes ignored), as libwebrtc does.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || !FeedbackHeader.matches(header, RtcpHeader.PT_PSFB, FMT))
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

    public int mediaSsrc()
    {
        return FeedbackHeader.mediaSsrc(buffer, offset);
    }

    /** @return bytes written, {@link #LENGTH}. */
    public static int write(final byte[] dst, final int off, final int senderSsrc, final int mediaSsrc)
    {
        return FeedbackHeader.write(dst, off, FMT, RtcpHeader.PT_PSFB, LENGTH, senderSsrc, mediaSsrc);
    }
}
