package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every RTP packet the relay sends a subscriber that negotiated transport-cc carries the next
 * transport-wide sequence number under the subscriber's id, and is reported as sent; nothing
 * changes for a subscriber without it.
 */
class TransportCcSenderTest {
    private static final int SSRC = 0x0A0A_0001;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);
    private final RtpPacket rtp = new RtpPacket();

    @Test
    void shouldStampConsecutiveTransportSequenceNumbersOnEveryPacket() {
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        router.createConsumer(7, 1, subscriber, 0x0B0B, 111);
        router.enableSubscriberTransportCc(subscriber, 3);

        for (int seq = 10; seq < 15; seq++) {
            host.receiveRtp(router, publisher, InlineHost.rtp(SSRC, 111, seq, 960L * seq, false, 40));
        }

        List<byte[]> sent = host.sent(subscriber).rtp;
        assertEquals(5, sent.size());
        for (int i = 0; i < sent.size(); i++) {
            byte[] packet = sent.get(i);
            assertTrue(rtp.wrap(packet, 0, packet.length));
            assertEquals(i, TransportCcFeedback.transportSequenceNumber(rtp, 3), "packet " + i);
            assertEquals(40, rtp.payloadLength(), "the payload is whole");
        }
    }

    @Test
    void shouldSendPacketsUntouchedWithoutTransportCc() {
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        router.createConsumer(7, 1, subscriber, 0x0B0B, 111);

        host.receiveRtp(router, publisher, InlineHost.rtp(SSRC, 111, 10, 960L, false, 40));

        byte[] packet = host.sent(subscriber).rtp.get(0);
        assertTrue(rtp.wrap(packet, 0, packet.length));
        assertFalse(rtp.hasExtension());
    }

    @Test
    void shouldReportEachStampedPacketWithItsSizeAndTime() {
        RecordingSender inner = new RecordingSender(subscriber);
        TransportCcSender sender = new TransportCcSender(inner, host.context);
        List<long[]> reported = new ArrayList<>();
        sender.enable(5, (seq, bytes, nanos) -> reported.add(new long[] {seq, bytes, nanos}));
        byte[] buf = new byte[MediaContext.SCRATCH_BYTES];
        byte[] packet = InlineHost.rtp(SSRC, 96, 1, 90L, false, 100);
        System.arraycopy(packet, 0, buf, 0, packet.length);

        host.advanceMillis(7);
        int sent = sender.sendRtp(buf, 0, packet.length);

        assertEquals(packet.length + 8, sent);
        assertEquals(1, reported.size());
        assertEquals(0, reported.get(0)[0]);
        assertEquals(packet.length + 8, reported.get(0)[1]);
        assertEquals(host.context.nanoTime(), reported.get(0)[2]);
    }
}
