package dev.relay.codecs.rtcp;

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

class RembPacketTest
{
    static final byte[] REMB = Hex.bytes("""
        8f            # V=2 P=0 FMT=15 (application layer feedback)
        ce            # PT=206 PSFB
        00 05         # length 5 -> 24 bytes
        fa 17 fa 17   # SSRC of packet sender
        00 00 00 00   # SSRC of media source: unused, 0
        52 45 4d 42   # "REMB"
        01            # Num SSRC 1
        0b d0 90      # BR Exp 2 (6 bits), BR Mantissa 250000 (18 bits): 1,000,000 bps
        e4 30 b1 5b   # SSRC feedback
        """);

    private final RembPacket remb = new RembPacket();

    @Test
    void shouldReadBitrateAndSsrcs()
    {
        assertTrue(remb.wrap(REMB, 0, REMB.length));

        assertEquals(REMB, remb.buffer());
        assertEquals(24, remb.length());
        assertEquals(0xfa17fa17, remb.senderSsrc());
        assertEquals(1_000_000L, remb.bitrate());
        assertEquals(1, remb.ssrcCount());
        assertEquals(0xe430b15b, remb.ssrc(0));
    }

    @Test
    void shouldWriteRembBack()
    {
        final byte[] dst = new byte[24];

        assertEquals(24, RembPacket.write(dst, 0, 0xfa17fa17, 1_000_000L, new int[] {0xe430b15b}, 1));
        assertArrayEquals(REMB, dst);
    }

    @ParameterizedTest(name = "{0} bps is sent as {1} bps")
    @CsvSource({
        "0,           0",
        "262143,      262143",       // largest mantissa, exponent 0
        "262144,      262144",
        "262145,      262144",       // rounded down: never report more than estimated
        "10000000000, 9999941632",   // exponent 16, mantissa 152587
        "9223372036854775807, 9223336852482686976",
    })
    void shouldRoundBitrateDownToMantissaPrecision(final long bitrate, final long expected)
    {
        final byte[] dst = new byte[28];
        final int length = RembPacket.write(dst, 0, 1, bitrate, new int[] {2, 3}, 2);

        assertEquals(28, length);
        assertTrue(remb.wrap(dst, 0, length));
        assertEquals(expected, remb.bitrate());
        assertEquals(2, remb.ssrcCount());
        assertEquals(2, remb.ssrc(0));
        assertEquals(3, remb.ssrc(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "not REMB identifier; 8f ce 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 41 01 0b d0 90 e4 30 b1 5b",
        "more SSRCs than the length holds; 8f ce 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 42 02 0b d0 90 e4 30 b1 5b",
        "bitrate overflows a long; 8f ce 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 42 01 ff ff ff e4 30 b1 5b",
        "bitrate reaches the sign bit; 8f ce 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 42 01 fc 00 01 e4 30 b1 5b",
        "no room for identifier; 8f ce 00 03 fa 17 fa 17 00 00 00 00 52 45 4d 42",
        "PLI format; 81 ce 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 42 01 0b d0 90 e4 30 b1 5b",
        "transport-layer feedback; 8f cd 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 42 01 0b d0 90 e4 30 b1 5b",
        "truncated datagram; 8f ce 00 05 fa 17 fa 17 00 00 00 00 52 45 4d 42 01 0b d0 90 e4 30 b1",
    })
    void shouldRejectMalformedRemb(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(remb.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final RembPacket packet = new RembPacket();
        Fuzz.run(15, List.of(REMB), (buf, off, len) ->
        {
            if (packet.wrap(buf, off, len))
            {
                assertTrue(packet.bitrate() >= 0);
                packet.senderSsrc();
                for (int i = 0; i < packet.ssrcCount(); i++)
                {
                    packet.ssrc(i);
                }
            }
        });
    }
}
