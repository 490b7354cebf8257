package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import dev.relay.transport.Transport;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's NACK (RFC 4585 §6.2.1) answered from the Producer's cache: on the subscriber's
 * RTX stream with the sequence number it knows as the OSN (RFC 4588 §4), once per RTT.
 */
class RetransmissionTest {
    private static final int PUBLISHER_SSRC = 0x1111_0000;
    private static final int CONSUMER_SSRC = 0x2222_0000;
    private static final int RTX_SSRC = 0x3333_0000;
    private static final int PT = 96;
    private static final int RTX_PT = 97;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);

    /** Publishes K10 d11 d12 to a subscriber; returns the sequence numbers it got, in order. */
    private int[] forwardThree(int rtxSsrc, int rtxPt) {
        router.createProducer(1, publisher, Codec.VP8, PUBLISHER_SSRC, PT, true);
        router.createConsumer(7, 1, subscriber, CONSUMER_SSRC, PT, rtxSsrc, rtxPt);
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 10, 3000, true, true));
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 11, 6000, false, true));
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 12, 9000, false, true));
        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(3, out.size());
        RtpPacket rtp = new RtpPacket();
        int[] seqs = new int[3];
        for (int i = 0; i < 3; i++) {
            assertTrue(rtp.wrap(out.get(i), 0, out.get(i).length));
            seqs[i] = rtp.sequenceNumber();
        }
        return seqs;
    }

    private void nack(int... seqs) {
        byte[] buf = new byte[NackPacket.maxLength(seqs.length)];
        int len = NackPacket.write(buf, 0, 0x5555, CONSUMER_SSRC, seqs, seqs.length);
        host.receiveRtcp(router, subscriber, Arrays.copyOf(buf, len));
    }

    @Test
    void shouldResendOnTheRtxStreamWithTheSubscribersSequenceNumberAsOsn() {
        int[] seqs = forwardThree(RTX_SSRC, RTX_PT);
        host.sent(subscriber).rtp.clear();

        nack(seqs[1]);

        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(1, out.size());
        RtpPacket rtx = new RtpPacket();
        assertTrue(rtx.wrap(out.get(0), 0, out.get(0).length));
        assertEquals(RTX_SSRC, rtx.ssrc());
        assertEquals(RTX_PT, rtx.payloadType());
        assertEquals(6000, rtx.timestamp(), "the original's timestamp");
        assertEquals(seqs[1], RtxPacket.originalSequenceNumber(rtx), "the OSN is what the subscriber lost");
        byte[] original = InlineHost.vp8(PUBLISHER_SSRC, 11, 6000, false, true);
        assertArrayEquals(Arrays.copyOfRange(original, 12, original.length),
                Arrays.copyOfRange(out.get(0), rtx.payloadOffset() + 2, out.get(0).length), "the original payload");
    }

    @Test
    void shouldIgnoreARepeatWithinTheRttAndAnswerItAfter() {
        int[] seqs = forwardThree(RTX_SSRC, RTX_PT);
        host.sent(subscriber).rtp.clear();

        nack(seqs[2]);
        nack(seqs[2]);
        assertEquals(1, host.sent(subscriber).rtp.size(), "a repeat within the RTT (100 ms before any report)");
        host.nanos += 150_000_000L;
        nack(seqs[2]);
        assertEquals(2, host.sent(subscriber).rtp.size());
        assertEquals(3, host.context.count(MediaEvent.NACK_RECEIVED.ordinal()));
        assertEquals(2, host.context.count(MediaEvent.RETRANSMISSION_SENT.ordinal()));
    }

    @Test
    void shouldResendThePacketAsFirstSentWithoutRtx() {
        int[] seqs = forwardThree(0, -1);
        byte[] first = host.sent(subscriber).rtp.get(0);
        host.sent(subscriber).rtp.clear();

        nack(seqs[0]);

        assertEquals(1, host.sent(subscriber).rtp.size());
        assertArrayEquals(first, host.sent(subscriber).rtp.get(0));
    }

    @Test
    void shouldNotAnswerForPacketsNeverSentOrNotCached() {
        int[] seqs = forwardThree(RTX_SSRC, RTX_PT);
        host.sent(subscriber).rtp.clear();

        nack((seqs[2] + 1) & 0xFFFF, (seqs[0] - 1) & 0xFFFF);

        assertEquals(0, host.sent(subscriber).rtp.size());
    }
}
