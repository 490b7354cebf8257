package dev.relay.codecs.h264;

import dev.relay.codecs.Bytes;

/**
 * Reads the H.264 RTP payload structures of RFC 6184 §5 to tell a forwarder where a decoder can
 * start.
 */
public final class H264Payload
{
    /*
     * RFC 6184 §5.3 NAL unit header https://www.rfc-editor.org/rfc/rfc6184#section-5.3
     *
     * +---------------+
     * |0|1|2|3|4|5|6|7|
     * +-+-+-+-+-+-+-+-+
     * |F|NRI|  Type   |
     * +---------------+
     *
     * §5.7.1 STAP-A https://www.rfc-editor.org/rfc/rfc6184#section-5.7.1: after the STAP-A NAL
     * header, repeated [16-bit NALU size][NAL unit].
     *
     * §5.8 FU-A https://www.rfc-editor.org/rfc/rfc6184#section-5.8:
     *
     * +---------------+---------------+
     * |F|NRI|  Type   |S|E|R|  Type   |
     * +---------------+---------------+
     *   FU indicator     FU header (Type = the fragmented NAL's type)
     */
    static final int TYPE_MASK = 0x1F;
    static final int FU_START_BIT = 0x80;
    static final int STAP_A_HEADER_LENGTH = 1;
    static final int STAP_NALU_SIZE_LENGTH = 2;
    static final int FU_A_HEADER_LENGTH = 2;

    /** Coded slice of an IDR picture. */
    public static final int NAL_IDR = 5;
    public static final int NAL_SPS = 7;
    public static final int NAL_PPS = 8;
    public static final int NAL_STAP_A = 24;
    public static final int NAL_FU_A = 28;

    private H264Payload()
    {
    }

    /** @return the type of the payload's outer NAL header (1..23 single NAL, 24 STAP-A, ...), -1 if empty. */
    public static int nalType(final byte[] buf, final int off, final int len)
    {
        if (len < 1 || !Bytes.inBounds(buf, off, len))
        {
            return -1;
        }
        return buf[off] & TYPE_MASK;
    }

    /**
     * @return true when the payload starts a decodable picture: an IDR slice or an SPS in a single
     *     NAL unit packet, in any NAL unit of a STAP-A, or in the first fragment of an FU-A. An
     *     SPS counts because encoders send SPS/PPS right before the IDR it configures. Malformed
     *     aggregates return false.
     */
    public static boolean isKeyframe(final byte[] buf, final int off, final int len)
    {
        final int type = nalType(buf, off, len);
        if (type < 0)
        {
            return false;
        }
        if (type == NAL_STAP_A)
        {
            return stapAHasKeyframe(buf, off, len);
        }
        if (type == NAL_FU_A)
        {
            if (len < FU_A_HEADER_LENGTH)
            {
                return false;
            }
            final int fuHeader = buf[off + 1] & 0xFF;
            return (fuHeader & FU_START_BIT) != 0 && isKeyframeType(fuHeader & TYPE_MASK);
        }
        return isKeyframeType(type);
    }

    private static boolean stapAHasKeyframe(final byte[] buf, final int off, final int len)
    {
        final int end = off + len;
        int index = off + STAP_A_HEADER_LENGTH;
        while (index + STAP_NALU_SIZE_LENGTH < end)
        {
            final int size = Bytes.uint16(buf, index);
            index += STAP_NALU_SIZE_LENGTH;
            if (size == 0 || index + size > end)
            {
                return false;
            }
            if (isKeyframeType(buf[index] & TYPE_MASK))
            {
                return true;
            }
            index += size;
        }
        return false;
    }

    private static boolean isKeyframeType(final int type)
    {
        return type == NAL_IDR || type == NAL_SPS;
    }
}
