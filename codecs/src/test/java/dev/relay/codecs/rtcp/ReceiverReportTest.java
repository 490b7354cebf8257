package dev.relay.codecs.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReceiverReportTest
{
    static final byte[] RR_TWO_BLOCKS = Hex.bytes("""
        82 c9 00 0d   # V=2 P=0 RC=2 | PT=201 RR | length 13 -> 56 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # block 1: SSRC of source (video)
        00            #   fraction lost 0
        00 00 00      #   cumulative lost 0
        00 00 56 3f   #   extended highest sequence number 22079
        00 00 01 f4   #   jitter 500
        1c 1a 8b 43   #   LSR: middle 32 bits of the last SR's NTP timestamp
        00 00 40 00   #   DLSR 0.25 s
        cb 03 2b 69   # block 2: SSRC of source (audio)
        80            #   fraction lost 128/256
        7f ff ff      #   cumulative lost 8388607, the largest 24-bit value
        00 00 1b b6   #   extended highest sequence number 7094
        00 00 00 00   #   jitter 0
        00 00 00 00   #   LSR 0: no SR received yet
        00 00 00 00   #   DLSR 0
        """);

    /** Clear header of a Chromium SRTCP receiver report (datagram 80): receive-only SSRC 1. */
    static final byte[] CHROMIUM_RR_HEADER = Hex.bytes("""
        82 c9 00 0d   # V=2 RC=2 | PT=201 RR | length 13 -> 56 bytes
        00 00 00 01   # SSRC of packet sender: Chromium's receive-only placeholder
        """);

    private final ReceiverReport rr = new ReceiverReport();

    @Test
    void shouldReadReportBlocks()
    {
        assertTrue(rr.wrap(RR_TWO_BLOCKS, 0, RR_TWO_BLOCKS.length));

        assertEquals(RR_TWO_BLOCKS, rr.buffer());
        assertEquals(0, rr.offset());
        assertEquals(56, rr.length());
        assertEquals(0xfa17fa17, rr.senderSsrc());
        assertEquals(2, rr.reportCount());

        assertEquals(8, rr.blockOffset(0));
        assertEquals(0xe430b15b, rr.blockSsrc(0));
        assertEquals(0, rr.fractionLost(0));
        assertEquals(0, rr.cumulativeLost(0));
        assertEquals(22079L, rr.extendedHighestSeq(0));
        assertEquals(500L, rr.jitter(0));
        assertEquals(0x1c1a8b43L, rr.lsr(0));
        assertEquals(0x4000L, rr.dlsr(0));

        assertEquals(32, rr.blockOffset(1));
        assertEquals(0xcb032b69, rr.blockSsrc(1));
        assertEquals(128, rr.fractionLost(1));
        assertEquals(8_388_607, rr.cumulativeLost(1));
        assertEquals(7094L, rr.extendedHighestSeq(1));
        assertEquals(0L, rr.jitter(1));
        assertEquals(0L, rr.lsr(1));
        assertEquals(0L, rr.dlsr(1));
    }

    @Test
    void shouldWriteReceiverReportBack()
    {
        final byte[] dst = new byte[RR_TWO_BLOCKS.length];

        int length = ReceiverReport.writeHeader(dst, 0, 0xfa17fa17, 2);
        length += ReceiverReport.writeBlock(dst, length, 0xe430b15b, 0, 0, 22079, 500, 0x1c1a8b43L, 0x4000);
        length += ReceiverReport.writeBlock(dst, length, 0xcb032b69, 128, 8_388_607, 7094, 0, 0, 0);

        assertEquals(56, length);
        assertArrayEquals(RR_TWO_BLOCKS, dst);
    }

    @Test
    void shouldSetLengthFieldForBlockCount()
    {
        final byte[] dst = new byte[8];

        assertEquals(8, ReceiverReport.writeHeader(dst, 0, 1, 2));
        assertArrayEquals(CHROMIUM_RR_HEADER, dst);

        assertEquals(8, ReceiverReport.writeHeader(dst, 0, 1, 0));
        assertArrayEquals(Hex.bytes("80 c9 00 01 00 00 00 01"), dst);
        assertTrue(rr.wrap(dst, 0, dst.length));
        assertEquals(0, rr.reportCount());
    }

    @Test
    void shouldClampCumulativeLostTo24BitSignedRange()
    {
        final byte[] dst = new byte[8 + 2 * ReportBlock.LENGTH];
        ReceiverReport.writeHeader(dst, 0, 1, 2);
        ReceiverReport.writeBlock(dst, 8, 2, 0, 9_000_000, 0, 0, 0, 0);
        ReceiverReport.writeBlock(dst, 32, 3, 0, -9_000_000, 0, 0, 0, 0);

        assertTrue(rr.wrap(dst, 0, dst.length));
        assertEquals(8_388_607, rr.cumulativeLost(0));
        assertEquals(-8_388_608, rr.cumulativeLost(1));
        assertArrayEquals(Hex.bytes("80 00 00"), Arrays.copyOfRange(dst, 37, 40));
    }

    static Stream<Arguments> malformed()
    {
        final byte[] threeBlocksClaimed = RR_TWO_BLOCKS.clone();
        threeBlocksClaimed[0] = (byte)0x83;
        final byte[] senderReport = RR_TWO_BLOCKS.clone();
        senderReport[1] = (byte)RtcpHeader.PT_SR;
        return Stream.of(
            Arguments.of("truncated datagram", Arrays.copyOf(RR_TWO_BLOCKS, 55)),
            Arguments.of("RC counts more blocks than the length holds", threeBlocksClaimed),
            Arguments.of("header only, blocks missing", CHROMIUM_RR_HEADER),
            Arguments.of("sender report", senderReport),
            Arguments.of("empty", new byte[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldRejectMalformedReceiverReport(final String reason, final byte[] buf)
    {
        assertFalse(rr.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final ReceiverReport report = new ReceiverReport();
        Fuzz.run(201, List.of(RR_TWO_BLOCKS, CHROMIUM_RR_HEADER), (buf, off, len) ->
        {
            if (report.wrap(buf, off, len))
            {
                report.senderSsrc();
                for (int i = 0; i < report.reportCount(); i++)
                {
                    report.blockSsrc(i);
                    report.fractionLost(i);
                    report.cumulativeLost(i);
                    report.extendedHighestSeq(i);
                    report.jitter(i);
                    report.lsr(i);
                    report.dlsr(i);
                }
            }
        });
    }
}
