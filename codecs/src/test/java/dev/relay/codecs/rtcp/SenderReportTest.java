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

class SenderReportTest
{
    static final byte[] SR_ONE_BLOCK = Hex.bytes("""
        81 c8 00 0c   # V=2 P=0 RC=1 | PT=200 SR | length 12 -> 52 bytes
        e4 30 b1 5b   # SSRC of sender
        e9 4e 1c 1a   # NTP timestamp, seconds since 1900
        8b 43 95 81   # NTP timestamp, fraction
        a9 00 1a c4   # RTP timestamp
        00 00 01 2c   # sender's packet count 300
        00 03 d0 90   # sender's octet count 250000
        cb 03 2b 69   # block 1: SSRC of source
        19            #   fraction lost 25/256
        ff ff fe      #   cumulative lost -2: duplicates outnumber losses
        00 01 1b 79   #   extended highest sequence number: 1 cycle, seq 7033
        00 00 00 2a   #   interarrival jitter 42
        4e 1c 1a 8b   #   LSR
        00 01 80 00   #   DLSR 1.5 s in 1/65536 s
        """);

    private final SenderReport sr = new SenderReport();

    @Test
    void shouldReadSenderInfoAndReportBlock()
    {
        assertTrue(sr.wrap(SR_ONE_BLOCK, 0, SR_ONE_BLOCK.length));

        assertEquals(SR_ONE_BLOCK, sr.buffer());
        assertEquals(0, sr.offset());
        assertEquals(52, sr.length());
        assertEquals(0xe430b15b, sr.senderSsrc());
        assertEquals(0xe94e1c1a8b439581L, sr.ntpTimestamp());
        assertEquals(0x1c1a8b43L, sr.compactNtp());
        assertEquals(0xa9001ac4L, sr.rtpTimestamp());
        assertEquals(300L, sr.packetCount());
        assertEquals(250_000L, sr.octetCount());
        assertEquals(1, sr.reportCount());
        assertEquals(28, sr.blockOffset(0));
        assertEquals(0xcb032b69, sr.blockSsrc(0));
        assertEquals(25, sr.fractionLost(0));
        assertEquals(-2, sr.cumulativeLost(0));
        assertEquals(0x11b79L, sr.extendedHighestSeq(0));
        assertEquals(42L, sr.jitter(0));
        assertEquals(0x4e1c1a8bL, sr.lsr(0));
        assertEquals(0x18000L, sr.dlsr(0));
    }

    @Test
    void shouldWriteSenderReportWithBlockBack()
    {
        final byte[] dst = new byte[SR_ONE_BLOCK.length];

        int length = SenderReport.writeHeader(
            dst, 0, 0xe430b15b, 0xe94e1c1a8b439581L, 0xa9001ac4L, 300, 250_000, 1);
        length += ReportBlock.write(dst, length, 0xcb032b69, 25, -2, 0x11b79L, 42, 0x4e1c1a8bL, 0x18000L);

        assertEquals(52, length);
        assertArrayEquals(SR_ONE_BLOCK, dst);
    }

    @Test
    void shouldWriteSenderReportWithoutBlocks()
    {
        final byte[] expected = Hex.bytes("""
            80 c8 00 06   # V=2 RC=0 | PT=200 | length 6 -> 28 bytes
            e4 30 b1 5b   # SSRC of sender
            e9 4e 1c 1a 8b 43 95 81   # NTP timestamp
            ff ff ff ff   # RTP timestamp 2^32 - 1
            00 00 01 2c   # packet count
            00 03 d0 90   # octet count
            """);
        final byte[] dst = new byte[28];

        assertEquals(28, SenderReport.write(dst, 0, 0xe430b15b, 0xe94e1c1a8b439581L, 0xFFFF_FFFFL, 300, 250_000));
        assertArrayEquals(expected, dst);
        assertTrue(sr.wrap(dst, 0, dst.length));
        assertEquals(0, sr.reportCount());
        assertEquals(0xFFFF_FFFFL, sr.rtpTimestamp());
    }

    @Test
    void shouldWrapFirstPacketOfCompound()
    {
        final byte[] compound = Arrays.copyOf(SR_ONE_BLOCK, SR_ONE_BLOCK.length + 16);
        System.arraycopy(RtcpCompoundIteratorTest.COMPOUND, 8, compound, 52, 16);

        assertTrue(sr.wrap(compound, 0, compound.length));
        assertEquals(52, sr.length());
    }

    static Stream<Arguments> malformed()
    {
        final byte[] twoBlocksClaimed = SR_ONE_BLOCK.clone();
        twoBlocksClaimed[0] = (byte)0x82;
        final byte[] receiverReport = SR_ONE_BLOCK.clone();
        receiverReport[1] = (byte)RtcpHeader.PT_RR;
        final byte[] version1 = SR_ONE_BLOCK.clone();
        version1[0] = 0x41;
        return Stream.of(
            Arguments.of("truncated datagram", Arrays.copyOf(SR_ONE_BLOCK, 51)),
            Arguments.of("RC counts more blocks than the length holds", twoBlocksClaimed),
            Arguments.of("length too short for sender info", Hex.bytes("80 c8 00 01 e4 30 b1 5b")),
            Arguments.of("receiver report", receiverReport),
            Arguments.of("version 1", version1),
            Arguments.of("shorter than a header", Hex.bytes("80 c8 00")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldRejectMalformedSenderReport(final String reason, final byte[] buf)
    {
        assertFalse(sr.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final SenderReport report = new SenderReport();
        Fuzz.run(200, List.of(SR_ONE_BLOCK), (buf, off, len) ->
        {
            if (report.wrap(buf, off, len))
            {
                report.senderSsrc();
                report.ntpTimestamp();
                report.compactNtp();
                report.rtpTimestamp();
                report.packetCount();
                report.octetCount();
                assertTrue(report.length() <= len);
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
