package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.transport.Transport;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A room across two nodes (docs/scale-out.md "Rooms across nodes"): node A forwards a
 * three-layer track over a pipe, every layer as it arrived under the pipe's SSRCs; node B makes it
 * a Producer of its own whose subscribers get layers selected there. Keyframe requests and NACKs
 * from B name a layer and reach A's publisher or cache; the publisher's Sender Reports cross.
 * Both Routers run inline on one fake clock; the test carries the pipe's packets across.
 */
class PipeForwardingTest {
    private static final int[] PUBLISHER_SSRCS = {0x1100_0001, 0x1100_0002, 0x1100_0003};
    private static final int[] PIPE_SSRCS = {0x2200_0001, 0x2200_0002, 0x2200_0003};
    private static final int SUBSCRIBER_SSRC = 0x3300_0001;

    private final InlineHost host = new InlineHost();
    private final Router nodeA = host.newRouter();
    private final Router nodeB = host.newRouter();
    private final Transport publisher = host.connected(nodeA);
    private final Transport pipeAtA = host.connected(nodeA);
    private final Transport pipeAtB = host.connected(nodeB);
    private final Transport subscriberAtB = host.connected(nodeB);

    @BeforeEach
    void setUp() {
        // The publisher's three layers, known by SSRC on A (a piped Producer stands in for one bound by rid).
        nodeA.createPipedProducer(1, publisher, Codec.VP8, PUBLISHER_SSRCS, 96, -1, -1);
        nodeA.createPipeConsumer(10, 1, pipeAtA, PIPE_SSRCS);
        nodeB.createPipedProducer(7, pipeAtB, Codec.VP8, PIPE_SSRCS, 96, -1, -1);
        nodeB.createConsumer(70, 7, subscriberAtB, SUBSCRIBER_SSRC, 100);
        host.advanceMillis(1_000);
        host.sent(publisher).clear();
        host.sent(pipeAtA).clear();
        host.sent(pipeAtB).clear();
    }

    @Test
    void shouldForwardEveryLayerAsItArrivedUnderThePipesSsrcs() {
        for (int layer = 0; layer < 3; layer++) {
            host.receiveRtp(nodeA, publisher, InlineHost.vp8(PUBLISHER_SSRCS[layer], 500 + layer, 9000, true, true));
        }
        List<byte[]> sent = host.sent(pipeAtA).rtp;
        assertEquals(3, sent.size(), "one copy of each layer, none selected away");
        for (int layer = 0; layer < 3; layer++) {
            byte[] expected = InlineHost.vp8(PIPE_SSRCS[layer], 500 + layer, 9000, true, true);
            assertArrayEquals(expected, sent.get(layer), "layer " + layer + ": only the SSRC differs");
        }
    }

    @Test
    void shouldGiveNodeBsSubscriberALayerSelectedThere() {
        for (int seq = 0; seq < 3; seq++) {
            for (int layer = 0; layer < 3; layer++) {
                host.receiveRtp(nodeA, publisher,
                        InlineHost.vp8(PUBLISHER_SSRCS[layer], 100 + seq, 9000 + seq * 3000, seq == 0, true));
            }
        }
        for (byte[] packet : host.sent(pipeAtA).rtp) {
            host.receiveRtp(nodeB, pipeAtB, packet);
        }
        RecordingSender toSubscriber = host.sent(subscriberAtB);
        int count = toSubscriber.rtp.size();
        assertTrue(count >= 3 && count < 9, "a layer at a time, not all three: " + count);
        for (int i = 1; i < count; i++) {
            int step = (seq(toSubscriber.rtp.get(i)) - seq(toSubscriber.rtp.get(i - 1))) & 0xFFFF;
            assertTrue(step >= 1 && step < 10, "one stream, in order, whatever layer it carries");
        }
        assertEquals(SUBSCRIBER_SSRC, toSubscriber.lastSsrc);
    }

    @Test
    void shouldTurnNodeBsKeyframeRequestForOneLayerIntoAPliForThatLayer() {
        host.receiveRtcp(nodeA, pipeAtA, pli(PIPE_SSRCS[2]));
        List<byte[]> sent = host.sent(publisher).rtcp;
        assertEquals(1, sent.size());
        PliPacket pli = new PliPacket();
        assertTrue(pli.wrap(sent.get(0), 0, sent.get(0).length));
        assertEquals(PUBLISHER_SSRCS[2], pli.mediaSsrc(), "the top layer's publisher SSRC");
    }

    @Test
    void shouldResendWhatThePipeLostFromTheCacheAsItWas() {
        for (int seq = 200; seq < 205; seq++) {
            host.receiveRtp(nodeA, publisher, InlineHost.vp8(PUBLISHER_SSRCS[1], seq, 9000, seq == 200, true));
        }
        byte[] original = host.sent(pipeAtA).rtp.get(2);
        host.sent(pipeAtA).clear();
        byte[] nack = new byte[64];
        int len = NackPacket.write(nack, 0, 0x4444, PIPE_SSRCS[1], new int[] {202}, 1);
        host.receiveRtcp(nodeA, pipeAtA, Arrays.copyOf(nack, len));
        assertEquals(1, host.sent(pipeAtA).rtp.size());
        assertArrayEquals(original, host.sent(pipeAtA).rtp.get(0), "same SSRC, sequence number and payload");
    }

    @Test
    void shouldNackNodeAForWhatThePipeLost() {
        host.receiveRtp(nodeB, pipeAtB, InlineHost.vp8(PIPE_SSRCS[0], 300, 9000, true, true));
        host.receiveRtp(nodeB, pipeAtB, InlineHost.vp8(PIPE_SSRCS[0], 303, 9000, false, true));
        host.advanceMillis(50);
        nodeB.sendNacks(host.nanos);
        List<byte[]> rtcp = host.sent(pipeAtB).rtcp;
        NackPacket nack = new NackPacket();
        assertTrue(rtcp.stream().anyMatch(p -> nack.wrap(p, 0, p.length) && nack.mediaSsrc() == PIPE_SSRCS[0]),
                "a NACK for the pipe's SSRC of that layer");
    }

    @Test
    void shouldPassThePublishersSenderReportOnUnderThePipesSsrc() {
        byte[] report = new byte[SenderReport.LENGTH_WITHOUT_BLOCKS];
        SenderReport.write(report, 0, PUBLISHER_SSRCS[1], 0x1234_5678_9ABC_DEF0L, 777_000L, 10, 1000);
        host.receiveRtcp(nodeA, publisher, report);
        List<byte[]> sent = host.sent(pipeAtA).rtcp;
        assertEquals(1, sent.size());
        SenderReport sr = new SenderReport();
        assertTrue(sr.wrap(sent.get(0), 0, sent.get(0).length));
        assertEquals(PIPE_SSRCS[1], sr.senderSsrc());
        assertEquals(0x1234_5678_9ABC_DEF0L, sr.ntpTimestamp());
        assertEquals(777_000L, sr.rtpTimestamp());
    }

    @Test
    void shouldStopForwardingOnceTheProducerCloses() {
        nodeA.closeProducer(1);
        host.receiveRtp(nodeA, publisher, InlineHost.vp8(PUBLISHER_SSRCS[0], 1, 9000, true, true));
        assertEquals(0, host.sent(pipeAtA).rtp.size());
    }

    private static int seq(byte[] rtp) {
        return ((rtp[2] & 0xFF) << 8) | (rtp[3] & 0xFF);
    }

    private static byte[] pli(int mediaSsrc) {
        byte[] out = new byte[12];
        PliPacket.write(out, 0, 0x4444, mediaSsrc);
        return out;
    }
}
