package dev.relay.codecs;

/**
 * RFC 4571 §2 framing of an ICE-TCP stream (RFC 6544 §3: STUN, DTLS, SRTP and SRTCP alike):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             LENGTH            |  packet (LENGTH bytes) ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #writeHeader} frames one packet; an instance splits one received stream back into
 * packets, whatever its segmentation: a packet split over several reads is reassembled in a
 * buffer this instance owns, several packets in one read come out one by one. A length above
 * the maximum breaks the stream for good (it cannot be resynchronised; RFC 4571 allows 65,535, a
 * WebRTC peer never sends more than a datagram). Pure: no I/O, one thread, nothing allocated
 * after construction.
 */
public final class Rfc4571Framing
{
    /** The length field before each packet. */
    public static final int HEADER = 2;
    /** RFC 4571 §2: the length is 16 bits. */
    public static final int MAX_LENGTH = 0xFFFF;

    /** Receives each complete packet; {@code buf} is reused for the next one once this returns. */
    public interface PacketHandler
    {
        void onPacket(byte[] buf, int len);
    }

    private final byte[] packet;
    private int headerHave;
    private int length;
    private int have;
    private boolean broken;

    /** @param maxPacket the longest packet accepted, at most {@link #MAX_LENGTH} */
    public Rfc4571Framing(final int maxPacket)
    {
        if (maxPacket < 1 || maxPacket > MAX_LENGTH)
        {
            throw new IllegalArgumentException("maxPacket must be 1.." + MAX_LENGTH + ": " + maxPacket);
        }
        this.packet = new byte[maxPacket];
    }

    /** Writes the length field of a {@code len}-byte packet at {@code off}; returns {@link #HEADER}. */
    public static int writeHeader(final byte[] buf, final int off, final int len)
    {
        if (len < 0 || len > MAX_LENGTH)
        {
            throw new IllegalArgumentException("RFC 4571 packet length out of range: " + len);
        }
        buf[off] = (byte) (len >>> 8);
        buf[off + 1] = (byte) len;
        return HEADER;
    }

    /**
     * Consumes {@code len} bytes of the stream, calling {@code handler} once per packet they
     * complete, in order. Returns false (now and on every later call) once a length above the
     * maximum arrived: the connection must be closed. A zero length is an empty packet and is
     * skipped.
     */
    public boolean feed(final byte[] in, final int off, final int len, final PacketHandler handler)
    {
        int i = off;
        int end = off + len;
        while (!broken && i < end)
        {
            if (headerHave < HEADER)
            {
                length = (length << 8) | (in[i++] & 0xFF);
                if (++headerHave == HEADER)
                {
                    if (length > packet.length)
                    {
                        broken = true;
                        return false;
                    }
                    have = 0;
                    if (length == 0)
                    {
                        headerHave = 0;
                    }
                }
                continue;
            }
            int take = Math.min(length - have, end - i);
            System.arraycopy(in, i, packet, have, take);
            have += take;
            i += take;
            if (have == length)
            {
                int complete = length;
                headerHave = 0;
                length = 0;
                have = 0;
                handler.onPacket(packet, complete);
            }
        }
        return !broken;
    }

    /** Bytes of an unfinished packet (or length field) held; 0 between packets. */
    public int pending()
    {
        return headerHave < HEADER ? headerHave : HEADER + have;
    }

    public boolean broken()
    {
        return broken;
    }
}
