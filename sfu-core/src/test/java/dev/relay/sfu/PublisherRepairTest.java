package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import dev.relay.transport.DropReason;
import dev.relay.transport.Transport;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the relay loses of a publisher's stream it NACKs (RFC 4585 §6.2.1); the publisher's RTX
 * (RFC 4588) is turned back into the original and forwarded as if it had come in time.
 */
class PublisherRepairTest {
    private static final int SSRC = 0x1111_0000;
    private static final int RTX_SSRC = 0x1111_0001;
    private static final int PT = 96;
    private static final int RTX_PT = 97;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);

    private void publishWithRepair() {
        router.createProducer(1, publisher, Codec.VP8, SSRC, PT, true, RTX_SSRC);
        router.createConsumer(7, 1, subscriber, 0x2222, PT, 0x3333, RTX_PT);
        host.sent(publisher).rtcp.clear();
    }

    @Test
    void shouldNackALossAfterTheReorderDelayAndTakeTheRtxAsTheOriginal() {
        publishWithRepair();
        host.receiveRtp(router, publisher, InlineHost.vp8(SSRC, 10, 3000, true, true));
        host.receiveRtp(router, publisher, InlineHost.vp8(SSRC, 12, 9000, false, true)); // 11 lost
        assertEquals(0, router.sendNacks(host.nanos), "not before the reorder delay");

        host.nanos += 15_000_000L;
        assertEquals(1, router.sendNacks(host.nanos));
        byte[] nack = host.sent(publisher).rtcp.get(0);
        NackPacket parsed = new NackPacket();
        assertTrue(parsed.wrap(nack, 0, nack.length));
        assertEquals(SSRC, parsed.mediaSsrc());
        int[] lost = new int[4];
        assertEquals(1, parsed.lostSequenceNumbers(lost));
        assertEquals(11, lost[0]);

        byte[] original = InlineHost.vp8(SSRC, 11, 6000, false, true);
        RtpPacket wrapped = new RtpPacket();
        assertTrue(wrapped.wrap(original, 0, original.length));
        byte[] rtx = new byte[original.length + 2];
        assertEquals(rtx.length, RtxPacket.write(wrapped, rtx, 0, rtx.length, RTX_SSRC, RTX_PT, 500, true));
        host.receiveRtp(router, publisher, rtx);

        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(3, out.size(), "10, 12, then 11 recovered");
        RtpPacket recovered = new RtpPacket();
        assertTrue(recovered.wrap(out.get(2), 0, out.get(2).length));
        RtpPacket first = new RtpPacket();
        assertTrue(first.wrap(out.get(0), 0, out.get(0).length));
        assertEquals((first.sequenceNumber() + 1) & 0xFFFF, recovered.sequenceNumber(), "in 11's place");
        assertEquals(PT, recovered.payloadType());
        assertEquals(0x2222, recovered.ssrc());
        assertArrayEquals(Arrays.copyOfRange(original, 12, original.length),
                Arrays.copyOfRange(out.get(2), recovered.payloadOffset(), out.get(2).length));
        assertEquals(1, host.context.count(MediaEvent.RETRANSMISSION_RECEIVED.ordinal()));

        host.nanos += 200_000_000L;
        router.sendNacks(host.nanos);
        assertEquals(1, host.sent(publisher).rtcp.stream().filter(p -> (p[1] & 0xFF) == 205).count(),
                "recovered: not NACKed again");
    }

    @Test
    void shouldEndAPaddingOnlyProbeOnTheRtxStreamWithoutCountingItAsUnknown() {
        publishWithRepair();
        byte[] probe = InlineHost.rtp(RTX_SSRC, RTX_PT, 1, 0, false, 0);
        host.receiveRtp(router, publisher, probe);

        assertEquals(0, host.sent(subscriber).rtp.size());
        assertEquals(0, host.drops.get(DropReason.RTP_UNKNOWN_SSRC));
    }
}
