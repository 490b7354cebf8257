package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.av1.Av1Payload;
import dev.relay.codecs.h264.H264Payload;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.codecs.vp9.Vp9PayloadDescriptor;

/**
 * The video payload readers a forwarder runs on every RTP payload: {@link Vp8PayloadDescriptor},
 * {@link Vp9PayloadDescriptor}, {@link H264Payload#isKeyframe} and {@link Av1Payload#isKeyframeStart}. The input is the RTP payload,
 * what {@code rtp.payloadOffset()} and {@code rtp.payloadLength()} hand them.
 */
class PayloadDescriptorFuzzTest
{
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private final Vp9PayloadDescriptor vp9 = new Vp9PayloadDescriptor();

    @FuzzTest
    void vp8(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = traceVp8(data, 0, data.length);
        assertEquals(exact, traceVp8(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, vp8::wrap);
    }

    @FuzzTest
    void vp9(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = traceVp9(data, 0, data.length);
        assertEquals(exact, traceVp9(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, vp9::wrap);
    }

    @FuzzTest
    void av1(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final boolean keyframe = Av1Payload.isKeyframeStart(data, 0, data.length);
        assertEquals(keyframe, Av1Payload.isKeyframeStart(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, Av1Payload::isKeyframeStart);
        if (keyframe)
        {
            // Never the continuation of an OBU fragment from an earlier packet.
            assertEquals(0, data[0] & 0x80);
        }
    }

    @FuzzTest
    void h264(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final int nalType = H264Payload.nalType(data, 0, data.length);
        final boolean keyframe = H264Payload.isKeyframe(data, 0, data.length);
        assertEquals(nalType, H264Payload.nalType(embedded, Placement.PREFIX, data.length));
        assertEquals(keyframe, H264Payload.isKeyframe(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, H264Payload::isKeyframe);
        Placement.assertRejectsRangesOutside(data, (buf, off, len) -> H264Payload.nalType(buf, off, len) >= 0);

        assertEquals(data.length == 0, nalType == -1);
        assertTrue(nalType >= -1 && nalType <= 31, "NAL type " + nalType);
        if (keyframe)
        {
            // RFC 6184 §5: IDR or SPS, alone, aggregated (STAP-A) or fragmented (FU-A).
            assertTrue(nalType == H264Payload.NAL_IDR || nalType == H264Payload.NAL_SPS
                || nalType == H264Payload.NAL_STAP_A || nalType == H264Payload.NAL_FU_A, "keyframe NAL type " + nalType);
        }
    }

    private Trace traceVp8(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = vp8.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            return trace;
        }
        assertSame(buf, vp8.buffer());
        assertEquals(off, vp8.offset());
        assertEquals(len, vp8.length());
        final int descriptorLength = vp8.descriptorLength();
        assertTrue(descriptorLength >= 1 && descriptorLength < len, "a VP8 payload byte follows the descriptor");

        final int pictureId = vp8.pictureId();
        final int tl0PicIdx = vp8.tl0PicIdx();
        final int temporalLayer = vp8.temporalLayer();
        final int keyIdx = vp8.keyIdx();
        assertEquals(vp8.hasPictureId(), pictureId >= 0);
        assertTrue(pictureId <= (vp8.hasLongPictureId() ? 0x7FFF : 0x7F), "PictureID " + pictureId);
        assertEquals(vp8.hasTl0PicIdx(), tl0PicIdx >= 0);
        assertTrue(tl0PicIdx <= 255 && temporalLayer >= -1 && temporalLayer <= 3 && keyIdx >= -1 && keyIdx <= 31);
        assertTrue(vp8.partitionIndex() >= 0 && vp8.partitionIndex() <= 7);
        if (temporalLayer < 0)
        {
            assertFalse(vp8.layerSync());
        }
        if (!vp8.hasExtension())
        {
            assertEquals(1, descriptorLength);
            assertTrue(pictureId == -1 && tl0PicIdx == -1 && temporalLayer == -1 && keyIdx == -1);
        }
        trace.add(descriptorLength).add(vp8.hasExtension()).add(vp8.nonReference()).add(vp8.startOfPartition())
            .add(vp8.partitionIndex()).add(vp8.hasLongPictureId()).add(pictureId).add(tl0PicIdx).add(temporalLayer)
            .add(vp8.layerSync()).add(keyIdx).add(vp8.isKeyframe());

        // A simulcast forwarder rewrites these in place; the field width never changes.
        if (pictureId >= 0)
        {
            final int mask = vp8.hasLongPictureId() ? 0x7FFF : 0x7F;
            vp8.pictureId(~pictureId);
            assertEquals(~pictureId & mask, vp8.pictureId());
            vp8.pictureId(pictureId);
            assertEquals(pictureId, vp8.pictureId());
        }
        if (tl0PicIdx >= 0)
        {
            vp8.tl0PicIdx(~tl0PicIdx);
            assertEquals(~tl0PicIdx & 0xFF, vp8.tl0PicIdx());
            vp8.tl0PicIdx(tl0PicIdx);
        }
        return trace;
    }

    private Trace traceVp9(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = vp9.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            return trace;
        }
        assertSame(buf, vp9.buffer());
        assertEquals(off, vp9.offset());
        assertEquals(len, vp9.length());
        final int descriptorLength = vp9.descriptorLength();
        assertTrue(descriptorLength >= 1 && descriptorLength < len, "a VP9 payload byte follows the descriptor");

        final int pictureId = vp9.pictureId();
        final int temporalLayer = vp9.temporalLayer();
        final int spatialLayer = vp9.spatialLayer();
        final int tl0PicIdx = vp9.tl0PicIdx();
        final int references = vp9.referenceCount();
        final int spatialLayers = vp9.spatialLayerCount();
        assertEquals(vp9.hasPictureId(), pictureId >= 0);
        assertTrue(pictureId <= (vp9.hasLongPictureId() ? 0x7FFF : 0x7F), "picture id " + pictureId);
        assertEquals(vp9.hasLayerIndices(), temporalLayer >= 0);
        assertEquals(vp9.hasLayerIndices(), spatialLayer >= 0);
        assertTrue(temporalLayer <= 7 && spatialLayer <= 7 && tl0PicIdx >= -1 && tl0PicIdx <= 255);
        if (vp9.flexibleMode() || !vp9.hasLayerIndices())
        {
            // RFC 9628 §4.2: TL0PICIDX only in non-flexible mode with L set.
            assertEquals(-1, tl0PicIdx);
        }
        assertTrue(references >= 0 && references <= 3, "P_DIFF count " + references);
        if (references > 0)
        {
            assertTrue(vp9.flexibleMode() && vp9.interPicturePredicted());
        }
        assertTrue(spatialLayers >= 0 && spatialLayers <= 8);
        assertEquals(vp9.hasScalabilityStructure(), spatialLayers > 0);
        trace.add(descriptorLength).add(vp9.interPicturePredicted()).add(vp9.flexibleMode()).add(vp9.startOfFrame())
            .add(vp9.endOfFrame()).add(vp9.notReferenceForUpperLayer()).add(vp9.hasLongPictureId()).add(pictureId)
            .add(temporalLayer).add(vp9.switchingUpPoint()).add(spatialLayer).add(vp9.interLayerDependency())
            .add(tl0PicIdx).add(references).add(spatialLayers).add(vp9.hasResolutions()).add(vp9.isKeyframe());
        for (int i = 0; i < references; i++)
        {
            final int pDiff = vp9.pDiff(i);
            assertTrue(pDiff >= 0 && pDiff <= 127);
            trace.add(pDiff);
        }
        if (vp9.hasResolutions())
        {
            for (int i = 0; i < spatialLayers; i++)
            {
                trace.add(vp9.width(i)).add(vp9.height(i));
            }
        }
        else
        {
            assertEquals(-1, vp9.width(0));
            assertEquals(-1, vp9.height(0));
        }

        if (pictureId >= 0)
        {
            final int mask = vp9.hasLongPictureId() ? 0x7FFF : 0x7F;
            vp9.pictureId(~pictureId);
            assertEquals(~pictureId & mask, vp9.pictureId());
            vp9.pictureId(pictureId);
            assertEquals(pictureId, vp9.pictureId());
        }
        if (tl0PicIdx >= 0)
        {
            vp9.tl0PicIdx(~tl0PicIdx);
            assertEquals(~tl0PicIdx & 0xFF, vp9.tl0PicIdx());
            vp9.tl0PicIdx(tl0PicIdx);
        }
        return trace;
    }
}
