package dev.relay.codecs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.RtcpCompoundIterator;
import dev.relay.codecs.rtp.RedPayload;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.SeqNum;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.codecs.vp9.Vp9PayloadDescriptor;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * "No allocation after warm-up" (docs/architecture.md "Conventions") for the per-packet parsers, proven with the thread's
 * allocated-bytes counter rather than trusted. STUN integrity is left out on purpose: the JDK's
 * Mac allocates inside doFinal (see StunCrypto).
 */
class ZeroAllocationTest
{
    private static final int ITERATIONS = 50_000;
    /** One allocation per iteration would be at least 16 bytes * ITERATIONS; leave room for noise. */
    private static final long TOLERANCE_BYTES = 4_096;

    private final RtpPacket rtp = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private final Vp9PayloadDescriptor vp9 = new Vp9PayloadDescriptor();
    private final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
    private final ReceiverReport rr = new ReceiverReport();
    private final NackPacket nack = new NackPacket();
    private final RedPayload red = new RedPayload();
    private final byte[] redBytes = Hex.bytes("ef 0f 00 05 6f a1 a2 a3 a4 a5 b1 b2 b3");
    private final int[] lost = new int[17];
    private final byte[] rtpBytes = Hex.bytes("""
        90 e0 00 01 00 00 00 01 00 00 00 02   # V=2 X=1 M=1 PT=96
        be de 00 01 10 aa 22 01               # one-byte extensions: id 1 (1 byte), id 2 (3 bytes)
        02 00 00
        90 e0 80 2a 05 20 50 2c 00            # VP8 keyframe start (shared by VP9 below)
        """);
    private final byte[] vp9Bytes = Hex.bytes("fd 05 53 03 04 86 00 40");
    private final byte[] rrBytes = Hex.bytes("""
        82 c9 00 0d fa 17 fa 17                           # RR, RC=2, from 0xfa17fa17
        e4 30 b1 5b 00 00 00 00 00 00 56 3f 00 00 01 f4   # block 1
        1c 1a 8b 43 00 00 40 00
        cb 03 2b 69 80 7f ff ff 00 00 1b b6 00 00 00 00   # block 2
        00 00 00 00 00 00 00 00
        """);
    private final byte[] nackBytes = Hex.bytes("""
        81 cd 00 03 fa 17 fa 17 e4 30 b1 5b   # Generic NACK
        55 e0 ff ff                           # PID 21984 and all 16 following lost
        """);
    private long sink;

    @Test
    void shouldParseAndRewritePacketsWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads = threadMxBean();
        assumeTrue(threads != null && threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        for (int i = 0; i < ITERATIONS; i++)
        {
            perPacketWork(i);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ITERATIONS; i++)
        {
            perPacketWork(i);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(allocated < TOLERANCE_BYTES, "allocated " + allocated + " bytes over " + ITERATIONS + " packets");
        assertTrue(sink != 0);
    }

    private void perPacketWork(final int i)
    {
        rtp.wrap(rtpBytes, 0, rtpBytes.length);
        sink += rtp.findExtension(2) + rtp.lastExtensionLength() + rtp.payloadLength();
        rtp.sequenceNumber(SeqNum.add(rtp.sequenceNumber(), 1));
        rtp.timestamp(rtp.timestamp() + 3000);
        rtp.ssrc(i);

        vp8.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength());
        vp8.pictureId(vp8.pictureId() + 1);
        sink += vp8.isKeyframe() ? 1 : 0;

        vp9.wrap(vp9Bytes, 0, vp9Bytes.length);
        sink += vp9.spatialLayer() + vp9.pDiff(1);

        rtcp.reset(rrBytes, 0, rrBytes.length);
        while (rtcp.next())
        {
            rr.wrap(rrBytes, rtcp.packetOffset(), rtcp.packetLength());
            sink += rr.cumulativeLost(1) + rr.jitter(0);
        }

        nack.wrap(nackBytes, 0, nackBytes.length);
        sink += nack.lostSequenceNumbers(lost);

        red.wrap(redBytes, 0, redBytes.length);
        red.payloadType(red.primary(), 111);
        sink += red.dataOffset(red.primary()) + red.timestampOffset(0);
    }

    private static com.sun.management.ThreadMXBean threadMxBean()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        return bean instanceof com.sun.management.ThreadMXBean ? (com.sun.management.ThreadMXBean)bean : null;
    }
}
