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

class FirPacketTest
{
    static final byte[] FIR = Hex.bytes("""
        84            # V=2 P=0 FMT=4 (FIR)
        ce            # PT=206 PSFB
        00 04         # length 4 -> 20 bytes
        fa 17 fa 17   # SSRC of packet sender
        00 00 00 00   # SSRC of media source: unused, 0 (RFC 5104 §4.3.1.2)
        e4 30 b1 5b   # FCI: SSRC of the media sender to refresh
        2a 00 00 00   #      Seq nr. 42, reserved
        """);

    static final byte[] FIR_TWO_ENTRIES = Hex.bytes("""
        84 ce 00 06   # FMT=4 | PT=206 | length 6 -> 28 bytes
        fa 17 fa 17   # SSRC of packet sender
        00 00 00 00   # SSRC of media source
        e4 30 b1 5b   # entry 1: SSRC
        2a 00 00 00   #          Seq nr. 42
        cb 03 2b 69   # entry 2: SSRC
        ff 00 00 00   #          Seq nr. 255
        """);

    private final FirPacket fir = new FirPacket();

    @Test
    void shouldReadSingleEntry()
    {
        assertTrue(fir.wrap(FIR, 0, FIR.length));

        assertEquals(FIR, fir.buffer());
        assertEquals(20, fir.length());
        assertEquals(0xfa17fa17, fir.senderSsrc());
        assertEquals(0, fir.mediaSsrc());
        assertEquals(1, fir.entryCount());
        assertEquals(0xe430b15b, fir.ssrc(0));
        assertEquals(42, fir.seqNr(0));
    }

    @Test
    void shouldReadEveryEntry()
    {
        assertTrue(fir.wrap(FIR_TWO_ENTRIES, 0, FIR_TWO_ENTRIES.length));

        assertEquals(2, fir.entryCount());
        assertEquals(0xe430b15b, fir.ssrc(0));
        assertEquals(42, fir.seqNr(0));
        assertEquals(0xcb032b69, fir.ssrc(1));
        assertEquals(255, fir.seqNr(1));
    }

    @Test
    void shouldWriteFirBack()
    {
        final byte[] dst = new byte[20];

        assertEquals(20, FirPacket.write(dst, 0, 0xfa17fa17, 0xe430b15b, 42));
        assertArrayEquals(FIR, dst);
    }

    @Test
    void shouldWrapSequenceNumberToOneByte()
    {
        final byte[] dst = new byte[20];
        FirPacket.write(dst, 0, 1, 2, 256 + 3);

        assertTrue(fir.wrap(dst, 0, dst.length));
        assertEquals(3, fir.seqNr(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "no entries; 84 ce 00 02 fa 17 fa 17 00 00 00 00",
        "partial entry only; 84 ce 00 03 fa 17 fa 17 00 00 00 00 e4 30 b1 5b",
        "PLI format; 81 ce 00 04 fa 17 fa 17 00 00 00 00 e4 30 b1 5b 2a 00 00 00",
        "transport-layer feedback; 84 cd 00 04 fa 17 fa 17 00 00 00 00 e4 30 b1 5b 2a 00 00 00",
        "truncated datagram; 84 ce 00 04 fa 17 fa 17 00 00 00 00 e4 30 b1 5b 2a 00 00",
    })
    void shouldRejectMalformedFir(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(fir.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final FirPacket packet = new FirPacket();
        Fuzz.run(5104, List.of(FIR, FIR_TWO_ENTRIES), (buf, off, len) ->
        {
            if (packet.wrap(buf, off, len))
            {
                packet.senderSsrc();
                packet.mediaSsrc();
                for (int i = 0; i < packet.entryCount(); i++)
                {
                    packet.ssrc(i);
                    packet.seqNr(i);
                }
            }
        });
    }
}
