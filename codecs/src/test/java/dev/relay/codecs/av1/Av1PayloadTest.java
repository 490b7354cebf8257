package dev.relay.codecs.av1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.relay.codecs.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Av1PayloadTest
{
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = ';', value = {
        // Aggregation header |Z|Y| W |N|-|-|-|, then OBU elements (libwebrtc sends W=1..3, N on key frames).
        "N set, W=1, sequence header (libwebrtc key frame);  18 0a 0b 00;           true",
        "N set, W=2;                                         28 02 0a 0b 32 00;     true",
        "N set but Z set (continuation);                     98 0a 0b;              false",
        "N clear, W=1, frame OBU (delta frame);              10 32 00 00;           false",
        "N clear, W=0, first element a sequence header;      00 02 0a 0b;           true",
        "N clear, W=2, first element a sequence header;      20 02 0a 0b 32 00;     true",
        "N clear, W=2, first element a frame OBU;            20 03 32 00 00 32;     false",
        "N clear, two-byte LEB128 length then sequence hdr;  00 81 01 0a;           true",
        "length runs past the end;                           00 80 80;              false",
        "LEB128 longer than 8 bytes;                         00 ff ff ff ff ff ff ff ff 01 0a; false",
        "aggregation header only;                            18;                    false",
    })
    void shouldFindTheStartOfACodedVideoSequence(final String name, final String hex, final boolean expected)
    {
        final byte[] payload = Hex.bytes(hex);
        assertEquals(expected, Av1Payload.isKeyframeStart(payload, 0, payload.length));

        // The same answer inside a larger buffer: no absolute indexes.
        final byte[] embedded = new byte[payload.length + 7];
        Arrays.fill(embedded, (byte)0xFF);
        System.arraycopy(payload, 0, embedded, 4, payload.length);
        assertEquals(expected, Av1Payload.isKeyframeStart(embedded, 4, payload.length));
    }

    @Test
    void shouldRejectRangesOutsideTheBuffer()
    {
        final byte[] payload = Hex.bytes("18 0a 0b");
        assertFalse(Av1Payload.isKeyframeStart(payload, 0, 0));
        assertFalse(Av1Payload.isKeyframeStart(payload, 2, 5));
        assertFalse(Av1Payload.isKeyframeStart(payload, -1, 2));
        assertFalse(Av1Payload.isKeyframeStart(null, 0, 2));
    }
}
