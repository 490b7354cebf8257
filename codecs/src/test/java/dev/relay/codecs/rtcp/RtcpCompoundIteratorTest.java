package dev.relay.codecs.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpCompoundIteratorTest
{
    static final byte[] COMPOUND = Hex.bytes("""
        80 c9 00 01   # V=2 RC=0 | PT=201 RR | length 1 -> 8 bytes
        fa 17 fa 17   #   SSRC of packet sender
        81 ca 00 03   # V=2 SC=1 | PT=202 SDES | length 3 -> 16 bytes
        fa 17 fa 17   #   chunk SSRC
        01 03 61 62 63   # CNAME, 3 bytes "abc"
        00 00 00      #   END item, padding to the word boundary
        81 ce 00 02   # V=2 FMT=1 | PT=206 PSFB (PLI) | length 2 -> 12 bytes
        fa 17 fa 17   #   SSRC of packet sender
        e4 30 b1 5b   #   SSRC of media source
        """);

    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();

    @Test
    void shouldVisitEachPacketOfCompound()
    {
        assertTrue(iterator.reset(COMPOUND, 0, COMPOUND.length));

        assertTrue(iterator.next());
        assertEquals(RtcpHeader.PT_RR, iterator.header().packetType());
        assertEquals(0, iterator.packetOffset());
        assertEquals(8, iterator.packetLength());

        assertTrue(iterator.next());
        assertEquals(RtcpHeader.PT_SDES, iterator.header().packetType());
        assertEquals(1, iterator.header().count());
        assertEquals(8, iterator.packetOffset());
        assertEquals(16, iterator.packetLength());

        assertTrue(iterator.next());
        assertEquals(RtcpHeader.PT_PSFB, iterator.header().packetType());
        assertEquals(24, iterator.packetOffset());
        assertEquals(12, iterator.packetLength());
        final PliPacket pli = new PliPacket();
        assertTrue(pli.wrap(COMPOUND, iterator.packetOffset(), iterator.packetLength()));
        assertEquals(0xe430b15b, pli.mediaSsrc());

        assertFalse(iterator.next());
        assertFalse(iterator.malformed());
        assertFalse(iterator.next());
    }

    @Test
    void shouldStopOnTrailingBytesShorterThanHeader()
    {
        final byte[] buf = Arrays.copyOf(COMPOUND, COMPOUND.length + 3);

        assertTrue(iterator.reset(buf, 0, buf.length));
        assertEquals(3, count());
        assertTrue(iterator.malformed());
    }

    @Test
    void shouldStopWhenLastPacketLengthRunsPastDatagram()
    {
        final byte[] buf = COMPOUND.clone();
        buf[27] = 3;   // PLI length 3 -> 16 bytes, only 12 remain

        assertTrue(iterator.reset(buf, 0, buf.length));
        assertEquals(2, count());
        assertTrue(iterator.malformed());
    }

    @Test
    void shouldStopOnWrongVersionInsideCompound()
    {
        final byte[] buf = COMPOUND.clone();
        buf[8] = 0x41;   // SDES with V=1

        assertTrue(iterator.reset(buf, 0, buf.length));
        assertEquals(1, count());
        assertTrue(iterator.malformed());
    }

    @Test
    void shouldIterateCompoundAtOffsetAndBeReusable()
    {
        final byte[] buf = new byte[COMPOUND.length + 10];
        System.arraycopy(COMPOUND, 0, buf, 6, COMPOUND.length);

        assertTrue(iterator.reset(buf, 6, COMPOUND.length));
        assertTrue(iterator.next());
        assertEquals(6, iterator.packetOffset());
        assertEquals(2, count());

        assertTrue(iterator.reset(COMPOUND, 8, 16));
        assertEquals(1, count());
        assertFalse(iterator.malformed());
    }

    @Test
    void shouldRefuseBufferShorterThanHeader()
    {
        assertFalse(iterator.reset(COMPOUND, 0, 3));
        assertFalse(iterator.next());
        assertTrue(iterator.malformed());
        assertFalse(iterator.reset(COMPOUND, 40, 8));
        assertFalse(iterator.reset(null, 0, 8));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final RtcpCompoundIterator it = new RtcpCompoundIterator();
        Fuzz.run(6, List.of(COMPOUND, RtcpHeaderTest.CHROMIUM_SRTCP_TRANSPORT_CC), (buf, off, len) ->
        {
            if (it.reset(buf, off, len))
            {
                int total = 0;
                while (it.next())
                {
                    total += it.packetLength();
                    assertTrue(it.packetOffset() + it.packetLength() <= off + len);
                    it.header().senderSsrc();
                }
                assertTrue(it.malformed() || total == len);
            }
        });
    }

    private int count()
    {
        int packets = 0;
        while (iterator.next())
        {
            packets++;
        }
        return packets;
    }
}
