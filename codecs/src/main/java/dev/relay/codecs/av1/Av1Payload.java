package dev.relay.codecs.av1;

import dev.relay.codecs.Bytes;

/**
 * Reads the aggregation header of an AV1 RTP payload (AOMedia "RTP Payload Format for AV1",
 * §4.4) and the first OBU header after it (AV1 bitstream specification §5.3.2) to tell a
 * forwarder where a decoder can start.
 */
public final class Av1Payload
{
    /*
     * Aggregation header, first byte of the payload:
     *
     *  0 1 2 3 4 5 6 7
     * +-+-+-+-+-+-+-+-+
     * |Z|Y| W |N|-|-|-|
     * +-+-+-+-+-+-+-+-+
     *
     * Z: the first OBU element continues an OBU fragment of the previous packet.
     * W: the number of OBU elements (1..3), each but the last preceded by its LEB128 length;
     *    0: every element has a length.
     * N: the packet is the first of a coded video sequence (a key frame with its sequence header).
     *
     * OBU header: |F| type (4) |X|S|-|, type 1 = OBU_SEQUENCE_HEADER.
     */
    static final int CONTINUATION_BIT = 0x80;
    static final int NEW_SEQUENCE_BIT = 0x08;
    static final int ELEMENT_COUNT_SHIFT = 4;
    static final int ELEMENT_COUNT_MASK = 0x3;
    static final int OBU_TYPE_SHIFT = 3;
    static final int OBU_TYPE_MASK = 0xF;
    /** LEB128 lengths of OBU elements are at most 8 bytes (AV1 §4.10.5). */
    static final int MAX_LEB128_BYTES = 8;

    public static final int OBU_SEQUENCE_HEADER = 1;

    private Av1Payload()
    {
    }

    /**
     * @return true when the payload starts a coded video sequence: the N bit is set, or (for a
     *     sender that leaves N clear) its first OBU element starts, rather than continues, a
     *     sequence header. Malformed payloads return false.
     */
    public static boolean isKeyframeStart(final byte[] buf, final int off, final int len)
    {
        if (len < 2 || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }
        final int header = buf[off] & 0xFF;
        if ((header & CONTINUATION_BIT) != 0)
        {
            return false;
        }
        if ((header & NEW_SEQUENCE_BIT) != 0)
        {
            return true;
        }
        int index = off + 1;
        final int end = off + len;
        if (((header >>> ELEMENT_COUNT_SHIFT) & ELEMENT_COUNT_MASK) != 1)
        {
            // The first element carries a LEB128 length: skip it.
            int lengthBytes = 0;
            while (index < end && (buf[index] & 0x80) != 0)
            {
                index++;
                if (++lengthBytes >= MAX_LEB128_BYTES)
                {
                    return false;
                }
            }
            index++;
        }
        return index < end && ((buf[index] >>> OBU_TYPE_SHIFT) & OBU_TYPE_MASK) == OBU_SEQUENCE_HEADER;
    }
}
