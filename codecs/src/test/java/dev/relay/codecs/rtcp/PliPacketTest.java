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

class PliPacketTest
{
    static final byte[] PLI = Hex.bytes("""
        81            # V=2 P=0 FMT=1 (PLI)
        ce            # PT=206 PSFB
        00 02         # length 2 -> 12 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # SSRC of media source
        """);

    private final PliPacket pli = new PliPacket();

    @Test
    void shouldReadSsrcs()
    {
        assertTrue(pli.wrap(PLI, 0, PLI.length));

        assertEquals(PLI, pli.buffer());
        assertEquals(0, pli.offset());
        assertEquals(12, pli.length());
        assertEquals(0xfa17fa17, pli.senderSsrc());
        assertEquals(0xe430b15b, pli.mediaSsrc());
    }

    @Test
    void shouldWritePliBack()
    {
        final byte[] dst = new byte[12];

        assertEquals(12, PliPacket.write(dst, 0, 0xfa17fa17, 0xe430b15b));
        assertArrayEquals(PLI, dst);
    }

    @Test
    void shouldWriteAtOffset()
    {
        final byte[] dst = new byte[20];

        assertEquals(PliPacket.LENGTH, PliPacket.write(dst, 5, 1, 2));
        assertTrue(pli.wrap(dst, 5, 12));
        assertEquals(1, pli.senderSsrc());
        assertEquals(2, pli.mediaSsrc());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "FIR format; 84 ce 00 02 fa 17 fa 17 e4 30 b1 5b",
        "transport-layer feedback; 81 cd 00 02 fa 17 fa 17 e4 30 b1 5b",
        "length too short for media SSRC; 81 ce 00 01 fa 17 fa 17 e4 30 b1 5b",
        "truncated datagram; 81 ce 00 02 fa 17 fa 17 e4 30 b1",
        "version 0; 01 ce 00 02 fa 17 fa 17 e4 30 b1 5b",
        "receiver report; 81 c9 00 02 fa 17 fa 17 e4 30 b1 5b",
    })
    void shouldRejectMalformedPli(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(pli.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final PliPacket packet = new PliPacket();
        Fuzz.run(4585, List.of(PLI), (buf, off, len) ->
        {
            if (packet.wrap(buf, off, len))
            {
                packet.senderSsrc();
                packet.mediaSsrc();
            }
        });
    }
}
