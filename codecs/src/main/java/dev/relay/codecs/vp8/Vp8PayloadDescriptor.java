package dev.relay.codecs.vp8;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over the VP8 payload descriptor at the start of an RTP payload (RFC 7741 §4.2),
 * and the first byte of the VP8 payload header after it (§4.3) for keyframe detection.
 *
 * <pre>{@code vp8.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())}</pre>
 *
 * <p>A simulcast forwarder rewrites PictureID and TL0PICIDX in place when it switches layers
 * so the receiver sees one continuous stream; the setters keep the field's width.
 */
public final class Vp8PayloadDescriptor
{
    /*
     * RFC 7741 §4.2 https://www.rfc-editor.org/rfc/rfc7741#section-4.2
     *
     *       0 1 2 3 4 5 6 7
     *      +-+-+-+-+-+-+-+-+
     *      |X|R|N|S|R| PID | (REQUIRED)
     *      +-+-+-+-+-+-+-+-+
     * X:   |I|L|T|K| RSV   | (OPTIONAL)
     *      +-+-+-+-+-+-+-+-+
     * I:   |M| PictureID   | (OPTIONAL)
     *      +-+-+-+-+-+-+-+-+
     *      |   PictureID   | (present when M = 1: 15-bit PictureID)
     *      +-+-+-+-+-+-+-+-+
     * L:   |   TL0PICIDX   | (OPTIONAL)
     *      +-+-+-+-+-+-+-+-+
     * T/K: |TID|Y| KEYIDX  | (OPTIONAL, present when T or K is set)
     *      +-+-+-+-+-+-+-+-+
     *
     * RFC 7741 §4.3 https://www.rfc-editor.org/rfc/rfc7741#section-4.3, first byte of the VP8
     * payload header when S = 1 and PID = 0:
     *
     *      +-+-+-+-+-+-+-+-+
     *      |Size0|H| VER |P|   P = 0: key frame
     *      +-+-+-+-+-+-+-+-+
     *
     * Field positions after the first byte depend on which optional bytes are present, so the
     * offsets below are computed once in wrap().
     */
    static final int EXTENDED_BIT = 0x80;
    static final int NON_REFERENCE_BIT = 0x20;
    static final int START_OF_PARTITION_BIT = 0x10;
    static final int PARTITION_INDEX_MASK = 0x07;
    static final int PICTURE_ID_BIT = 0x80;
    static final int TL0PICIDX_BIT = 0x40;
    static final int TID_BIT = 0x20;
    static final int KEYIDX_BIT = 0x10;
    static final int LONG_PICTURE_ID_BIT = 0x80;
    static final int TID_SHIFT = 6;
    static final int LAYER_SYNC_BIT = 0x20;
    static final int KEYIDX_MASK = 0x1F;
    static final int INTER_FRAME_BIT = 0x01;

    private byte[] buffer;
    private int offset;
    private int length;
    private int descriptorLength;
    /** Absolute index of the field's first byte, -1 when absent. */
    private int pictureIdIndex;
    private int tl0PicIdxIndex;
    private int tidKeyIdxIndex;

    /**
     * @return false when the range is out of the buffer, the optional bytes announced by the
     *     flags do not fit, or no VP8 payload byte follows the descriptor.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (len < 1 || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }

        int index = off;
        int pictureId = -1;
        int tl0PicIdx = -1;
        int tidKeyIdx = -1;
        final int end = off + len;
        if ((buf[index++] & EXTENDED_BIT) != 0)
        {
            if (index >= end)
            {
                return false;
            }
            final int extension = buf[index++] & 0xFF;
            if ((extension & PICTURE_ID_BIT) != 0)
            {
                if (index >= end)
                {
                    return false;
                }
                pictureId = index;
                index += (buf[index] & LONG_PICTURE_ID_BIT) != 0 ? 2 : 1;
            }
            if ((extension & TL0PICIDX_BIT) != 0)
            {
                tl0PicIdx = index++;
            }
            if ((extension & (TID_BIT | KEYIDX_BIT)) != 0)
            {
                tidKeyIdx = index++;
            }
        }
        // A descriptor with no VP8 data after it carries nothing to forward.
        if (index >= end)
        {
            return false;
        }

        buffer = buf;
        offset = off;
        length = len;
        descriptorLength = index - off;
        pictureIdIndex = pictureId;
        tl0PicIdxIndex = tl0PicIdx;
        tidKeyIdxIndex = tidKeyIdx;
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

    /** @return bytes wrapped: descriptor plus VP8 payload. */
    public int length()
    {
        return length;
    }

    /** @return bytes of the descriptor; the VP8 payload starts at {@code offset() + descriptorLength()}. */
    public int descriptorLength()
    {
        return descriptorLength;
    }

    public boolean hasExtension()
    {
        return (buffer[offset] & EXTENDED_BIT) != 0;
    }

    /** @return the N bit: the frame can be discarded without affecting any other frame. */
    public boolean nonReference()
    {
        return (buffer[offset] & NON_REFERENCE_BIT) != 0;
    }

    public boolean startOfPartition()
    {
        return (buffer[offset] & START_OF_PARTITION_BIT) != 0;
    }

    public int partitionIndex()
    {
        return buffer[offset] & PARTITION_INDEX_MASK;
    }

    /**
     * @return true for the first packet of a frame: S = 1 at the start of partition 0 (RFC 7741
     *     §4.2 sets S on the first packet of every encoded frame), the one place a forwarder may
     *     change which temporal layers it drops.
     */
    public boolean startOfFrame()
    {
        return startOfPartition() && partitionIndex() == 0;
    }

    public boolean hasPictureId()
    {
        return pictureIdIndex >= 0;
    }

    /** @return true when the PictureID field is 15 bits wide (M = 1). */
    public boolean hasLongPictureId()
    {
        return pictureIdIndex >= 0 && (buffer[pictureIdIndex] & LONG_PICTURE_ID_BIT) != 0;
    }

    /** @return the 7- or 15-bit PictureID, or -1 when absent. */
    public int pictureId()
    {
        if (pictureIdIndex < 0)
        {
            return -1;
        }
        if (hasLongPictureId())
        {
            return Bytes.uint16(buffer, pictureIdIndex) & 0x7FFF;
        }
        return buffer[pictureIdIndex] & 0x7F;
    }

    /**
     * Rewrites PictureID in place, modulo the field's width (2^7 or 2^15); does nothing when the
     * field is absent. The width never changes, as that would move every byte after it.
     */
    public void pictureId(final int pictureId)
    {
        if (pictureIdIndex < 0)
        {
            return;
        }
        if (hasLongPictureId())
        {
            Bytes.putUint16(buffer, pictureIdIndex, LONG_PICTURE_ID_BIT << 8 | (pictureId & 0x7FFF));
        }
        else
        {
            buffer[pictureIdIndex] = (byte)(pictureId & 0x7F);
        }
    }

    public boolean hasTl0PicIdx()
    {
        return tl0PicIdxIndex >= 0;
    }

    /** @return TL0PICIDX, or -1 when absent. */
    public int tl0PicIdx()
    {
        return tl0PicIdxIndex < 0 ? -1 : buffer[tl0PicIdxIndex] & 0xFF;
    }

    /** Rewrites TL0PICIDX in place, modulo 256; does nothing when the field is absent. */
    public void tl0PicIdx(final int tl0PicIdx)
    {
        if (tl0PicIdxIndex >= 0)
        {
            buffer[tl0PicIdxIndex] = (byte)tl0PicIdx;
        }
    }

    /** @return the temporal layer index TID, or -1 when T is clear. */
    public int temporalLayer()
    {
        if (tidKeyIdxIndex < 0 || (buffer[offset + 1] & TID_BIT) == 0)
        {
            return -1;
        }
        return (buffer[tidKeyIdxIndex] & 0xFF) >>> TID_SHIFT;
    }

    /** @return the Y bit: this frame only depends on base-layer frames; false when T is clear. */
    public boolean layerSync()
    {
        return temporalLayer() >= 0 && (buffer[tidKeyIdxIndex] & LAYER_SYNC_BIT) != 0;
    }

    /** @return KEYIDX, or -1 when K is clear. */
    public int keyIdx()
    {
        if (tidKeyIdxIndex < 0 || (buffer[offset + 1] & KEYIDX_BIT) == 0)
        {
            return -1;
        }
        return buffer[tidKeyIdxIndex] & KEYIDX_MASK;
    }

    /**
     * @return true for the first packet of a key frame: start of partition 0 and the P bit of
     *     the VP8 payload header clear (RFC 7741 §4.3).
     */
    public boolean isKeyframe()
    {
        return startOfPartition()
            && partitionIndex() == 0
            && (buffer[offset + descriptorLength] & INTER_FRAME_BIT) == 0;
    }
}
