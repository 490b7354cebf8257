package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.rtcp.FirPacket;
import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.RembPacket;
import dev.relay.codecs.rtcp.ReportBlock;
import dev.relay.codecs.rtcp.RtcpCompoundIterator;
import dev.relay.codecs.rtcp.RtcpHeader;
import dev.relay.codecs.rtcp.SenderReport;
import java.util.Arrays;

/**
 * {@link RtcpCompoundIterator} over a compound datagram, and on each packet every RTCP flyweight
 * with all its accessors. Each flyweight is wrapped twice, on the packet alone and on the rest
 * of the datagram, which its length field must make equivalent.
 */
class RtcpFuzzTest
{
    /** Fewer slots than a long NACK expands to, so the capacity limit is exercised too. */
    private static final int LOST_CAPACITY = 40;
    private static final int BLP_BITS = 16;

    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private final SenderReport sr = new SenderReport();
    private final ReceiverReport rr = new ReceiverReport();
    private final PliPacket pli = new PliPacket();
    private final FirPacket fir = new FirPacket();
    private final NackPacket nack = new NackPacket();
    private final RembPacket remb = new RembPacket();
    private final int[] lost = new int[LOST_CAPACITY];
    private final int[] expectedLost = new int[LOST_CAPACITY];
    private final int[] noRoom = new int[0];

    @FuzzTest
    void compound(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = trace(data, 0, data.length);
        assertEquals(exact, trace(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, iterator::reset);
        Placement.assertRejectsRangesOutside(data, sr::wrap);
        Placement.assertRejectsRangesOutside(data, rr::wrap);
        Placement.assertRejectsRangesOutside(data, pli::wrap);
        Placement.assertRejectsRangesOutside(data, fir::wrap);
        Placement.assertRejectsRangesOutside(data, nack::wrap);
        Placement.assertRejectsRangesOutside(data, remb::wrap);
    }

    private Trace trace(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean reset = iterator.reset(buf, off, len);
        trace.add(reset);
        if (!reset)
        {
            assertTrue(len < RtcpHeader.HEADER_LENGTH);
            assertFalse(iterator.next());
            return trace;
        }

        final int end = off + len;
        int expectedOffset = off;
        while (iterator.next())
        {
            final RtcpHeader header = iterator.header();
            final int packetOffset = iterator.packetOffset();
            final int packetLength = iterator.packetLength();
            assertEquals(expectedOffset, packetOffset, "packets must follow each other");
            assertTrue(packetLength >= RtcpHeader.HEADER_LENGTH && packetLength % 4 == 0, "length " + packetLength);
            assertTrue(packetOffset + packetLength <= end, "packet runs past the datagram");
            assertSame(buf, header.buffer());
            assertEquals(packetOffset, header.offset());
            assertEquals(packetLength, header.lengthInBytes());
            assertTrue(header.count() <= 31);
            trace.add(packetOffset - off).add(packetLength).add(header.packetType()).add(header.count())
                .add(header.padding()).add(header.senderSsrc());
            if (packetLength < RtcpHeader.HEADER_WITH_SSRC_LENGTH)
            {
                assertEquals(0, header.senderSsrc());
            }

            final Trace alone = flyweights(buf, packetOffset, packetLength);
            assertEquals(alone, flyweights(buf, packetOffset, end - packetOffset), "length field must bound the packet");
            trace.add(alone.hashCode());
            expectedOffset += packetLength;
        }
        final boolean malformed = iterator.malformed();
        trace.add(malformed);
        if (!malformed)
        {
            assertEquals(end, expectedOffset, "a well-formed compound ends at the datagram's end");
        }
        else
        {
            assertTrue(expectedOffset < end);
        }
        assertFalse(iterator.next(), "the iterator stays at its end");
        return trace;
    }

    private Trace flyweights(final byte[] buf, final int off, final int available)
    {
        final Trace trace = new Trace();
        int wrapped = 0;
        if (sr.wrap(buf, off, available))
        {
            wrapped++;
            senderReport(trace, buf, off, available);
        }
        if (rr.wrap(buf, off, available))
        {
            wrapped++;
            receiverReport(trace, buf, off, available);
        }
        if (pli.wrap(buf, off, available))
        {
            wrapped++;
            pli(trace, buf, off, available);
        }
        if (fir.wrap(buf, off, available))
        {
            wrapped++;
            fir(trace, buf, off, available);
        }
        if (nack.wrap(buf, off, available))
        {
            wrapped++;
            nack(trace, buf, off, available);
        }
        if (remb.wrap(buf, off, available))
        {
            wrapped++;
            remb(trace, buf, off, available);
        }
        // PT and FMT pick exactly one type.
        assertTrue(wrapped <= 1, wrapped + " flyweights accepted one packet");
        return trace.add(wrapped);
    }

    private void senderReport(final Trace trace, final byte[] buf, final int off, final int available)
    {
        assertSame(buf, sr.buffer());
        assertEquals(off, sr.offset());
        final int length = sr.length();
        final int count = sr.reportCount();
        assertTrue(length <= available && length >= SenderReport.LENGTH_WITHOUT_BLOCKS + count * ReportBlock.LENGTH);
        assertEquals((sr.ntpTimestamp() >>> 16) & 0xFFFF_FFFFL, sr.compactNtp());
        trace.add(RtcpHeader.PT_SR).add(length).add(sr.senderSsrc()).add(sr.ntpTimestamp()).add(sr.compactNtp())
            .add(sr.rtpTimestamp()).add(sr.packetCount()).add(sr.octetCount()).add(count);
        for (int i = 0; i < count; i++)
        {
            final int block = sr.blockOffset(i);
            assertTrue(block >= off + SenderReport.LENGTH_WITHOUT_BLOCKS && block + ReportBlock.LENGTH <= off + length);
            trace.add(block - off).add(sr.blockSsrc(i)).add(sr.extendedHighestSeq(i)).add(sr.jitter(i))
                .add(sr.lsr(i)).add(sr.dlsr(i));
            reportBlock(trace, sr.fractionLost(i), sr.cumulativeLost(i));
        }
    }

    private void receiverReport(final Trace trace, final byte[] buf, final int off, final int available)
    {
        assertSame(buf, rr.buffer());
        assertEquals(off, rr.offset());
        final int length = rr.length();
        final int count = rr.reportCount();
        assertTrue(length <= available && length >= ReceiverReport.HEADER_LENGTH + count * ReportBlock.LENGTH);
        trace.add(RtcpHeader.PT_RR).add(length).add(rr.senderSsrc()).add(count);
        for (int i = 0; i < count; i++)
        {
            final int block = rr.blockOffset(i);
            assertTrue(block >= off + ReceiverReport.HEADER_LENGTH && block + ReportBlock.LENGTH <= off + length);
            trace.add(block - off).add(rr.blockSsrc(i)).add(rr.extendedHighestSeq(i)).add(rr.jitter(i))
                .add(rr.lsr(i)).add(rr.dlsr(i));
            reportBlock(trace, rr.fractionLost(i), rr.cumulativeLost(i));
        }
    }

    private static void reportBlock(final Trace trace, final int fractionLost, final int cumulativeLost)
    {
        assertTrue(fractionLost >= 0 && fractionLost <= 255, "fraction lost " + fractionLost);
        // RFC 3550 §6.4.1: 24-bit signed.
        assertTrue(cumulativeLost >= -0x80_0000 && cumulativeLost <= 0x7F_FFFF, "cumulative lost " + cumulativeLost);
        trace.add(fractionLost).add(cumulativeLost);
    }

    private void pli(final Trace trace, final byte[] buf, final int off, final int available)
    {
        assertSame(buf, pli.buffer());
        assertEquals(off, pli.offset());
        assertTrue(pli.length() <= available && pli.length() >= PliPacket.LENGTH);
        trace.add(RtcpHeader.PT_PSFB).add(PliPacket.FMT).add(pli.length()).add(pli.senderSsrc()).add(pli.mediaSsrc());
    }

    private void fir(final Trace trace, final byte[] buf, final int off, final int available)
    {
        assertSame(buf, fir.buffer());
        assertEquals(off, fir.offset());
        final int count = fir.entryCount();
        assertTrue(count >= 1, "FIR without entries");
        assertTrue(fir.length() <= available
            && fir.length() >= FirPacket.LENGTH_ONE_ENTRY + (count - 1) * FirPacket.ENTRY_LENGTH);
        trace.add(RtcpHeader.PT_PSFB).add(FirPacket.FMT).add(fir.length()).add(fir.senderSsrc()).add(fir.mediaSsrc()).add(count);
        for (int i = 0; i < count; i++)
        {
            final int seqNr = fir.seqNr(i);
            assertTrue(seqNr >= 0 && seqNr <= 255);
            trace.add(fir.ssrc(i)).add(seqNr);
        }
    }

    private void nack(final Trace trace, final byte[] buf, final int off, final int available)
    {
        assertSame(buf, nack.buffer());
        assertEquals(off, nack.offset());
        final int count = nack.fciCount();
        assertTrue(count >= 1, "NACK without FCI");
        assertTrue(nack.length() <= available && nack.length() >= 12 + count * NackPacket.FCI_LENGTH);
        trace.add(RtcpHeader.PT_RTPFB).add(NackPacket.FMT).add(nack.length()).add(nack.senderSsrc()).add(nack.mediaSsrc()).add(count);

        // Expand PID + BLP independently (RFC 4585 §6.2.1) and compare.
        int lostCount = 0;
        int expected = 0;
        for (int i = 0; i < count; i++)
        {
            final int pid = nack.pid(i);
            final int blp = nack.blp(i);
            assertTrue(pid >= 0 && pid <= 0xFFFF && blp >= 0 && blp <= 0xFFFF);
            trace.add(pid).add(blp);
            lostCount += 1 + Integer.bitCount(blp);
            if (expected < LOST_CAPACITY)
            {
                expectedLost[expected++] = pid;
            }
            for (int bit = 0; bit < BLP_BITS; bit++)
            {
                if ((blp & (1 << bit)) != 0 && expected < LOST_CAPACITY)
                {
                    expectedLost[expected++] = (pid + bit + 1) & 0xFFFF;
                }
            }
        }
        assertEquals(lostCount, nack.lostCount());

        Arrays.fill(lost, -1);
        final int written = nack.lostSequenceNumbers(lost);
        assertEquals(Math.min(lostCount, LOST_CAPACITY), written, "written must stop at the array's capacity");
        assertEquals(expected, written);
        for (int i = 0; i < LOST_CAPACITY; i++)
        {
            assertEquals(i < written ? expectedLost[i] : -1, lost[i], "lost[" + i + "]");
        }
        assertEquals(0, nack.lostSequenceNumbers(noRoom));
        trace.add(lostCount).add(written);
    }

    private void remb(final Trace trace, final byte[] buf, final int off, final int available)
    {
        assertSame(buf, remb.buffer());
        assertEquals(off, remb.offset());
        final int count = remb.ssrcCount();
        assertTrue(count >= 0 && count <= RembPacket.MAX_SSRCS);
        assertTrue(remb.length() <= available && remb.length() >= RembPacket.LENGTH_WITHOUT_SSRCS + 4 * count);
        final long bitrate = remb.bitrate();
        assertTrue(bitrate >= 0, "bitrate " + bitrate);
        trace.add(RtcpHeader.PT_PSFB).add(RembPacket.FMT).add(remb.length()).add(remb.senderSsrc()).add(bitrate).add(count);
        for (int i = 0; i < count; i++)
        {
            trace.add(remb.ssrc(i));
        }
    }
}
