package dev.relay.codecs.rtp;

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

class RtpPacketTest
{
    /**
     * Opus packet from chromium-156/chromium-to-chromium-loopback.pcap (datagram 10). SRTP
     * leaves the header and extensions in clear; the "payload" here is ciphertext plus the
     * 10-byte auth tag, which is fine for header parsing.
     */
    static final byte[] CHROMIUM_OPUS = Hex.bytes("""
        90            # V=2 P=0 X=1 CC=0
        ef            # M=1 PT=111 (opus/48000/2)
        1b 79         # sequence number 7033
        24 18 48 8d   # timestamp 605571213
        cb 03 2b 69   # SSRC
        be de 00 03   # RFC 8285 one-byte profile, 3 words of elements
        22 c5 0f 56   # id 2 L=2: abs-send-time, 3 bytes
        31 00 01      # id 3 L=1: transport-wide sequence number 1
        40 30         # id 4 L=0: mid "0"
        10 ff         # id 1 L=0: ssrc-audio-level, V=1 level 127
        00            # padding to the word boundary
        08 87 22 d1 af c5 f1 8b 18 34 41 84 5c ad 8d e0 88 6f b0 89 86 61 16 f1 65 5b 2a b4 05 de
        8d 85 03 e2 2d 38 90 b9 99 c2 02 ab   # SRTP payload + auth tag, 42 bytes
        """);

    /** Header and extensions of a video (RED) packet from the same capture (datagram 23). */
    static final byte[] CHROMIUM_VIDEO = Hex.bytes("""
        90            # V=2 P=0 X=1 CC=0
        f6            # M=1 PT=118 (red/90000)
        55 e0         # sequence number 21984
        a9 00 1a c4   # timestamp
        e4 30 b1 5b   # SSRC
        be de 00 08   # one-byte profile, 8 words
        22 c5 62 7a   # id 2 L=2: abs-send-time
        31 00 09      # id 3 L=1: transport-wide sequence number 9
        40 31         # id 4 L=0: mid "1"
        83 06 06 06 10   # id 8 L=3: color-space, 4 bytes
        d0 00         # id 13 L=0: video-orientation
        7c 03 00 01 00 05 00 05 00 17 00 00 00 00   # id 7 L=12: video-timing, 13 bytes
        00 00         # padding
        8e 17 c0 b9 32 b2 16 62   # first payload bytes (ciphertext)
        """);

    /** RFC 8285 §4.3 two-byte form, which libwebrtc uses for elements over 16 bytes. */
    static final byte[] TWO_BYTE_EXTENSIONS = Hex.bytes("""
        92            # V=2 P=0 X=1 CC=2
        60            # M=0 PT=96
        00 01         # sequence number 1
        00 00 0b b8   # timestamp 3000
        11 22 33 44   # SSRC
        aa aa aa aa   # CSRC 1
        bb bb bb bb   # CSRC 2
        10 05 00 03   # two-byte profile 0x100, appbits 5, 3 words
        01 00         # id 1 L=0: present, no data
        00            # padding byte between elements
        10 03 61 62 63   # id 16 L=3: "abc"
        ff 01 7f      # id 255 L=1
        00            # padding
        de ad be ef   # payload
        """);

    /** Padding-only payload as a bandwidth probe would send it, after SRTP removed the tag. */
    static final byte[] PADDED = Hex.bytes("""
        a0            # V=2 P=1 X=0 CC=0
        61            # M=0 PT=97 (rtx)
        18 b0         # sequence number 6320
        00 00 00 00   # timestamp 0
        ba a4 4e 93   # SSRC
        01 02         # payload
        00 00 03      # 3 bytes of padding, the last one counting them
        """);

    private final RtpPacket packet = new RtpPacket();

    @Test
    void shouldReadChromiumOpusHeader()
    {
        assertTrue(packet.wrap(CHROMIUM_OPUS, 0, CHROMIUM_OPUS.length));

        assertEquals(CHROMIUM_OPUS, packet.buffer());
        assertEquals(0, packet.offset());
        assertEquals(70, packet.length());
        assertFalse(packet.padding());
        assertTrue(packet.hasExtension());
        assertEquals(0, packet.csrcCount());
        assertTrue(packet.marker());
        assertEquals(111, packet.payloadType());
        assertEquals(7033, packet.sequenceNumber());
        assertEquals(605571213L, packet.timestamp());
        assertEquals(0xcb032b69, packet.ssrc());
        assertEquals(28, packet.headerLength());
        assertEquals(28, packet.payloadOffset());
        assertEquals(42, packet.payloadLength());
        assertEquals(0, packet.paddingLength());
        assertEquals(RtpPacket.ONE_BYTE_PROFILE, packet.extensionProfile());
        assertEquals(16, packet.extensionOffset());
        assertEquals(12, packet.extensionLength());
    }

    @Test
    void shouldFindOneByteExtensionsOfChromiumOpus()
    {
        packet.wrap(CHROMIUM_OPUS, 0, CHROMIUM_OPUS.length);

        assertEquals(17, packet.findExtension(2));
        assertEquals(3, packet.lastExtensionLength());
        assertEquals(21, packet.findExtension(3));
        assertEquals(2, packet.lastExtensionLength());
        assertEquals(24, packet.findExtension(4));
        assertEquals(1, packet.lastExtensionLength());
        assertEquals('0', CHROMIUM_OPUS[24]);
        assertEquals(26, packet.findExtension(1));
        assertEquals((byte)0xff, CHROMIUM_OPUS[26]);
    }

    @Test
    void shouldReportMissingExtension()
    {
        packet.wrap(CHROMIUM_OPUS, 0, CHROMIUM_OPUS.length);
        packet.findExtension(2);

        assertEquals(-1, packet.findExtension(5));
        assertEquals(-1, packet.lastExtensionLength());
        assertEquals(-1, packet.findExtension(0));
    }

    @Test
    void shouldFindExtensionsAfterPaddingInChromiumVideo()
    {
        assertTrue(packet.wrap(CHROMIUM_VIDEO, 0, CHROMIUM_VIDEO.length));

        assertEquals(118, packet.payloadType());
        assertEquals(21984, packet.sequenceNumber());
        assertEquals(48, packet.headerLength());
        assertEquals(8, packet.payloadLength());
        assertEquals(26, packet.findExtension(8));
        assertEquals(4, packet.lastExtensionLength());
        assertEquals(31, packet.findExtension(13));
        assertEquals(1, packet.lastExtensionLength());
        assertEquals(33, packet.findExtension(7));
        assertEquals(13, packet.lastExtensionLength());
    }

    @Test
    void shouldFindTwoByteExtensionsAndSkipPadding()
    {
        assertTrue(packet.wrap(TWO_BYTE_EXTENSIONS, 0, TWO_BYTE_EXTENSIONS.length));

        assertEquals(2, packet.csrcCount());
        assertEquals(0xaaaaaaaa, packet.csrc(0));
        assertEquals(0xbbbbbbbb, packet.csrc(1));
        assertEquals(0x1005, packet.extensionProfile());
        assertEquals(36, packet.headerLength());
        assertEquals(4, packet.payloadLength());

        assertEquals(26, packet.findExtension(1));
        assertEquals(0, packet.lastExtensionLength());
        assertEquals(29, packet.findExtension(16));
        assertEquals(3, packet.lastExtensionLength());
        assertEquals(34, packet.findExtension(255));
        assertEquals(1, packet.lastExtensionLength());
        assertEquals(-1, packet.findExtension(2));
    }

    @Test
    void shouldStopAtOneByteIdFifteen()
    {
        final byte[] buf = Hex.bytes("""
            90 60 00 01 00 00 00 00 00 00 00 01   # V=2 X=1, PT=96
            be de 00 01   # one-byte profile, 1 word
            f0            # id 15: reserved, stop parsing here (RFC 8285 §4.2)
            20 aa 00      # id 2 L=1 would follow
            """);
        assertTrue(packet.wrap(buf, 0, buf.length));

        assertEquals(-1, packet.findExtension(2));
    }

    @Test
    void shouldNotFindElementRunningPastExtensionBlock()
    {
        final byte[] buf = Hex.bytes("""
            90 60 00 01 00 00 00 00 00 00 00 01
            be de 00 01   # 1 word of elements
            1f 00 00 00   # id 1 L=15 claims 16 bytes
            01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10   # payload, not extension data
            """);
        assertTrue(packet.wrap(buf, 0, buf.length));

        assertEquals(-1, packet.findExtension(1));
    }

    @Test
    void shouldIgnoreElementsOfUnknownProfile()
    {
        final byte[] buf = Hex.bytes("""
            90 60 00 01 00 00 00 00 00 00 00 01
            ab cd 00 01   # a profile that is neither 0xBEDE nor 0x100X
            10 aa 00 00
            """);
        assertTrue(packet.wrap(buf, 0, buf.length));

        assertEquals(0xabcd, packet.extensionProfile());
        assertEquals(-1, packet.findExtension(1));
    }

    @Test
    void shouldExcludePaddingFromPayload()
    {
        assertTrue(packet.wrap(PADDED, 0, PADDED.length));

        assertTrue(packet.padding());
        assertFalse(packet.hasExtension());
        assertEquals(-1, packet.extensionProfile());
        assertEquals(-1, packet.findExtension(1));
        assertEquals(12, packet.payloadOffset());
        assertEquals(2, packet.payloadLength());
        assertEquals(3, packet.paddingLength());
    }

    @Test
    void shouldWriteFieldsBackInPlace()
    {
        packet.wrap(CHROMIUM_OPUS, 0, CHROMIUM_OPUS.length);
        final boolean marker = packet.marker();
        final int payloadType = packet.payloadType();
        final int sequenceNumber = packet.sequenceNumber();
        final long timestamp = packet.timestamp();
        final int ssrc = packet.ssrc();

        final byte[] copy = CHROMIUM_OPUS.clone();
        Arrays.fill(copy, 1, 12, (byte)0x5a);
        assertTrue(packet.wrap(copy, 0, copy.length));
        packet.marker(marker);
        packet.payloadType(payloadType);
        packet.sequenceNumber(sequenceNumber);
        packet.timestamp(timestamp);
        packet.ssrc(ssrc);

        assertArrayEquals(CHROMIUM_OPUS, copy);
    }

    @Test
    void shouldRewriteSsrcSequenceAndTimestampForForwarding()
    {
        final byte[] copy = CHROMIUM_VIDEO.clone();
        packet.wrap(copy, 0, copy.length);

        packet.ssrc(0x01020304);
        packet.sequenceNumber(65536 + 7);
        packet.timestamp(0x1_0000_0005L);
        packet.payloadType(96);
        packet.marker(false);

        assertEquals(0x01020304, packet.ssrc());
        assertEquals(7, packet.sequenceNumber());
        assertEquals(5L, packet.timestamp());
        assertEquals(96, packet.payloadType());
        assertFalse(packet.marker());
        assertEquals(26, packet.findExtension(8));
        assertArrayEquals(Arrays.copyOfRange(CHROMIUM_VIDEO, 12, CHROMIUM_VIDEO.length),
            Arrays.copyOfRange(copy, 12, copy.length));
    }

    @Test
    void shouldWriteMinimalHeader()
    {
        final byte[] expected = Hex.bytes("""
            80            # V=2 P=0 X=0 CC=0
            e0            # M=1 PT=96
            ff ff         # sequence number 65535
            ff ff ff fe   # timestamp 2^32 - 2
            de ad be ef   # SSRC
            """);
        final byte[] dst = new byte[12];

        assertEquals(12, RtpPacket.writeHeader(dst, 0, true, 96, 65535, 0xFFFF_FFFEL, 0xdeadbeef));
        assertArrayEquals(expected, dst);
        assertTrue(packet.wrap(dst, 0, dst.length));
        assertEquals(0, packet.payloadLength());
    }

    @Test
    void shouldWrapPacketAtOffset()
    {
        final byte[] buf = new byte[CHROMIUM_OPUS.length + 9];
        System.arraycopy(CHROMIUM_OPUS, 0, buf, 5, CHROMIUM_OPUS.length);

        assertTrue(packet.wrap(buf, 5, CHROMIUM_OPUS.length));
        assertEquals(7033, packet.sequenceNumber());
        assertEquals(33, packet.payloadOffset());
        assertEquals(42, packet.payloadLength());
        assertEquals(22, packet.findExtension(2));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "truncated fixed header; 80 60 00 01 00 00 00 00 00 00 00",
        "version 0; 00 60 00 01 00 00 00 00 00 00 00 01",
        "version 1; 40 60 00 01 00 00 00 00 00 00 00 01",
        "version 3; c0 60 00 01 00 00 00 00 00 00 00 01",
        "CSRC list past end; 82 60 00 01 00 00 00 00 00 00 00 01 aa aa aa aa",
        "extension header truncated; 90 60 00 01 00 00 00 00 00 00 00 01 be de",
        "truncated extension; 90 60 00 01 00 00 00 00 00 00 00 01 be de 00 02 10 aa 00 00",
        "extension after CSRC past end; 91 60 00 01 00 00 00 00 00 00 00 01 aa aa aa aa be de 00 01",
        "padding count zero; a0 60 00 01 00 00 00 00 00 00 00 01 01 02 00",
        "padding longer than payload; a0 60 00 01 00 00 00 00 00 00 00 01 01 02 04",
        "padding reaching into extension; b0 60 00 01 00 00 00 00 00 00 00 01 be de 00 01 10 aa 00 05",
        "padding bit without payload; a0 60 00 01 00 00 00 00 00 00 00 01",
    })
    void shouldRejectMalformedPacket(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(packet.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldRejectTruncatedExtension()
    {
        assertFalse(packet.wrap(CHROMIUM_VIDEO, 0, 47));
        assertTrue(packet.wrap(CHROMIUM_VIDEO, 0, 48));
    }

    @Test
    void shouldRejectRangeOutsideBuffer()
    {
        assertFalse(packet.wrap(CHROMIUM_OPUS, -1, 20));
        assertFalse(packet.wrap(CHROMIUM_OPUS, 60, 20));
        assertFalse(packet.wrap(CHROMIUM_OPUS, 0, CHROMIUM_OPUS.length + 1));
        assertFalse(packet.wrap(null, 0, 12));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final RtpPacket rtp = new RtpPacket();
        Fuzz.run(3550, List.of(CHROMIUM_OPUS, CHROMIUM_VIDEO, TWO_BYTE_EXTENSIONS, PADDED), (buf, off, len) ->
        {
            if (rtp.wrap(buf, off, len))
            {
                int sink = rtp.payloadType() + rtp.sequenceNumber() + rtp.ssrc() + (int)rtp.timestamp()
                    + rtp.csrcCount() + rtp.extensionProfile() + rtp.extensionOffset() + rtp.extensionLength();
                for (int i = 0; i < rtp.csrcCount(); i++)
                {
                    sink += rtp.csrc(i);
                }
                for (int id = 0; id <= 256; id++)
                {
                    final int at = rtp.findExtension(id);
                    if (at >= 0)
                    {
                        assertTrue(at + rtp.lastExtensionLength() <= rtp.extensionOffset() + rtp.extensionLength());
                        sink += rtp.lastExtensionLength() > 0 ? buf[at + rtp.lastExtensionLength() - 1] : 0;
                    }
                }
                final int payloadEnd = rtp.payloadOffset() + rtp.payloadLength();
                assertTrue(rtp.payloadLength() >= 0 && payloadEnd <= off + len, "payload inside packet");
                rtp.marker(!rtp.marker());
                rtp.sequenceNumber(sink);
            }
        });
    }
}
