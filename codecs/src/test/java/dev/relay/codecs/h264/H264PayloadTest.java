package dev.relay.codecs.h264;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class H264PayloadTest
{
    /** SPS and PPS aggregated ahead of an IDR, as libwebrtc packetizes a key frame. */
    static final byte[] STAP_A_SPS_PPS = Hex.bytes("""
        78            # F=0 NRI=3 Type=24 (STAP-A)
        00 04         # NALU 1 size 4
        67 42 c0 1f   #   NRI=3 Type=7 (SPS): constrained baseline, level 3.1
        00 04         # NALU 2 size 4
        68 ce 3c 80   #   NRI=3 Type=8 (PPS)
        """);

    static final byte[] FU_A_IDR_START = Hex.bytes("""
        7c            # FU indicator: NRI=3 Type=28 (FU-A)
        85            # FU header: S=1 E=0 R=0 Type=5 (IDR)
        88 84 00 33   # IDR slice data
        """);

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = ';', value = {
        "single NAL IDR slice;              65 88 84 00;            true",
        "single NAL SPS;                    67 42 c0 1f;            true",
        "single NAL PPS;                    68 ce 3c 80;            false",
        "single NAL non-IDR slice;          41 9a 02 04;            false",
        "single NAL SEI;                    06 05 ff;               false",
        "STAP-A with SPS and PPS;           78 00 04 67 42 c0 1f 00 04 68 ce 3c 80;  true",
        "STAP-A with IDR after SEI;         78 00 02 06 05 00 02 65 88;              true",
        "STAP-A with PPS and SEI only;      78 00 04 68 ce 3c 80 00 02 06 05;        false",
        "STAP-A whose size runs past end;   78 00 09 67 42 c0 1f;  false",
        "STAP-A with zero-size NAL;         78 00 00 00 04 67 42 c0 1f;  false",
        "STAP-A header only;                78;                     false",
        "FU-A start of IDR;                 7c 85 88 84;            true",
        "FU-A middle of IDR;                7c 05 88 84;            false",
        "FU-A end of IDR;                   7c 45 88 84;            false",
        "FU-A start of non-IDR;             5c 81 9a 02;            false",
        "FU-A indicator only;               7c;                     false",
    })
    void shouldDetectKeyframe(final String name, final String hex, final boolean keyframe)
    {
        final byte[] buf = Hex.bytes(hex);

        assertEquals(keyframe, H264Payload.isKeyframe(buf, 0, buf.length), name);
    }

    @Test
    void shouldReadOuterNalType()
    {
        assertEquals(H264Payload.NAL_STAP_A, H264Payload.nalType(STAP_A_SPS_PPS, 0, STAP_A_SPS_PPS.length));
        assertEquals(H264Payload.NAL_FU_A, H264Payload.nalType(FU_A_IDR_START, 0, FU_A_IDR_START.length));
        assertEquals(-1, H264Payload.nalType(new byte[0], 0, 0));
    }

    @Test
    void shouldRejectEmptyOrOutOfRangePayload()
    {
        assertFalse(H264Payload.isKeyframe(new byte[0], 0, 0));
        assertFalse(H264Payload.isKeyframe(null, 0, 1));
        assertFalse(H264Payload.isKeyframe(FU_A_IDR_START, 4, 4));
    }

    @Test
    void shouldStayInsideRangeOfLargerBuffer()
    {
        final byte[] buf = Hex.bytes("78 00 04 68 ce 3c 80 00 04 67 42 c0 1f");

        // Only the PPS is inside the range; the SPS that follows belongs to someone else.
        assertFalse(H264Payload.isKeyframe(buf, 0, 7));
        assertEquals(true, H264Payload.isKeyframe(buf, 0, buf.length));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        Fuzz.run(6184, List.of(STAP_A_SPS_PPS, FU_A_IDR_START), (buf, off, len) ->
        {
            H264Payload.isKeyframe(buf, off, len);
            H264Payload.nalType(buf, off, len);
        });
    }
}
