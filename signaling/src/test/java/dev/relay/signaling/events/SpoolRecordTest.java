package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SpoolRecordTest {

    /** "hi" framed: length 2, CRC-32C over 00 00 00 02 68 69, payload. */
    private static final String HI = "00000002" + crcHex("00000002" + "6869") + "6869";

    private static String crcHex(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b);
        return String.format("%08x", crc.getValue());
    }

    @Test
    void shouldFrameAPayloadWithItsLengthAndCrc32c() {
        ByteBuffer buf = ByteBuffer.allocate(16);
        SpoolRecord.write(buf, "hi".getBytes(StandardCharsets.UTF_8));
        byte[] written = new byte[buf.position()];
        buf.flip().get(written);
        assertArrayEquals(HexFormat.of().parseHex(HI), written);
        ByteBuffer back = ByteBuffer.wrap(written);
        assertEquals(SpoolRecord.Check.VALID, SpoolRecord.check(back, 0, written.length));
        assertEquals(2, SpoolRecord.payloadLength(back, 0));
    }

    @Test
    void shouldMatchTheCrc32cCheckValueOfRfc3720() {
        // RFC 3720 B.4: 32 bytes of zeros give the CRC-32C 0x8A9136AA.
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(new byte[32]);
        assertEquals(0x8A9136AAL, crc.getValue());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "empty,                      '',                           TRUNCATED",
            "half a header,              '000000',                     TRUNCATED",
            "header without payload,     'HEADER',                     TRUNCATED",
            "payload cut short,          'HEADER68',                   TRUNCATED",
            "zero length (zeroed tail),  '0000000000000000',           CORRUPT",
            "length over the maximum,    '0100000100000000',           CORRUPT",
            "negative length,            'ffffffff00000000',           CORRUPT",
            "payload bit flipped,        'HEADER6868',                 CORRUPT",
            "crc bit flipped,            'FLIPPED',                    CORRUPT",
            "whole,                      'WHOLE',                      VALID",
    })
    void shouldJudgeEachFrame(String what, String hex, SpoolRecord.Check expected) {
        String header = HI.substring(0, 16);
        String flipped = HI.substring(0, 8) + String.format("%08x",
                Long.parseLong(HI.substring(8, 16), 16) ^ 1L) + HI.substring(16);
        String resolved = switch (hex) {
            case "HEADER" -> header;
            case "HEADER68" -> header + "68";
            case "HEADER6868" -> header + "6868";
            case "FLIPPED" -> flipped;
            case "WHOLE" -> HI;
            default -> hex;
        };
        byte[] b = HexFormat.of().parseHex(resolved);
        assertEquals(expected, SpoolRecord.check(ByteBuffer.wrap(b), 0, b.length), what);
    }

    @Test
    void shouldRefuseEmptyAndOversizedPayloads() {
        ByteBuffer buf = ByteBuffer.allocate(SpoolRecord.MAX_PAYLOAD + 16);
        assertThrows(IllegalArgumentException.class, () -> SpoolRecord.write(buf, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> SpoolRecord.write(buf, new byte[SpoolRecord.MAX_PAYLOAD + 1]));
    }
}
