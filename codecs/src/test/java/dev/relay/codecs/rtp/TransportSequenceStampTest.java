package dev.relay.codecs.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Hex;
import dev.relay.codecs.rtcp.TransportCcFeedback;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransportSequenceStampTest
{
    private static final byte[] PLAIN = Hex.bytes("""
        80 60 00 07 00 00 03 e8 0b 0b 0b 0b   # V=2 PT=96 seq 7, no extension
        01 02 03 04 05                        # payload
        """);

    private static final byte[] WITH_AUDIO_LEVEL = Hex.bytes("""
        90 6f 00 07 00 00 03 e8 0b 0b 0b 0b   # X=1 PT=111
        be de 00 01                           # one-byte profile, one word
        10 aa 00 00                           # id 1 (audio level) 0xaa, padding
        01 02 03
        """);

    private final RtpPacket rtp = new RtpPacket();

    @Test
    void shouldAddAnExtensionBlockToAPacketWithout()
    {
        final byte[] buf = Arrays.copyOf(PLAIN, 64);

        final int len = TransportSequenceStamp.stamp(buf, 0, PLAIN.length, buf.length, 3, 0xABCD);

        assertEquals(PLAIN.length + 8, len);
        assertTrue(rtp.wrap(buf, 0, len));
        assertEquals(0xABCD, TransportCcFeedback.transportSequenceNumber(rtp, 3));
        assertEquals(96, rtp.payloadType());
        assertEquals(7, rtp.sequenceNumber());
        assertArrayEquals(Hex.bytes("01 02 03 04 05"), Arrays.copyOfRange(buf, rtp.payloadOffset(), len));
    }

    @Test
    void shouldAppendAWordToAnExistingOneByteBlock()
    {
        final byte[] buf = Arrays.copyOf(WITH_AUDIO_LEVEL, 64);

        final int len = TransportSequenceStamp.stamp(buf, 0, WITH_AUDIO_LEVEL.length, buf.length, 3, 17);

        assertEquals(WITH_AUDIO_LEVEL.length + 4, len);
        assertTrue(rtp.wrap(buf, 0, len));
        assertEquals(17, TransportCcFeedback.transportSequenceNumber(rtp, 3));
        final int level = rtp.findExtension(1);
        assertEquals((byte)0xaa, buf[level], "the audio level element is kept");
        assertArrayEquals(Hex.bytes("01 02 03"), Arrays.copyOfRange(buf, rtp.payloadOffset(), len));
    }

    @Test
    void shouldStampAtAnOffset()
    {
        final byte[] buf = new byte[80];
        System.arraycopy(PLAIN, 0, buf, 10, PLAIN.length);

        final int len = TransportSequenceStamp.stamp(buf, 10, PLAIN.length, 70, 5, 1);

        assertTrue(rtp.wrap(buf, 10, len));
        assertEquals(1, TransportCcFeedback.transportSequenceNumber(rtp, 5));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no room for the block        | 80 60 00 07 00 00 03 e8 0b 0b 0b 0b 01 | 20",
        "cut short                    | 80 60 00 07 00 00 03                   | 64",
        "RTP version 1                | 40 60 00 07 00 00 03 e8 0b 0b 0b 0b 01 | 64",
        "two-byte-header block        | 90 60 00 07 00 00 03 e8 0b 0b 0b 0b 10 00 00 01 01 01 aa 00 | 64",
        "block longer than the packet | 90 60 00 07 00 00 03 e8 0b 0b 0b 0b be de 00 04 10 aa 00 00 | 64",
        "CSRCs past the end           | 82 60 00 07 00 00 03 e8 0b 0b 0b 0b 00 00 00 01 | 64",
    })
    void shouldRefuseAndLeaveThePacketAlone(final String name, final String hex, final int capacity)
    {
        final byte[] packet = Hex.bytes(hex);
        final byte[] buf = Arrays.copyOf(packet, 64);

        assertEquals(-1, TransportSequenceStamp.stamp(buf, 0, packet.length, capacity, 3, 9), name);
        assertArrayEquals(Arrays.copyOf(packet, 64), buf, name);
    }
}
