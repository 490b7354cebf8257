package dev.relay.codecs.rtcp;

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

class NackPacketTest
{
    static final byte[] NACK = Hex.bytes("""
        81            # V=2 P=0 FMT=1 (Generic NACK)
        cd            # PT=205 RTPFB
        00 03         # length 3 -> 16 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # SSRC of media source
        55 e0         # PID 21984 lost
        00 05         # BLP bits 0 and 2: 21985 and 21987 lost too
        """);

    static final byte[] NACK_ACROSS_WRAP = Hex.bytes("""
        81 cd 00 04   # FMT=1 | PT=205 | length 4 -> 20 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # SSRC of media source
        ff fe 00 07   # PID 65534, BLP 0b111: 65535, 0, 1
        00 14 00 00   # PID 20, 22 after 65534: too far for the first BLP
        """);

    private final NackPacket nack = new NackPacket();

    @Test
    void shouldReadFciAndExpandLostSequenceNumbers()
    {
        assertTrue(nack.wrap(NACK, 0, NACK.length));

        assertEquals(NACK, nack.buffer());
        assertEquals(16, nack.length());
        assertEquals(0xfa17fa17, nack.senderSsrc());
        assertEquals(0xe430b15b, nack.mediaSsrc());
        assertEquals(1, nack.fciCount());
        assertEquals(21984, nack.pid(0));
        assertEquals(0x0005, nack.blp(0));
        assertEquals(3, nack.lostCount());

        final int[] lost = new int[8];
        assertEquals(3, nack.lostSequenceNumbers(lost));
        assertArrayEquals(new int[] {21984, 21985, 21987}, Arrays.copyOf(lost, 3));
    }

    @Test
    void shouldWriteNackBack()
    {
        final byte[] dst = new byte[NackPacket.maxLength(3)];

        final int length = NackPacket.write(dst, 0, 0xfa17fa17, 0xe430b15b, new int[] {21984, 21985, 21987}, 3);

        assertEquals(16, length);
        assertArrayEquals(NACK, Arrays.copyOf(dst, length));
    }

    @Test
    void shouldPackSequenceNumbersAcrossWrapAround()
    {
        final int[] lost = {65534, 65535, 0, 1, 20};
        final byte[] dst = new byte[NackPacket.maxLength(lost.length)];

        final int length = NackPacket.write(dst, 0, 0xfa17fa17, 0xe430b15b, lost, lost.length);

        assertArrayEquals(NACK_ACROSS_WRAP, Arrays.copyOf(dst, length));
        assertTrue(nack.wrap(dst, 0, length));
        final int[] out = new int[lost.length];
        assertEquals(5, nack.lostSequenceNumbers(out));
        assertArrayEquals(lost, out);
    }

    @Test
    void shouldUseLastBlpBitForSixteenAhead()
    {
        final byte[] dst = new byte[NackPacket.maxLength(3)];

        assertEquals(16, NackPacket.write(dst, 0, 1, 2, new int[] {100, 116}, 2));
        assertTrue(nack.wrap(dst, 0, 16));
        assertEquals(0x8000, nack.blp(0));

        assertEquals(20, NackPacket.write(dst, 0, 1, 2, new int[] {100, 117}, 2));
        assertTrue(nack.wrap(dst, 0, 20));
        assertEquals(2, nack.fciCount());
        assertEquals(117, nack.pid(1));
    }

    @Test
    void shouldReportUnsortedInputWithoutLosingAny()
    {
        final int[] lost = {10, 5, 6};
        final byte[] dst = new byte[NackPacket.maxLength(lost.length)];
        final int length = NackPacket.write(dst, 0, 1, 2, lost, lost.length);

        assertTrue(nack.wrap(dst, 0, length));
        final int[] out = new int[3];
        assertEquals(3, nack.lostSequenceNumbers(out));
        assertArrayEquals(lost, out);
    }

    @Test
    void shouldTruncateExpansionToOutputArray()
    {
        nack.wrap(NACK_ACROSS_WRAP, 0, NACK_ACROSS_WRAP.length);
        final int[] out = new int[2];

        assertEquals(5, nack.lostCount());
        assertEquals(2, nack.lostSequenceNumbers(out));
        assertArrayEquals(new int[] {65534, 65535}, out);
    }

    @Test
    void shouldWriteNothingForEmptyList()
    {
        assertEquals(0, NackPacket.write(new byte[16], 0, 1, 2, new int[0], 0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "no FCI; 81 cd 00 02 fa 17 fa 17 e4 30 b1 5b",
        "transport-cc format; 8f cd 00 03 fa 17 fa 17 e4 30 b1 5b 55 e0 00 05",
        "payload-specific feedback; 81 ce 00 03 fa 17 fa 17 e4 30 b1 5b 55 e0 00 05",
        "truncated datagram; 81 cd 00 03 fa 17 fa 17 e4 30 b1 5b 55 e0 00",
        "version 1; 41 cd 00 03 fa 17 fa 17 e4 30 b1 5b 55 e0 00 05",
    })
    void shouldRejectMalformedNack(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(nack.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final NackPacket packet = new NackPacket();
        final int[] out = new int[64];
        Fuzz.run(4586, List.of(NACK, NACK_ACROSS_WRAP), (buf, off, len) ->
        {
            if (packet.wrap(buf, off, len))
            {
                packet.senderSsrc();
                packet.mediaSsrc();
                for (int i = 0; i < packet.fciCount(); i++)
                {
                    packet.pid(i);
                    packet.blp(i);
                }
                assertEquals(Math.min(out.length, packet.lostCount()), packet.lostSequenceNumbers(out));
            }
        });
    }
}
