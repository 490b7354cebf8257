package dev.relay.codecs.vp9;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over the VP9 payload descriptor at the start of an RTP payload (RFC 9628 §4.2,
 * formerly draft-ietf-payload-vp9), which an SVC forwarder reads to drop spatial and temporal
 * layers.
 *
 * <pre>{@code vp9.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())}</pre>
 */
public final class Vp9PayloadDescriptor
{
    /*
     * RFC 9628 §4.2 https://www.rfc-editor.org/rfc/rfc9628#section-4.2
     *
     *        0 1 2 3 4 5 6 7
     *       +-+-+-+-+-+-+-+-+
     *       |I|P|L|F|B|E|V|Z| (REQUIRED)
     *       +-+-+-+-+-+-+-+-+
     *  I:   |M| PICTURE ID  | (REQUIRED)
     *       +-+-+-+-+-+-+-+-+
     *  M:   | EXTENDED PID  | (RECOMMENDED)
     *       +-+-+-+-+-+-+-+-+
     *  L:   | TID |U| SID |D| (Conditionally RECOMMENDED)
     *       +-+-+-+-+-+-+-+-+
     *       |   TL0PICIDX   | (Conditionally REQUIRED: non-flexible mode, F = 0, only)
     *       +-+-+-+-+-+-+-+-+                             -\
     * P,F:  | P_DIFF      |N| (Conditionally REQUIRED)    - up to 3 times
     *       +-+-+-+-+-+-+-+-+                             -/
     *  V:   | SS            |
     *       | ..            |
     *       +-+-+-+-+-+-+-+-+
     *
     * RFC 9628 §4.2.1 scalability structure (SS):
     *
     *       +-+-+-+-+-+-+-+-+
     *  V:   | N_S |Y|G|-|-|-|
     *       +-+-+-+-+-+-+-+-+              -\
     *  Y:   |     WIDTH     | (16 bits)     . - N_S + 1 times
     *       |     HEIGHT    | (16 bits)     .
     *       +-+-+-+-+-+-+-+-+              -/
     *  G:   |      N_G      |
     *       +-+-+-+-+-+-+-+-+                           -\
     * N_G:  | TID |U| R |-|-|                            . - N_G times
     *       +-+-+-+-+-+-+-+-+              -\            .
     *       |    P_DIFF     | R times       .            .
     *       +-+-+-+-+-+-+-+-+              -/           -/
     *
     * Field positions after the first byte depend on the flags, so they are found once in wrap().
     */
    static final int PICTURE_ID_BIT = 0x80;
    static final int INTER_PICTURE_PREDICTED_BIT = 0x40;
    static final int LAYER_INDICES_BIT = 0x20;
    static final int FLEXIBLE_MODE_BIT = 0x10;
    static final int START_OF_FRAME_BIT = 0x08;
    static final int END_OF_FRAME_BIT = 0x04;
    static final int SCALABILITY_STRUCTURE_BIT = 0x02;
    static final int NOT_REFERENCE_FOR_UPPER_LAYER_BIT = 0x01;

    static final int LONG_PICTURE_ID_BIT = 0x80;
    static final int TID_SHIFT = 5;
    static final int SWITCHING_UP_BIT = 0x10;
    static final int SID_SHIFT = 1;
    static final int SID_MASK = 0x07;
    static final int INTER_LAYER_DEPENDENCY_BIT = 0x01;

    static final int P_DIFF_SHIFT = 1;
    static final int P_DIFF_MORE_BIT = 0x01;
    static final int MAX_P_DIFF = 3;

    static final int SS_N_S_SHIFT = 5;
    static final int SS_RESOLUTION_BIT = 0x10;
    static final int SS_PICTURE_GROUP_BIT = 0x08;
    static final int SS_RESOLUTION_LENGTH = 4;
    static final int SS_GROUP_REFERENCES_SHIFT = 2;
    static final int SS_GROUP_REFERENCES_MASK = 0x03;

    private byte[] buffer;
    private int offset;
    private int length;
    private int descriptorLength;
    /** Absolute index of the field's first byte, -1 when absent. */
    private int pictureIdIndex;
    private int layerIndex;
    private int tl0PicIdxIndex;
    private int pDiffIndex;
    private int pDiffCount;
    private int ssIndex;

    /**
     * @return false when the range is out of the buffer, a field announced by the flags
     *     (including the whole scalability structure) does not fit, more than 3 P_DIFFs are
     *     chained, or no VP9 payload byte follows the descriptor.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (len < 1 || !Bytes.inBounds(buf, off, len))
        {
            return false;
        }

        final int end = off + len;
        final int flags = buf[off] & 0xFF;
        int index = off + 1;
        int pictureId = -1;
        int layer = -1;
        int tl0PicIdx = -1;
        int pDiff = -1;
        int references = 0;
        int ss = -1;

        if ((flags & PICTURE_ID_BIT) != 0)
        {
            if (index >= end)
            {
                return false;
            }
            pictureId = index;
            index += (buf[index] & LONG_PICTURE_ID_BIT) != 0 ? 2 : 1;
        }
        if ((flags & LAYER_INDICES_BIT) != 0)
        {
            layer = index++;
            if ((flags & FLEXIBLE_MODE_BIT) == 0)
            {
                tl0PicIdx = index++;
            }
        }
        if ((flags & FLEXIBLE_MODE_BIT) != 0 && (flags & INTER_PICTURE_PREDICTED_BIT) != 0)
        {
            pDiff = index;
            boolean more = true;
            while (more)
            {
                if (index >= end || references == MAX_P_DIFF)
                {
                    return false;
                }
                more = (buf[index++] & P_DIFF_MORE_BIT) != 0;
                references++;
            }
        }
        if ((flags & SCALABILITY_STRUCTURE_BIT) != 0)
        {
            if (index >= end)
            {
                return false;
            }
            ss = index;
            index = skipScalabilityStructure(buf, index, end);
            if (index < 0)
            {
                return false;
            }
        }
        // Also guarantees that every single-byte field counted above lies inside the range.
        if (index >= end)
        {
            return false;
        }

        buffer = buf;
        offset = off;
        length = len;
        descriptorLength = index - off;
        pictureIdIndex = pictureId;
        layerIndex = layer;
        tl0PicIdxIndex = tl0PicIdx;
        pDiffIndex = pDiff;
        pDiffCount = references;
        ssIndex = ss;
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

    /** @return bytes wrapped: descriptor plus VP9 payload. */
    public int length()
    {
        return length;
    }

    /** @return bytes of the descriptor; the VP9 payload starts at {@code offset() + descriptorLength()}. */
    public int descriptorLength()
    {
        return descriptorLength;
    }

    public boolean hasPictureId()
    {
        return pictureIdIndex >= 0;
    }

    /** @return the P bit: the picture references an earlier picture of the same layer. */
    public boolean interPicturePredicted()
    {
        return (buffer[offset] & INTER_PICTURE_PREDICTED_BIT) != 0;
    }

    public boolean hasLayerIndices()
    {
        return layerIndex >= 0;
    }

    public boolean flexibleMode()
    {
        return (buffer[offset] & FLEXIBLE_MODE_BIT) != 0;
    }

    /** @return the B bit: first packet of a layer frame. */
    public boolean startOfFrame()
    {
        return (buffer[offset] & START_OF_FRAME_BIT) != 0;
    }

    /** @return the E bit: last packet of a layer frame. */
    public boolean endOfFrame()
    {
        return (buffer[offset] & END_OF_FRAME_BIT) != 0;
    }

    public boolean hasScalabilityStructure()
    {
        return ssIndex >= 0;
    }

    /** @return the Z bit: no higher spatial layer of this picture uses this frame as reference. */
    public boolean notReferenceForUpperLayer()
    {
        return (buffer[offset] & NOT_REFERENCE_FOR_UPPER_LAYER_BIT) != 0;
    }

    public boolean hasLongPictureId()
    {
        return pictureIdIndex >= 0 && (buffer[pictureIdIndex] & LONG_PICTURE_ID_BIT) != 0;
    }

    /** @return the 7- or 15-bit picture id, or -1 when absent. */
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

    /** Rewrites the picture id in place modulo the field's width; does nothing when absent. */
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

    /** @return TID, or -1 when L is clear. */
    public int temporalLayer()
    {
        return layerIndex < 0 ? -1 : (buffer[layerIndex] & 0xFF) >>> TID_SHIFT;
    }

    /** @return the U bit: an upswitch to a higher temporal layer may happen at this frame. */
    public boolean switchingUpPoint()
    {
        return layerIndex >= 0 && (buffer[layerIndex] & SWITCHING_UP_BIT) != 0;
    }

    /** @return SID, or -1 when L is clear. */
    public int spatialLayer()
    {
        return layerIndex < 0 ? -1 : (buffer[layerIndex] >>> SID_SHIFT) & SID_MASK;
    }

    /** @return the D bit: this layer frame depends on the lower spatial layer of the same picture. */
    public boolean interLayerDependency()
    {
        return layerIndex >= 0 && (buffer[layerIndex] & INTER_LAYER_DEPENDENCY_BIT) != 0;
    }

    /** @return TL0PICIDX, or -1 when absent (L clear or flexible mode). */
    public int tl0PicIdx()
    {
        return tl0PicIdxIndex < 0 ? -1 : buffer[tl0PicIdxIndex] & 0xFF;
    }

    /** Rewrites TL0PICIDX in place modulo 256; does nothing when absent. */
    public void tl0PicIdx(final int tl0PicIdx)
    {
        if (tl0PicIdxIndex >= 0)
        {
            buffer[tl0PicIdxIndex] = (byte)tl0PicIdx;
        }
    }

    /** @return how many P_DIFF reference indices follow (flexible mode with P set), 0..3. */
    public int referenceCount()
    {
        return pDiffCount;
    }

    /** @return the i-th P_DIFF: the referenced picture is {@code pictureId() - pDiff(i)}. */
    public int pDiff(final int i)
    {
        return (buffer[pDiffIndex + i] & 0xFF) >>> P_DIFF_SHIFT;
    }

    /** @return N_S + 1 from the scalability structure, 0 when V is clear. */
    public int spatialLayerCount()
    {
        return ssIndex < 0 ? 0 : ((buffer[ssIndex] & 0xFF) >>> SS_N_S_SHIFT) + 1;
    }

    /** @return true when the scalability structure lists each spatial layer's resolution. */
    public boolean hasResolutions()
    {
        return ssIndex >= 0 && (buffer[ssIndex] & SS_RESOLUTION_BIT) != 0;
    }

    /** @return width of spatial layer {@code i}, or -1 when no resolutions are present. */
    public int width(final int i)
    {
        return hasResolutions() ? Bytes.uint16(buffer, ssIndex + 1 + i * SS_RESOLUTION_LENGTH) : -1;
    }

    /** @return height of spatial layer {@code i}, or -1 when no resolutions are present. */
    public int height(final int i)
    {
        return hasResolutions() ? Bytes.uint16(buffer, ssIndex + 3 + i * SS_RESOLUTION_LENGTH) : -1;
    }

    /**
     * @return true for the first packet of a key frame's base layer: not inter-picture predicted,
     *     start of frame, spatial layer 0 (or no layer indices).
     */
    public boolean isKeyframe()
    {
        return !interPicturePredicted() && startOfFrame() && spatialLayer() <= 0;
    }

    /** @return index just past the SS starting at {@code index}, or -1 when it does not fit. */
    private static int skipScalabilityStructure(final byte[] buf, final int index, final int end)
    {
        final int header = buf[index] & 0xFF;
        int position = index + 1;
        if ((header & SS_RESOLUTION_BIT) != 0)
        {
            position += ((header >>> SS_N_S_SHIFT) + 1) * SS_RESOLUTION_LENGTH;
        }
        if ((header & SS_PICTURE_GROUP_BIT) != 0)
        {
            if (position >= end)
            {
                return -1;
            }
            final int groups = buf[position++] & 0xFF;
            for (int g = 0; g < groups; g++)
            {
                if (position >= end)
                {
                    return -1;
                }
                final int references = (buf[position] >>> SS_GROUP_REFERENCES_SHIFT) & SS_GROUP_REFERENCES_MASK;
                position += 1 + references;
            }
        }
        return position > end ? -1 : position;
    }
}
