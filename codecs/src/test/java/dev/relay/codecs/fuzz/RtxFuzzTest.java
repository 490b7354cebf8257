package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import java.util.Arrays;

/**
 * {@link RtxPacket#unwrap} over whatever arrives on a retransmission SSRC: into an exact-size
 * buffer, into a buffer between fill bytes, and in place; the three must agree, write nothing
 * outside their range, and the result must be the RTX packet's header and payload with the OSN
 * taken out. Then {@link RtxPacket#write} must give the RTX packet back (without its padding).
 */
class RtxFuzzTest
{
    private static final int ORIGINAL_SSRC = 0x11223344;
    private static final int ORIGINAL_PT = 96;

    private final RtpPacket rtx = new RtpPacket();
    private final RtpPacket restored = new RtpPacket();

    @FuzzTest
    void unwrap(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = trace(data, 0, data.length);
        assertEquals(exact, trace(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        if (rtx.wrap(data, 0, data.length))
        {
            Placement.assertRejectsRangesOutside(data,
                (buf, off, len) -> RtxPacket.unwrap(rtx, buf, off, len, ORIGINAL_SSRC, ORIGINAL_PT) >= 0);
            Placement.assertUnchanged(data, embedded);
        }
    }

    private Trace trace(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = rtx.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            return trace;
        }
        final int header = rtx.headerLength();
        final int rtxPayload = rtx.payloadLength();
        final int osn = RtxPacket.originalSequenceNumber(rtx);
        trace.add(osn);
        if (rtxPayload < RtxPacket.OSN_LENGTH)
        {
            assertEquals(-1, osn);
            final byte[] dst = new byte[len];
            assertEquals(-1, RtxPacket.unwrap(rtx, dst, 0, len, ORIGINAL_SSRC, ORIGINAL_PT));
            assertArrayEquals(new byte[len], dst, "written although refused");
            return trace;
        }
        assertTrue(osn >= 0 && osn <= 0xFFFF, "osn " + osn);

        // Exact size: any write past the result throws. One byte less must be refused whole.
        final int expected = header + rtxPayload - RtxPacket.OSN_LENGTH;
        final byte[] dst = new byte[expected];
        assertEquals(-1, RtxPacket.unwrap(rtx, dst, 0, expected - 1, ORIGINAL_SSRC, ORIGINAL_PT), "one byte short");
        assertArrayEquals(new byte[expected], dst, "written although refused");
        assertEquals(expected, RtxPacket.unwrap(rtx, dst, 0, expected, ORIGINAL_SSRC, ORIGINAL_PT));
        for (final byte b : dst)
        {
            trace.add(b);
        }

        // Between fill bytes, with room to spare: same bytes, fill intact.
        final byte[] padded = new byte[Placement.PREFIX + len + Placement.SUFFIX];
        Arrays.fill(padded, Placement.FILL);
        assertEquals(expected, RtxPacket.unwrap(rtx, padded, Placement.PREFIX, len, ORIGINAL_SSRC, ORIGINAL_PT));
        assertArrayEquals(dst, Arrays.copyOfRange(padded, Placement.PREFIX, Placement.PREFIX + expected));
        for (int i = 0; i < Placement.PREFIX; i++)
        {
            assertEquals(Placement.FILL, padded[i], "prefix written");
        }
        for (int i = Placement.PREFIX + expected; i < padded.length; i++)
        {
            assertEquals(Placement.FILL, padded[i], "written past the result");
        }

        // In place, on a copy of the input between fill bytes.
        final byte[] copy = Placement.embed(Arrays.copyOfRange(buf, off, off + len));
        final RtpPacket inPlace = new RtpPacket();
        assertTrue(inPlace.wrap(copy, Placement.PREFIX, len));
        assertEquals(expected, RtxPacket.unwrap(inPlace, copy, Placement.PREFIX, len, ORIGINAL_SSRC, ORIGINAL_PT));
        assertArrayEquals(dst, Arrays.copyOfRange(copy, Placement.PREFIX, Placement.PREFIX + expected), "in place");
        for (int i = 0; i < Placement.PREFIX; i++)
        {
            assertEquals(Placement.FILL, copy[i], "prefix written in place");
        }

        checkRestored(dst, buf, off, header, osn);
        return trace;
    }

    /** The original: the RTX header with OSN, original SSRC and PT, P clear; the payload after the OSN. */
    private void checkRestored(final byte[] dst, final byte[] rtxBuf, final int rtxOff, final int header, final int osn)
    {
        final boolean marker = rtx.marker();
        final long timestamp = rtx.timestamp();
        final int rtxSsrc = rtx.ssrc();
        final int rtxPt = rtx.payloadType();
        final int rtxSeq = rtx.sequenceNumber();
        final int payloadFrom = rtx.payloadOffset() + RtxPacket.OSN_LENGTH;
        final int payloadTo = rtx.payloadOffset() + rtx.payloadLength();

        assertTrue(restored.wrap(dst, 0, dst.length), "restored packet is RTP");
        assertFalse(restored.padding());
        assertEquals(header, restored.headerLength());
        assertEquals(osn, restored.sequenceNumber());
        assertEquals(ORIGINAL_SSRC, restored.ssrc());
        assertEquals(ORIGINAL_PT, restored.payloadType());
        assertEquals(marker, restored.marker());
        assertEquals(timestamp, restored.timestamp());
        assertArrayEquals(Arrays.copyOfRange(rtxBuf, rtxOff + RtpPacket.FIXED_HEADER_LENGTH, rtxOff + header),
            Arrays.copyOfRange(dst, RtpPacket.FIXED_HEADER_LENGTH, header), "CSRCs and extension as they were");
        assertArrayEquals(Arrays.copyOfRange(rtxBuf, payloadFrom, payloadTo),
            Arrays.copyOfRange(dst, header, dst.length), "payload after the OSN");

        final int rtxLength = payloadTo - rtxOff;
        final byte[] again = new byte[rtxLength];
        assertEquals(rtxLength, RtxPacket.write(restored, again, 0, rtxLength, rtxSsrc, rtxPt, rtxSeq, true));
        final byte[] expected = Arrays.copyOfRange(rtxBuf, rtxOff, rtxOff + rtxLength);
        expected[0] &= (byte)~0x20;
        assertArrayEquals(expected, again, "write gives the RTX packet back");
    }
}
