package dev.relay.codecs.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RtxPacketTest
{
    private static final int RTX_SSRC = 0x55667788;
    private static final int RTX_PT = 97;
    private static final int MEDIA_SSRC = 0x11223344;
    private static final int MEDIA_PT = 96;

    /** An original packet with every optional part: CSRC, header extension, padding. */
    static final byte[] ORIGINAL = Hex.bytes("""
        b1            # V=2 P=1 X=1 CC=1
        e0            # M=1 PT=96
        12 34         # sequence number 4660
        00 01 e2 40   # timestamp 123456
        11 22 33 44   # SSRC
        aa bb cc dd   # CSRC
        be de 00 01   # RFC 8285 one-byte profile, 1 word
        10 07 00 00   # id 1 L=0 data 07, then padding to the word
        de ad be ef 01   # payload, 5 bytes
        00 00 03      # RFC 3550 padding, 3 bytes, the last one counting them
        """);

    /** {@link #ORIGINAL} retransmitted as RTX sequence number 65535, extras kept. */
    static final byte[] RTX = Hex.bytes("""
        91            # V=2 P=0 (padding not carried over) X=1 CC=1
        e1            # M=1 as the original, PT=97 (rtx, apt=96)
        ff ff         # RTX sequence number 65535
        00 01 e2 40   # timestamp: the original's (RFC 4588 §4)
        55 66 77 88   # RTX SSRC
        aa bb cc dd   # CSRC as given
        be de 00 01   # header extension as given
        10 07 00 00
        12 34         # OSN 4660
        de ad be ef 01   # original payload
        """);

    /** {@link #ORIGINAL} retransmitted with the CSRC list and header extension dropped. */
    static final byte[] RTX_WITHOUT_EXTRAS = Hex.bytes("""
        80            # V=2 P=0 X=0 CC=0
        e1            # M=1 PT=97
        ff ff         # RTX sequence number
        00 01 e2 40   # timestamp
        55 66 77 88   # RTX SSRC
        12 34         # OSN
        de ad be ef 01   # original payload
        """);

    /** What {@link #RTX} unwraps to: {@link #ORIGINAL} without its padding. */
    static final byte[] RESTORED = Hex.bytes("""
        91 e0 12 34 00 01 e2 40 11 22 33 44   # P=0 M=1 PT=96 seq 4660, original SSRC
        aa bb cc dd
        be de 00 01 10 07 00 00
        de ad be ef 01
        """);

    /** An RTX packet the sender padded. */
    static final byte[] PADDED_RTX = Hex.bytes("""
        a0 61 00 07   # V=2 P=1 M=0 PT=97 RTX sequence number 7
        00 00 00 64   # timestamp 100
        55 66 77 88   # RTX SSRC
        00 2a         # OSN 42
        01 02 03      # original payload
        00 00 00 04   # padding
        """);

    /** A padding-only packet on the RTX stream, as a bandwidth probe: no OSN to restore. */
    static final byte[] PROBE = Hex.bytes("""
        a0 61 18 b0 00 00 00 00 55 66 77 88
        00 00 00 00 00 00 00 08
        """);

    private final RtpPacket rtp = new RtpPacket();

    @Test
    void shouldWriteRtxKeepingCsrcsAndExtension()
    {
        assertTrue(rtp.wrap(ORIGINAL, 0, ORIGINAL.length));
        final byte[] dst = new byte[RTX.length];

        assertEquals(RTX.length, RtxPacket.length(rtp, true));
        assertEquals(RTX.length, RtxPacket.write(rtp, dst, 0, dst.length, RTX_SSRC, RTX_PT, 0xFFFF, true));
        assertArrayEquals(RTX, dst);
    }

    @Test
    void shouldWriteRtxDroppingCsrcsAndExtension()
    {
        assertTrue(rtp.wrap(ORIGINAL, 0, ORIGINAL.length));
        final byte[] dst = new byte[RTX_WITHOUT_EXTRAS.length];

        assertEquals(RTX_WITHOUT_EXTRAS.length, RtxPacket.length(rtp, false));
        assertEquals(dst.length, RtxPacket.write(rtp, dst, 0, dst.length, RTX_SSRC, RTX_PT, 0xFFFF, false));
        assertArrayEquals(RTX_WITHOUT_EXTRAS, dst);
    }

    /** A relay retransmits a cached packet under the sequence number its subscriber knows. */
    @Test
    void shouldWriteGivenOsnFromCachedPacket()
    {
        final byte[] expected = RTX_WITHOUT_EXTRAS.clone();
        expected[12] = 0x01;  // OSN 0x0102, the subscriber's number for it
        expected[13] = 0x02;
        assertTrue(rtp.wrap(ORIGINAL, 0, ORIGINAL.length));
        final byte[] dst = new byte[64];

        final int length = RtxPacket.write(rtp, 0x0102, dst, 0, dst.length, RTX_SSRC, RTX_PT, 0xFFFF, false);

        assertEquals(expected.length, length);
        assertArrayEquals(expected, Arrays.copyOf(dst, length));
        assertEquals(4660, rtp.sequenceNumber(), "the cached packet is not changed");
    }

    @Test
    void shouldReadRtxFields()
    {
        assertTrue(rtp.wrap(RTX, 0, RTX.length));

        assertEquals(4660, RtxPacket.originalSequenceNumber(rtp));
        assertEquals(RTX_PT, rtp.payloadType());
        assertEquals(RTX_SSRC, rtp.ssrc());
        assertEquals(65535, rtp.sequenceNumber());
        assertEquals(123456L, rtp.timestamp());
        assertTrue(rtp.marker());
        assertEquals(7, RTX[rtp.findExtension(1)]);
    }

    @Test
    void shouldUnwrapIntoBuffer()
    {
        assertTrue(rtp.wrap(RTX, 0, RTX.length));
        final byte[] dst = new byte[RESTORED.length];

        assertEquals(RESTORED.length, RtxPacket.unwrap(rtp, dst, 0, dst.length, MEDIA_SSRC, MEDIA_PT));
        assertArrayEquals(RESTORED, dst);
    }

    @Test
    void shouldUnwrapInPlace()
    {
        final byte[] buf = RTX.clone();
        assertTrue(rtp.wrap(buf, 0, buf.length));

        final int length = RtxPacket.unwrap(rtp, buf, 0, buf.length, MEDIA_SSRC, MEDIA_PT);

        assertEquals(RESTORED.length, length);
        assertArrayEquals(RESTORED, Arrays.copyOf(buf, length));
        assertTrue(rtp.wrap(buf, 0, length));
        assertEquals(4660, rtp.sequenceNumber());
        assertEquals(5, rtp.payloadLength());
    }

    @Test
    void shouldDropRtxPaddingOnUnwrap()
    {
        final byte[] expected = Hex.bytes("""
            80 60 00 2a   # P=0 M=0 PT=96 sequence number 42 (the OSN)
            00 00 00 64   # timestamp 100
            11 22 33 44   # original SSRC
            01 02 03      # payload
            """);
        assertTrue(rtp.wrap(PADDED_RTX, 0, PADDED_RTX.length));
        assertEquals(42, RtxPacket.originalSequenceNumber(rtp));
        final byte[] dst = new byte[32];

        assertEquals(expected.length, RtxPacket.unwrap(rtp, dst, 0, dst.length, MEDIA_SSRC, MEDIA_PT));
        assertArrayEquals(expected, Arrays.copyOf(dst, expected.length));
    }

    @Test
    void shouldNotUnwrapPaddingOnlyProbe()
    {
        assertTrue(rtp.wrap(PROBE, 0, PROBE.length));
        final byte[] dst = new byte[64];

        assertEquals(-1, RtxPacket.originalSequenceNumber(rtp));
        assertEquals(-1, RtxPacket.unwrap(rtp, dst, 0, dst.length, MEDIA_SSRC, MEDIA_PT));
        assertArrayEquals(new byte[64], dst);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "empty payload; 80 61 00 01 00 00 00 00 55 66 77 88",
        "one payload byte; 80 61 00 01 00 00 00 00 55 66 77 88 12",
        "one payload byte before padding; a0 61 00 01 00 00 00 00 55 66 77 88 12 00 02",
        "extension and no payload; 90 61 00 01 00 00 00 00 55 66 77 88 be de 00 01 10 07 00 00",
    })
    void shouldRejectRtxWithoutOsn(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);
        assertTrue(rtp.wrap(buf, 0, buf.length), reason);
        final byte[] copy = buf.clone();

        assertEquals(-1, RtxPacket.originalSequenceNumber(rtp), reason);
        assertEquals(-1, RtxPacket.unwrap(rtp, buf, 0, buf.length, MEDIA_SSRC, MEDIA_PT), reason);
        assertArrayEquals(copy, buf, reason);
    }

    @Test
    void shouldAcceptOsnWithEmptyOriginalPayload()
    {
        final byte[] buf = Hex.bytes("80 61 00 01 00 00 00 00 55 66 77 88 00 05");
        assertTrue(rtp.wrap(buf, 0, buf.length));

        assertEquals(12, RtxPacket.unwrap(rtp, buf, 0, buf.length, MEDIA_SSRC, MEDIA_PT));
        assertTrue(rtp.wrap(buf, 0, 12));
        assertEquals(5, rtp.sequenceNumber());
        assertEquals(0, rtp.payloadLength());
    }

    @Test
    void shouldRefuseDestinationTooSmallOrOutsideBuffer()
    {
        assertTrue(rtp.wrap(ORIGINAL, 0, ORIGINAL.length));
        final byte[] dst = new byte[RTX.length + 4];
        final byte[] untouched = dst.clone();

        assertEquals(-1, RtxPacket.write(rtp, dst, 0, RTX.length - 1, RTX_SSRC, RTX_PT, 1, true), "one byte short");
        assertEquals(-1, RtxPacket.write(rtp, dst, 5, RTX.length, RTX_SSRC, RTX_PT, 1, true), "past the end");
        assertEquals(-1, RtxPacket.write(rtp, dst, -1, RTX.length, RTX_SSRC, RTX_PT, 1, true), "negative offset");
        assertEquals(-1, RtxPacket.write(rtp, dst, 0, -1, RTX_SSRC, RTX_PT, 1, true), "negative capacity");
        assertEquals(-1, RtxPacket.write(rtp, dst, Integer.MAX_VALUE, 2, RTX_SSRC, RTX_PT, 1, true), "overflow");
        assertEquals(-1, RtxPacket.write(rtp, null, 0, RTX.length, RTX_SSRC, RTX_PT, 1, true), "null");
        assertArrayEquals(untouched, dst);
        assertEquals(RTX.length, RtxPacket.write(rtp, dst, 4, RTX.length, RTX_SSRC, RTX_PT, 1, true), "exact fit");

        assertTrue(rtp.wrap(RTX, 0, RTX.length));
        final byte[] out = new byte[RESTORED.length + 4];
        final byte[] clean = out.clone();
        assertEquals(-1, RtxPacket.unwrap(rtp, out, 0, RESTORED.length - 1, MEDIA_SSRC, MEDIA_PT), "one byte short");
        assertEquals(-1, RtxPacket.unwrap(rtp, out, 5, RESTORED.length, MEDIA_SSRC, MEDIA_PT), "past the end");
        assertEquals(-1, RtxPacket.unwrap(rtp, out, -1, RESTORED.length, MEDIA_SSRC, MEDIA_PT), "negative offset");
        assertEquals(-1, RtxPacket.unwrap(rtp, out, Integer.MAX_VALUE, 2, MEDIA_SSRC, MEDIA_PT), "overflow");
        assertEquals(-1, RtxPacket.unwrap(rtp, null, 0, RESTORED.length, MEDIA_SSRC, MEDIA_PT), "null");
        assertArrayEquals(clean, out);
        assertEquals(RESTORED.length, RtxPacket.unwrap(rtp, out, 4, RESTORED.length, MEDIA_SSRC, MEDIA_PT));
    }

    @Test
    void shouldWriteNothingOutsideDestinationRange()
    {
        assertTrue(rtp.wrap(ORIGINAL, 0, ORIGINAL.length));
        final byte[] dst = new byte[RTX.length + 6];
        Arrays.fill(dst, (byte)0x5a);

        assertEquals(RTX.length, RtxPacket.write(rtp, dst, 3, RTX.length, RTX_SSRC, RTX_PT, 0xFFFF, true));

        assertArrayEquals(new byte[] {0x5a, 0x5a, 0x5a}, Arrays.copyOfRange(dst, 0, 3));
        assertArrayEquals(RTX, Arrays.copyOfRange(dst, 3, 3 + RTX.length));
        assertArrayEquals(new byte[] {0x5a, 0x5a, 0x5a}, Arrays.copyOfRange(dst, 3 + RTX.length, dst.length));
    }

    /**
     * The destination may overlap the source anywhere in the same array (in place is shift 0):
     * the result must equal the one written to a separate array.
     */
    @ParameterizedTest(name = "shift {0}")
    @ValueSource(ints = {-40, -30, -24, -14, -13, -12, -3, -2, -1, 0, 1, 2, 3, 4, 6, 12, 13, 14, 24, 30, 40})
    void shouldWriteAndUnwrapOverlappingRanges(final int shift)
    {
        final int base = 48;
        for (final boolean keep : new boolean[] {true, false})
        {
            final byte[] expected = keep ? RTX : RTX_WITHOUT_EXTRAS;
            final byte[] buf = new byte[160];
            System.arraycopy(ORIGINAL, 0, buf, base, ORIGINAL.length);
            assertTrue(rtp.wrap(buf, base, ORIGINAL.length));
            final int written = RtxPacket.write(rtp, buf, base + shift, 64, RTX_SSRC, RTX_PT, 0xFFFF, keep);
            assertEquals(expected.length, written);
            assertArrayEquals(expected, Arrays.copyOfRange(buf, base + shift, base + shift + written), "keep " + keep);
        }

        final byte[] buf = new byte[160];
        System.arraycopy(RTX, 0, buf, base, RTX.length);
        assertTrue(rtp.wrap(buf, base, RTX.length));
        final int restored = RtxPacket.unwrap(rtp, buf, base + shift, 64, MEDIA_SSRC, MEDIA_PT);
        assertEquals(RESTORED.length, restored);
        assertArrayEquals(RESTORED, Arrays.copyOfRange(buf, base + shift, base + shift + restored));
    }

    @Test
    void shouldConvertInPlaceWithRoomBehind()
    {
        final byte[] buf = new byte[ORIGINAL.length + 8];
        System.arraycopy(ORIGINAL, 0, buf, 0, ORIGINAL.length);
        assertTrue(rtp.wrap(buf, 0, ORIGINAL.length));

        final int length = RtxPacket.write(rtp, buf, 0, buf.length, RTX_SSRC, RTX_PT, 0xFFFF, true);

        assertArrayEquals(RTX, Arrays.copyOf(buf, length));
    }

    /** Header bytes -> fields kept or replaced; a table of originals round-tripped through RTX. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "plain, marker set; 80 e0 00 00 00 00 00 00 00 00 00 01 aa bb",
        "sequence 65535; 80 60 ff ff ff ff ff ff 00 00 00 01 01",
        "no payload; 80 60 80 00 00 00 00 01 00 00 00 01",
        "two CSRCs; 82 60 00 01 00 00 00 01 00 00 00 01 aa aa aa aa bb bb bb bb 01 02 03",
        "two-byte extension; 90 7f 00 01 00 00 00 01 00 00 00 01 10 00 00 01 05 01 aa 00 09 08",
        "padded; a0 60 00 01 00 00 00 01 00 00 00 01 01 02 00 00 00 04",
        "padding only; a0 60 00 01 00 00 00 01 00 00 00 01 00 02",
    })
    void shouldRoundTripThroughRtx(final String name, final String hex)
    {
        final byte[] original = Hex.bytes(hex);
        assertTrue(rtp.wrap(original, 0, original.length), name);
        final int ssrc = rtp.ssrc();
        final int pt = rtp.payloadType();
        final int seq = rtp.sequenceNumber();
        final long timestamp = rtp.timestamp();
        final boolean marker = rtp.marker();
        final int header = rtp.headerLength();
        final int payload = rtp.payloadLength();

        final byte[] rtx = new byte[RtxPacket.length(rtp, true)];
        assertEquals(rtx.length, RtxPacket.write(rtp, rtx, 0, rtx.length, RTX_SSRC, RTX_PT, 0xABCD, true));
        assertTrue(rtp.wrap(rtx, 0, rtx.length), name);
        assertEquals(RTX_SSRC, rtp.ssrc());
        assertEquals(RTX_PT, rtp.payloadType());
        assertEquals(0xABCD, rtp.sequenceNumber());
        assertEquals(timestamp, rtp.timestamp());
        assertEquals(marker, rtp.marker());
        assertFalse(rtp.padding());
        assertEquals(seq, RtxPacket.originalSequenceNumber(rtp));
        assertEquals(payload + RtxPacket.OSN_LENGTH, rtp.payloadLength());

        final byte[] restored = new byte[rtx.length];
        final int length = RtxPacket.unwrap(rtp, restored, 0, restored.length, ssrc, pt);
        assertEquals(header + payload, length, name);
        final byte[] expected = Arrays.copyOf(original, header + payload);
        expected[0] &= (byte)~0x20;
        assertArrayEquals(expected, Arrays.copyOf(restored, length), name);
    }

    @Test
    void shouldNeverThrowOrWriteOutsideOnRandomBytes()
    {
        final RtpPacket packet = new RtpPacket();
        final byte[] out = new byte[2048];
        Fuzz.run(4588, List.of(ORIGINAL, RTX, PADDED_RTX, PROBE), (buf, off, len) ->
        {
            if (!packet.wrap(buf, off, len))
            {
                return;
            }
            final int capacity = len + 2;
            Arrays.fill(out, (byte)0x5a);
            final int written = RtxPacket.write(packet, out, 1, capacity, RTX_SSRC, RTX_PT, 1, true);
            assertTrue(written > 0 && written <= capacity, "written " + written);
            assertEquals(0x5a, out[0]);
            assertEquals(0x5a, out[1 + written]);
            if (RtxPacket.unwrap(packet, buf, off, len, MEDIA_SSRC, MEDIA_PT) >= 0)
            {
                assertTrue(RtxPacket.originalSequenceNumber(packet) >= 0);
            }
        });
    }

    @Test
    void shouldWriteAndUnwrapWithoutAllocating()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        final byte[] buf = new byte[64];
        long sink = 0;
        for (int round = 0; round < 2; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50_000; i++)
            {
                System.arraycopy(ORIGINAL, 0, buf, 0, ORIGINAL.length);
                rtp.wrap(buf, 0, ORIGINAL.length);
                final int rtxLength = RtxPacket.write(rtp, buf, 0, buf.length, RTX_SSRC, RTX_PT, i, true);
                rtp.wrap(buf, 0, rtxLength);
                sink += RtxPacket.unwrap(rtp, buf, 0, rtxLength, MEDIA_SSRC, MEDIA_PT);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1)
            {
                assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over 50000 round trips");
            }
        }
        assertEquals(2L * 50_000 * RESTORED.length, sink);
    }
}
