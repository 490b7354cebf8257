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

class RtcpHeaderTest
{
    /**
     * Transport-cc feedback from chromium-156/chromium-to-chromium-loopback.pcap (datagram 21).
     * SRTCP keeps the first 8 bytes in clear; the rest is ciphertext, then the 4-byte E||index
     * and the 10-byte auth tag, which this header's length field excludes.
     */
    static final byte[] CHROMIUM_SRTCP_TRANSPORT_CC = Hex.bytes("""
        8f            # V=2 P=0 FMT=15 (transport-cc)
        cd            # PT=205 RTPFB
        00 06         # length 6 -> 28 bytes
        fa 17 fa 17   # SSRC of packet sender
        4c 7c 2c b9 37 fe 88 ea 81 f8 ee 3d f5 20 fa fb d9 07 f2 ed   # encrypted
        80 00 00 01   # SRTCP E=1, index 1
        bb 5a 75 80 ae 3b b3 d6 18 df   # auth tag
        """);

    /** Datagram 37 of the same capture: the P bit is set on a padded feedback message. */
    static final byte[] CHROMIUM_SRTCP_PADDED = Hex.bytes("""
        af            # V=2 P=1 FMT=15
        cd            # PT=205 RTPFB
        00 08         # length 8 -> 36 bytes
        fa 17 fa 17   # SSRC of packet sender
        c4 5c 75 41 c5 1b 95 da 99 6e d1 b3 9d 28 a7 cf aa 2d 4b 06 25 00 42 2a c1 37 c8 ab   # encrypted
        """);

    private final RtcpHeader header = new RtcpHeader();

    @Test
    void shouldReadChromiumTransportCcHeader()
    {
        assertTrue(header.wrap(CHROMIUM_SRTCP_TRANSPORT_CC, 0, CHROMIUM_SRTCP_TRANSPORT_CC.length));

        assertEquals(CHROMIUM_SRTCP_TRANSPORT_CC, header.buffer());
        assertEquals(0, header.offset());
        assertFalse(header.padding());
        assertEquals(15, header.count());
        assertEquals(RtcpHeader.PT_RTPFB, header.packetType());
        assertEquals(28, header.lengthInBytes());
        assertEquals(0xfa17fa17, header.senderSsrc());
    }

    @Test
    void shouldReadPaddingBit()
    {
        assertTrue(header.wrap(CHROMIUM_SRTCP_PADDED, 0, CHROMIUM_SRTCP_PADDED.length));

        assertTrue(header.padding());
        assertEquals(36, header.lengthInBytes());
    }

    @Test
    void shouldWriteHeaderBack()
    {
        final byte[] dst = new byte[4];

        assertEquals(4, RtcpHeader.write(dst, 0, 15, RtcpHeader.PT_RTPFB, 28));
        assertArrayEquals(Arrays.copyOf(CHROMIUM_SRTCP_TRANSPORT_CC, 4), dst);
    }

    @Test
    void shouldAcceptEmptyByeWithoutSenderSsrc()
    {
        final byte[] bye = Hex.bytes("80 cb 00 00   # V=2 SC=0 | PT=203 BYE | length 0 -> 4 bytes");

        assertTrue(header.wrap(bye, 0, bye.length));
        assertEquals(RtcpHeader.PT_BYE, header.packetType());
        assertEquals(4, header.lengthInBytes());
        assertEquals(0, header.senderSsrc());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "shorter than a header; 80 c9 00",
        "version 0; 00 c9 00 01 fa 17 fa 17",
        "version 1; 40 c9 00 01 fa 17 fa 17",
        "version 3; c0 c9 00 01 fa 17 fa 17",
        "length past end of datagram; 80 c9 00 02 fa 17 fa 17",
        "maximum length field; 80 c9 ff ff fa 17 fa 17",
    })
    void shouldRejectMalformedHeader(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(header.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final RtcpHeader h = new RtcpHeader();
        Fuzz.run(3551, List.of(CHROMIUM_SRTCP_TRANSPORT_CC, CHROMIUM_SRTCP_PADDED), (buf, off, len) ->
        {
            if (h.wrap(buf, off, len))
            {
                assertTrue(h.lengthInBytes() <= len);
                h.count();
                h.packetType();
                h.senderSsrc();
                h.padding();
            }
        });
    }
}
