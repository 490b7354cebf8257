package dev.relay.codecs;

/**
 * Classifies a datagram received on a bundled (RFC 8843) and rtcp-muxed (RFC 5761) 5-tuple.
 *
 * <p>RFC 7983 §7 splits the first byte into ranges so that STUN, DTLS and (S)RTP/(S)RTCP
 * can share one port:
 * <pre>
 *                  +----------------+
 *                  |        [0..3] -+--> forward to STUN
 *                  |                |
 *                  |      [16..19] -+--> forward to ZRTP
 *                  |                |
 *      packet -->  |      [20..63] -+--> forward to DTLS
 *                  |                |
 *                  |      [64..79] -+--> forward to TURN Channel
 *                  |                |
 *                  |    [128..191] -+--> forward to RTP/RTCP
 *                  +----------------+
 * </pre>
 * <a href="https://www.rfc-editor.org/rfc/rfc7983#section-7">RFC 7983 §7</a>.
 *
 * <p>RTP and RTCP are then told apart by the second byte (RFC 5761 §4): RTCP packet types
 * 192..223 collide with RTP marker-bit-set payload types 64..95, which is why those RTP payload
 * types must not be used on a muxed port.
 * <a href="https://www.rfc-editor.org/rfc/rfc5761#section-4">RFC 5761 §4</a>.
 *
 * <p>ZRTP and TURN channel data are not used by WebRTC and report {@link PacketKind#UNKNOWN}.
 */
public final class Demux
{
    /** STUN header is 20 bytes: RFC 8489 §5. */
    static final int STUN_MIN_LENGTH = 20;
    /** DTLS record header is 13 bytes: RFC 6347 §4.1. */
    static final int DTLS_MIN_LENGTH = 13;
    /** Fixed RTP header: RFC 3550 §5.1. */
    static final int RTP_MIN_LENGTH = 12;
    /** Every RTCP packet but an empty BYE carries header + SSRC: RFC 3550 §6.4. */
    static final int RTCP_MIN_LENGTH = 8;

    private Demux()
    {
    }

    /**
     * @return the kind of packet, {@link PacketKind#UNKNOWN} when the range is out of the buffer
     *     or the datagram is shorter than the smallest valid packet of the kind its first byte
     *     names.
     */
    public static PacketKind classify(final byte[] buf, final int off, final int len)
    {
        if (len <= 0 || !Bytes.inBounds(buf, off, len))
        {
            return PacketKind.UNKNOWN;
        }

        final int b0 = buf[off] & 0xFF;
        if (b0 <= 3)
        {
            return len >= STUN_MIN_LENGTH ? PacketKind.STUN : PacketKind.UNKNOWN;
        }
        if (b0 >= 20 && b0 <= 63)
        {
            return len >= DTLS_MIN_LENGTH ? PacketKind.DTLS : PacketKind.UNKNOWN;
        }
        if (b0 >= 128 && b0 <= 191 && len >= 2)
        {
            final int b1 = buf[off + 1] & 0xFF;
            if (b1 >= 192 && b1 <= 223)
            {
                return len >= RTCP_MIN_LENGTH ? PacketKind.RTCP : PacketKind.UNKNOWN;
            }
            return len >= RTP_MIN_LENGTH ? PacketKind.RTP : PacketKind.UNKNOWN;
        }
        return PacketKind.UNKNOWN;
    }
}
