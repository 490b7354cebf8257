package dev.relay.codecs.vp9;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Vp9PayloadDescriptorTest
{
    /** First packet of a 3-spatial-layer key frame in non-flexible mode, carrying the SS. */
    static final byte[] KEYFRAME_WITH_SS = Hex.bytes("""
        aa            # I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
        81 23         # M=1 picture id 291 (15 bits)
        00            # TID=0 U=0 SID=0 D=0
        07            # TL0PICIDX 7 (non-flexible mode)
        58            # SS: N_S=2 (3 spatial layers) Y=1 G=1
        01 40 00 b4   #   layer 0: 320x180
        02 80 01 68   #   layer 1: 640x360
        05 00 02 d0   #   layer 2: 1280x720
        01            #   N_G=1
        04            #   group 0: TID=0 U=0 R=1
        01            #     P_DIFF 1
        82 49 83 42   # VP9 frame: marker and sync code
        """);

    /** Flexible mode: an inter frame on S1/T2 that references two earlier pictures. */
    static final byte[] FLEXIBLE_INTER = Hex.bytes("""
        fd            # I=1 P=1 L=1 F=1 B=1 E=1 V=0 Z=1
        05            # M=0 picture id 5
        53            # TID=2 U=1 SID=1 D=1
        03            # P_DIFF 1, N=1: another follows
        04            # P_DIFF 2, N=0
        86 00 40      # VP9 frame
        """);

    /** Non-flexible intra frame of spatial layer 1: not a point where a receiver can start. */
    static final byte[] UPPER_LAYER_INTRA = Hex.bytes("""
        a8            # I=1 P=0 L=1 F=0 B=1 E=0 V=0 Z=0
        81 23         # picture id 291
        03            # TID=0 U=0 SID=1 D=1
        07            # TL0PICIDX 7
        80 00         # VP9 frame
        """);

    static final byte[] MINIMAL = Hex.bytes("""
        08            # I=0 P=0 L=0 F=0 B=1 E=0 V=0 Z=0
        82            # VP9 frame
        """);

    private final Vp9PayloadDescriptor vp9 = new Vp9PayloadDescriptor();

    @Test
    void shouldReadKeyframeWithScalabilityStructure()
    {
        assertTrue(vp9.wrap(KEYFRAME_WITH_SS, 0, KEYFRAME_WITH_SS.length));

        assertEquals(KEYFRAME_WITH_SS, vp9.buffer());
        assertEquals(25, vp9.length());
        assertEquals(21, vp9.descriptorLength());
        assertTrue(vp9.hasPictureId());
        assertTrue(vp9.hasLongPictureId());
        assertEquals(291, vp9.pictureId());
        assertFalse(vp9.interPicturePredicted());
        assertTrue(vp9.hasLayerIndices());
        assertFalse(vp9.flexibleMode());
        assertTrue(vp9.startOfFrame());
        assertFalse(vp9.endOfFrame());
        assertTrue(vp9.hasScalabilityStructure());
        assertFalse(vp9.notReferenceForUpperLayer());
        assertEquals(0, vp9.temporalLayer());
        assertEquals(0, vp9.spatialLayer());
        assertFalse(vp9.switchingUpPoint());
        assertFalse(vp9.interLayerDependency());
        assertEquals(7, vp9.tl0PicIdx());
        assertEquals(0, vp9.referenceCount());
        assertEquals(3, vp9.spatialLayerCount());
        assertTrue(vp9.hasResolutions());
        assertEquals(320, vp9.width(0));
        assertEquals(180, vp9.height(0));
        assertEquals(640, vp9.width(1));
        assertEquals(360, vp9.height(1));
        assertEquals(1280, vp9.width(2));
        assertEquals(720, vp9.height(2));
        assertTrue(vp9.isKeyframe());
    }

    @Test
    void shouldReadFlexibleModeReferences()
    {
        assertTrue(vp9.wrap(FLEXIBLE_INTER, 0, FLEXIBLE_INTER.length));

        assertEquals(5, vp9.descriptorLength());
        assertFalse(vp9.hasLongPictureId());
        assertEquals(5, vp9.pictureId());
        assertTrue(vp9.interPicturePredicted());
        assertTrue(vp9.flexibleMode());
        assertTrue(vp9.startOfFrame());
        assertTrue(vp9.endOfFrame());
        assertFalse(vp9.hasScalabilityStructure());
        assertTrue(vp9.notReferenceForUpperLayer());
        assertEquals(2, vp9.temporalLayer());
        assertTrue(vp9.switchingUpPoint());
        assertEquals(1, vp9.spatialLayer());
        assertTrue(vp9.interLayerDependency());
        assertEquals(-1, vp9.tl0PicIdx());
        assertEquals(2, vp9.referenceCount());
        assertEquals(1, vp9.pDiff(0));
        assertEquals(2, vp9.pDiff(1));
        assertEquals(0, vp9.spatialLayerCount());
        assertEquals(-1, vp9.width(0));
        assertFalse(vp9.isKeyframe());
    }

    @Test
    void shouldNotTreatUpperSpatialLayerIntraAsKeyframe()
    {
        assertTrue(vp9.wrap(UPPER_LAYER_INTRA, 0, UPPER_LAYER_INTRA.length));

        assertEquals(1, vp9.spatialLayer());
        assertTrue(vp9.interLayerDependency());
        assertFalse(vp9.isKeyframe());
    }

    @Test
    void shouldTreatIntraStartWithoutLayerIndicesAsKeyframe()
    {
        assertTrue(vp9.wrap(MINIMAL, 0, MINIMAL.length));

        assertEquals(1, vp9.descriptorLength());
        assertFalse(vp9.hasPictureId());
        assertEquals(-1, vp9.pictureId());
        assertEquals(-1, vp9.temporalLayer());
        assertEquals(-1, vp9.spatialLayer());
        assertTrue(vp9.isKeyframe());
    }

    @Test
    void shouldWritePictureIdAndTl0PicIdxBack()
    {
        final byte[] copy = KEYFRAME_WITH_SS.clone();
        copy[2] = 0;
        copy[4] = 0;

        assertTrue(vp9.wrap(copy, 0, copy.length));
        vp9.pictureId(291);
        vp9.tl0PicIdx(7);

        assertArrayEquals(KEYFRAME_WITH_SS, copy);
    }

    @Test
    void shouldWrapRewrittenIdsToFieldWidth()
    {
        final byte[] copy = FLEXIBLE_INTER.clone();
        vp9.wrap(copy, 0, copy.length);

        vp9.pictureId(130);
        vp9.tl0PicIdx(1);

        assertEquals(2, vp9.pictureId());
        assertEquals(-1, vp9.tl0PicIdx());
        assertEquals(0x53, copy[2]);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "picture id missing; 80",
        "extended picture id missing; 80 80",
        "layer indices missing; a0 05",
        "TL0PICIDX missing in non-flexible mode; a0 05 00",
        "four chained P_DIFFs; d0 05 03 03 03 03 00",
        "P_DIFF chain runs off the end; d0 05 03",
        "SS resolutions truncated; 02 50 01 40 00",
        "SS picture groups truncated; 02 08 02 04",
        "SS missing; 02",
        "descriptor without VP9 payload; a8 81 23 03 07",
    })
    void shouldRejectMalformedDescriptor(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(vp9.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldRejectEmptyPayload()
    {
        assertFalse(vp9.wrap(new byte[0], 0, 0));
        assertFalse(vp9.wrap(KEYFRAME_WITH_SS, 0, 21));
        assertTrue(vp9.wrap(KEYFRAME_WITH_SS, 0, 22));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final Vp9PayloadDescriptor descriptor = new Vp9PayloadDescriptor();
        Fuzz.run(9628, List.of(KEYFRAME_WITH_SS, FLEXIBLE_INTER, UPPER_LAYER_INTRA, MINIMAL), (buf, off, len) ->
        {
            if (descriptor.wrap(buf, off, len))
            {
                assertTrue(descriptor.descriptorLength() < len);
                descriptor.temporalLayer();
                descriptor.spatialLayer();
                descriptor.switchingUpPoint();
                descriptor.interLayerDependency();
                descriptor.isKeyframe();
                for (int i = 0; i < descriptor.referenceCount(); i++)
                {
                    descriptor.pDiff(i);
                }
                for (int i = 0; i < descriptor.spatialLayerCount(); i++)
                {
                    descriptor.width(i);
                    descriptor.height(i);
                }
                descriptor.pictureId(descriptor.pictureId() + 1);
                descriptor.tl0PicIdx(descriptor.tl0PicIdx() + 1);
            }
        });
    }
}
