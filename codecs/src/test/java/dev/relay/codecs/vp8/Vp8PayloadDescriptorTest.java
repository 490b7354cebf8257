package dev.relay.codecs.vp8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Vp8PayloadDescriptorTest
{
    /** First packet of a key frame with every optional field, as a simulcast encoder sends it. */
    static final byte[] KEYFRAME_START = Hex.bytes("""
        90            # X=1 R=0 N=0 S=1 R=0 PID=0
        e0            # I=1 L=1 T=1 K=0
        80 2a         # M=1 PictureID 42 (15 bits)
        05            # TL0PICIDX 5
        20            # TID=0 Y=1 KEYIDX=0
        50 2c 00      # VP8 frame tag: P=0 key frame, show_frame=1 (RFC 7741 §4.3)
        9d 01 2a      # key frame start code
        """);

    /** A later packet of an inter frame on temporal layer 2, 7-bit PictureID. */
    static final byte[] INTER_CONTINUATION = Hex.bytes("""
        a0            # X=1 R=0 N=1 S=0 R=0 PID=0
        a0            # I=1 L=0 T=1 K=0
        7f            # M=0 PictureID 127 (7 bits)
        80            # TID=2 Y=0 KEYIDX=0
        01 02 03      # VP8 data, continued
        """);

    static final byte[] MINIMAL_INTER_START = Hex.bytes("""
        10            # X=0 S=1 PID=0
        b1 1e 00      # VP8 frame tag: P=1 inter frame
        """);

    static final byte[] KEYIDX_ONLY = Hex.bytes("""
        90            # X=1 S=1 PID=0
        10            # I=0 L=0 T=0 K=1
        1f            # TID bits unused, KEYIDX=31
        50 2c 00      # key frame tag
        """);

    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();

    @Test
    void shouldReadEveryFieldOfKeyframeStart()
    {
        assertTrue(vp8.wrap(KEYFRAME_START, 0, KEYFRAME_START.length));

        assertEquals(KEYFRAME_START, vp8.buffer());
        assertEquals(0, vp8.offset());
        assertEquals(12, vp8.length());
        assertEquals(6, vp8.descriptorLength());
        assertTrue(vp8.hasExtension());
        assertFalse(vp8.nonReference());
        assertTrue(vp8.startOfPartition());
        assertEquals(0, vp8.partitionIndex());
        assertTrue(vp8.hasPictureId());
        assertTrue(vp8.hasLongPictureId());
        assertEquals(42, vp8.pictureId());
        assertTrue(vp8.hasTl0PicIdx());
        assertEquals(5, vp8.tl0PicIdx());
        assertEquals(0, vp8.temporalLayer());
        assertTrue(vp8.layerSync());
        assertEquals(-1, vp8.keyIdx());
        assertTrue(vp8.isKeyframe());
    }

    @Test
    void shouldReadShortPictureIdAndTemporalLayer()
    {
        assertTrue(vp8.wrap(INTER_CONTINUATION, 0, INTER_CONTINUATION.length));

        assertEquals(4, vp8.descriptorLength());
        assertTrue(vp8.nonReference());
        assertFalse(vp8.startOfPartition());
        assertFalse(vp8.hasLongPictureId());
        assertEquals(127, vp8.pictureId());
        assertFalse(vp8.hasTl0PicIdx());
        assertEquals(-1, vp8.tl0PicIdx());
        assertEquals(2, vp8.temporalLayer());
        assertFalse(vp8.layerSync());
        assertFalse(vp8.isKeyframe());
    }

    @Test
    void shouldReadDescriptorWithoutExtension()
    {
        assertTrue(vp8.wrap(MINIMAL_INTER_START, 0, MINIMAL_INTER_START.length));

        assertEquals(1, vp8.descriptorLength());
        assertFalse(vp8.hasExtension());
        assertTrue(vp8.startOfPartition());
        assertFalse(vp8.hasPictureId());
        assertEquals(-1, vp8.pictureId());
        assertEquals(-1, vp8.temporalLayer());
        assertFalse(vp8.layerSync());
        assertFalse(vp8.isKeyframe());
    }

    @Test
    void shouldReadKeyIdxWithoutTemporalLayer()
    {
        assertTrue(vp8.wrap(KEYIDX_ONLY, 0, KEYIDX_ONLY.length));

        assertEquals(3, vp8.descriptorLength());
        assertEquals(-1, vp8.temporalLayer());
        assertEquals(31, vp8.keyIdx());
        assertTrue(vp8.isKeyframe());
    }

    @Test
    void shouldNotTreatLaterPartitionAsKeyframe()
    {
        final byte[] buf = Hex.bytes("11 00 00 00   # X=0 S=1 PID=1, payload starting with a clear P bit");

        assertTrue(vp8.wrap(buf, 0, buf.length));
        assertEquals(1, vp8.partitionIndex());
        assertFalse(vp8.isKeyframe());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "S=1 PID=0 starts a frame; 10 b1 1e 00; true",
        "S=1 PID=1 starts a later partition; 11 00 00 00; false",
        "S=0 PID=0 continues a frame; 00 01 02 03; false",
        "extended descriptor, S=1 PID=0; 90 e0 80 2a 05 20 50; true",
    })
    void shouldTellStartOfFrame(final String name, final String hex, final boolean start)
    {
        final byte[] buf = Hex.bytes(hex);

        assertTrue(vp8.wrap(buf, 0, buf.length));
        assertEquals(start, vp8.startOfFrame(), name);
    }

    @Test
    void shouldWritePictureIdAndTl0PicIdxBack()
    {
        final byte[] copy = KEYFRAME_START.clone();
        copy[3] = 0;
        copy[4] = 0;

        assertTrue(vp8.wrap(copy, 0, copy.length));
        vp8.pictureId(42);
        vp8.tl0PicIdx(5);

        assertArrayEquals(KEYFRAME_START, copy);
    }

    @Test
    void shouldWrapRewrittenIdsToFieldWidth()
    {
        final byte[] longId = KEYFRAME_START.clone();
        vp8.wrap(longId, 0, longId.length);
        vp8.pictureId(0x7FFF + 2);
        vp8.tl0PicIdx(256 + 7);
        assertEquals(1, vp8.pictureId());
        assertTrue(vp8.hasLongPictureId());
        assertEquals(7, vp8.tl0PicIdx());

        final byte[] shortId = INTER_CONTINUATION.clone();
        vp8.wrap(shortId, 0, shortId.length);
        vp8.pictureId(200);
        vp8.tl0PicIdx(9);
        assertEquals(200 & 0x7F, vp8.pictureId());
        assertFalse(vp8.hasLongPictureId());
        assertArrayEquals(Arrays.copyOfRange(INTER_CONTINUATION, 3, 7), Arrays.copyOfRange(shortId, 3, 7));
    }

    @Test
    void shouldWrapDescriptorInsideRtpPayload()
    {
        final byte[] buf = new byte[KEYFRAME_START.length + 28];
        System.arraycopy(KEYFRAME_START, 0, buf, 28, KEYFRAME_START.length);

        assertTrue(vp8.wrap(buf, 28, KEYFRAME_START.length));
        assertEquals(42, vp8.pictureId());
        assertTrue(vp8.isKeyframe());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "extension byte missing; 80",
        "picture id missing; 80 80",
        "second byte of 15-bit picture id missing; 80 80 80",
        "TL0PICIDX missing; 80 c0 05",
        "TID/KEYIDX byte missing; 80 20",
        "descriptor without VP8 payload; 90 e0 80 2a 05 20",
        "minimal descriptor without VP8 payload; 10",
    })
    void shouldRejectMalformedDescriptor(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(vp8.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldRejectEmptyPayload()
    {
        assertFalse(vp8.wrap(new byte[0], 0, 0));
        assertFalse(vp8.wrap(KEYFRAME_START, 10, 5));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final Vp8PayloadDescriptor descriptor = new Vp8PayloadDescriptor();
        Fuzz.run(7741, List.of(KEYFRAME_START, INTER_CONTINUATION, MINIMAL_INTER_START, KEYIDX_ONLY), (buf, off, len) ->
        {
            if (descriptor.wrap(buf, off, len))
            {
                assertTrue(descriptor.descriptorLength() < len);
                descriptor.startOfPartition();
                descriptor.partitionIndex();
                descriptor.nonReference();
                descriptor.temporalLayer();
                descriptor.layerSync();
                descriptor.keyIdx();
                descriptor.tl0PicIdx();
                descriptor.isKeyframe();
                descriptor.pictureId(descriptor.pictureId() + 1);
                descriptor.tl0PicIdx(descriptor.tl0PicIdx() + 1);
            }
        });
    }
}
