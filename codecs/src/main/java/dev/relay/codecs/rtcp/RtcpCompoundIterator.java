package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Walks the packets of a compound RTCP datagram (RFC 3550 §6.1) without allocating.
 *
 * <pre>{@code
 * if (it.reset(buf, off, len)) {
 *     while (it.next()) {
 *         switch (it.header().packetType()) { ... }
 *     }
 *     if (it.malformed()) { dropped.increment(); }
 * }
 * }</pre>
 *
 * <p>The compound rules of §6.1 (SR or RR first, SDES CNAME present) are not enforced: RFC 5506
 * reduced-size RTCP, which Chromium sends for feedback, breaks them on purpose.
 */
public final class RtcpCompoundIterator
{
    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int position;
    private int end;
    private int packetOffset;
    private int packetLength;
    private boolean malformed;

    /**
     * @return false, with {@link #next()} then returning false, when the range is out of the
     *     buffer or shorter than one RTCP header.
     */
    public boolean reset(final byte[] buf, final int off, final int len)
    {
        packetOffset = -1;
        packetLength = 0;
        if (len < RtcpHeader.HEADER_LENGTH || !Bytes.inBounds(buf, off, len))
        {
            buffer = null;
            position = 0;
            end = 0;
            malformed = true;
            return false;
        }
        buffer = buf;
        position = off;
        end = off + len;
        malformed = false;
        return true;
    }

    /**
     * Advances to the next packet.
     *
     * @return false at the end of the compound, or when the remaining bytes do not hold a valid
     *     RTCP header whose length fits; {@link #malformed()} tells the two apart.
     */
    public boolean next()
    {
        if (buffer == null || malformed || position >= end)
        {
            return false;
        }
        if (!header.wrap(buffer, position, end - position))
        {
            malformed = true;
            return false;
        }
        packetOffset = position;
        packetLength = header.lengthInBytes();
        position += packetLength;
        return true;
    }

    /** @return the current packet's header, valid after {@link #next()} returned true. */
    public RtcpHeader header()
    {
        return header;
    }

    /** @return absolute index of the current packet in the buffer. */
    public int packetOffset()
    {
        return packetOffset;
    }

    /** @return size of the current packet from its length field. */
    public int packetLength()
    {
        return packetLength;
    }

    /** @return true when iteration stopped on bytes that are not a valid RTCP packet. */
    public boolean malformed()
    {
        return malformed;
    }
}
