package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.DropReason;
import dev.relay.transport.Transport;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The graph's fan-out and its teardown: what reaches whom as Consumers and Producers come and go. */
class RouterTest {
    private static final int SSRC = 0x0C0C_0001;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport[] subscribers = {host.connected(router), host.connected(router), host.connected(router)};

    private void publishAudioToAll() {
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        for (int i = 0; i < subscribers.length; i++) {
            router.createConsumer(10 + i, 1, subscribers[i], 0x0D0D_0000 + i, 111);
        }
    }

    private void send(int seq) {
        host.receiveRtp(router, publisher, InlineHost.rtp(SSRC, 111, seq, seq * 960L, false, 40));
    }

    private int[] receivedCounts() {
        int[] counts = new int[subscribers.length];
        for (int i = 0; i < subscribers.length; i++) {
            counts[i] = host.sent(subscribers[i]).rtp.size();
        }
        return counts;
    }

    @Test
    void shouldFanOutEveryPacketToEveryConsumer() {
        publishAudioToAll();
        for (int seq = 0; seq < 5; seq++) {
            send(seq);
        }
        assertEquals(List.of(5, 5, 5), List.of(receivedCounts()[0], receivedCounts()[1], receivedCounts()[2]));
        assertEquals(0, host.sent(publisher).rtp.size(), "nothing echoes back to the publisher");
        assertEquals(5, host.context.packetsIn());
        assertEquals(5 * (12 + 40), host.context.bytesIn(), "RTP header and payload of each packet taken");
        assertEquals(15, host.context.packetsOut());
    }

    @Test
    void shouldStopOnlyTheClosedConsumer() {
        publishAudioToAll();
        send(0);
        router.closeConsumer(11);
        send(1);
        send(2);
        int[] counts = receivedCounts();
        assertEquals(3, counts[0]);
        assertEquals(1, counts[1], "closed after the first packet");
        assertEquals(3, counts[2]);
        assertFalse(stats().consumers().stream().anyMatch(c -> c.consumerId() == 11));
        router.sendReports(host.nanos);
        assertEquals(0, host.sent(subscribers[1]).rtcp.size(), "no Sender Report for a closed Consumer");
        assertEquals(1, host.sent(subscribers[0]).rtcp.size());
    }

    @Test
    void shouldForgetAClosedProducerAndItsConsumers() {
        publishAudioToAll();
        send(0);
        router.closeProducer(1);
        send(1);
        assertEquals(List.of(1, 1, 1), List.of(receivedCounts()[0], receivedCounts()[1], receivedCounts()[2]));
        assertEquals(1, host.drops.get(DropReason.RTP_UNKNOWN_SSRC), "its SSRC is unknown from now on");
        RouterStats stats = stats();
        assertTrue(stats.producers().isEmpty());
        assertTrue(stats.consumers().isEmpty());
        // Their SSRCs are gone from the subscribers' Transports too: a late PLI finds nothing.
        byte[] pli = new byte[12];
        dev.relay.codecs.rtcp.PliPacket.write(pli, 0, 1, 0x0D0D_0000);
        host.sent(publisher).clear();
        host.receiveRtcp(router, subscribers[0], pli);
        assertEquals(0, host.sent(publisher).rtcp.size());
    }

    @Test
    void shouldUnbindADetachedTransportAndIgnoreCommandsForIt() {
        publishAudioToAll();
        router.detachTransport(subscribers[1]);
        assertFalse(host.bound.containsKey(subscribers[1].id()));
        assertEquals(null, router.transport(subscribers[1].id()));
        router.createConsumer(99, 1, subscribers[1], 0x0E0E_0000, 111);
        assertFalse(stats().consumers().stream().anyMatch(c -> c.consumerId() == 99));
    }

    @Test
    void shouldCountBadRtpAndPacketsFromUnknownStreams() {
        publishAudioToAll();
        host.receiveRtp(router, publisher, new byte[] {(byte) 0x80, 111, 0, 1});
        host.receiveRtp(router, publisher, InlineHost.rtp(0x7777, 111, 1, 0, false, 10));
        host.receiveRtp(router, subscribers[0], InlineHost.rtp(SSRC, 111, 1, 0, false, 10));
        assertEquals(1, host.drops.get(DropReason.RTP_MALFORMED));
        assertEquals(2, host.drops.get(DropReason.RTP_UNKNOWN_SSRC), "an SSRC counts only on its own Transport");
        assertEquals(List.of(0, 0, 0), List.of(receivedCounts()[0], receivedCounts()[1], receivedCounts()[2]));
    }

    @Test
    void shouldReportWhatEachProducerReceivedAndEachConsumerSent() {
        publishAudioToAll();
        send(0);
        send(2);
        RouterStats stats = stats();
        RouterStats.ProducerSample producer = stats.producers().get(0);
        assertEquals(1, producer.producerId());
        assertEquals(2, producer.packets());
        assertEquals(2 * 52, producer.bytes());
        assertEquals(1, producer.cumulativeLost());
        assertEquals(3, producer.expected());
        RouterStats.ConsumerSample consumer = stats.consumers().stream().filter(c -> c.consumerId() == 10)
                .findFirst().orElseThrow();
        assertEquals(1, consumer.producerId());
        assertEquals(2, consumer.packets());
        assertEquals(2 * 52, consumer.bytes(), "bytes as the sender put them on the wire");
        assertEquals(-1, consumer.rttMs(), "no RTT before the subscriber reported on an SR");
    }

    private RouterStats stats() {
        AtomicReference<RouterStats> result = new AtomicReference<>();
        router.requestStats(result::set);
        return result.get();
    }
}
