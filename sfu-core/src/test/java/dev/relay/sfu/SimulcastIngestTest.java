package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import dev.relay.transport.DropReason;
import dev.relay.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Simulcast layers arrive without SSRCs in the SDP (RFC 8853): each is bound from its first
 * packet's mid and rid header extensions (RFC 8852 §3.3), as Chromium sends them.
 */
class SimulcastIngestTest {
    private static final int MID_ID = 9;
    private static final int RID_ID = 10;
    private static final int[] SSRCS = {0x5100_0001, 0x5100_0002, 0x5100_0003};
    private static final String[] RIDS = {"q", "h", "f"};

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);

    /** A VP8 keyframe start with the one-byte-header extensions (RFC 8285 §4.2) mid and rid. */
    static byte[] layerPacket(int ssrc, int seq, String mid, String rid) {
        byte[] midBytes = mid.getBytes(StandardCharsets.US_ASCII);
        byte[] ridBytes = rid == null ? new byte[0] : rid.getBytes(StandardCharsets.US_ASCII);
        int elements = 1 + midBytes.length + (rid == null ? 0 : 1 + ridBytes.length);
        int extensionWords = (elements + 3) / 4;
        byte[] out = new byte[12 + 4 + extensionWords * 4 + 20];
        RtpPacket.writeHeader(out, 0, true, 96, seq, 3000L * seq, ssrc); // a whole frame: marker set
        out[0] |= 0x10; // X
        out[12] = (byte) 0xBE;
        out[13] = (byte) 0xDE;
        out[15] = (byte) extensionWords;
        int at = 16;
        out[at++] = (byte) ((MID_ID << 4) | (midBytes.length - 1));
        System.arraycopy(midBytes, 0, out, at, midBytes.length);
        at += midBytes.length;
        if (rid != null) {
            out[at++] = (byte) ((RID_ID << 4) | (ridBytes.length - 1));
            System.arraycopy(ridBytes, 0, out, at, ridBytes.length);
        }
        int payload = 12 + 4 + extensionWords * 4;
        out[payload] = 0x10; // VP8: S=1, partition 0
        out[payload + 1] = 0x10; // keyframe (P bit clear)
        return out;
    }

    @Test
    void shouldBindEachLayerByItsRidAndClimbToTheBestLayerAtItsKeyframes() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID);
        router.createConsumer(7, 1, subscriber, 0x7777, 96);
        for (int seq = 100; seq < 103; seq++) {
            for (int layer = 0; layer < 3; layer++) {
                host.receiveRtp(router, publisher, layerPacket(SSRCS[layer], seq, "0", RIDS[layer]));
            }
        }

        assertEquals(9, host.context.packetsIn(), "every layer's packets are taken");
        assertEquals(0, host.drops.get(DropReason.RTP_UNKNOWN_SSRC));
        // Every packet here is a keyframe start: the Consumer starts on the first layer that arrives
        // and moves up at each better layer's keyframe, then stays on the best (its default target).
        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(5, out.size(), "100: q, h, f as each arrives; 101 and 102: f only");
        assertEquals(3, host.context.count(MediaEvent.LAYER_SWITCH.ordinal()), "to q, to h, to f");
        RtpPacket rtp = new RtpPacket();
        int previous = -1;
        for (byte[] packet : out) {
            assertTrue(rtp.wrap(packet, 0, packet.length));
            assertEquals(0x7777, rtp.ssrc(), "one SSRC for the subscriber whatever the layer");
            if (previous >= 0) {
                assertEquals((previous + 1) & 0xFFFF, rtp.sequenceNumber(), "no gap across switches");
            }
            previous = rtp.sequenceNumber();
        }

        // The Receiver Report to the publisher has a block per bound layer (RFC 3550 §6.4.2).
        host.nanos += 1_000_000_000L;
        router.sendReports(host.nanos);
        byte[] rr = host.sent(publisher).rtcp.get(host.sent(publisher).rtcp.size() - 1);
        ReceiverReport report = new ReceiverReport();
        assertTrue(report.wrap(rr, 0, rr.length));
        Set<Integer> reported = new HashSet<>();
        for (int i = 0; i < report.reportCount(); i++) {
            reported.add(report.blockSsrc(i));
        }
        assertEquals(Set.of(SSRCS[0], SSRCS[1], SSRCS[2]), reported);
    }

    @Test
    void shouldDropPacketsThatNameNoKnownMidOrRid() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID);
        host.receiveRtp(router, publisher, layerPacket(0x1234, 1, "1", "q")); // another mid
        host.receiveRtp(router, publisher, layerPacket(0x1235, 1, "0", "x")); // an unknown rid
        host.receiveRtp(router, publisher, layerPacket(0x1236, 1, "0", null)); // no rid
        host.receiveRtp(router, publisher, InlineHost.rtp(0x1237, 96, 1, 0, false, 20)); // no extensions

        assertEquals(4, host.drops.get(DropReason.RTP_UNKNOWN_SSRC));
        assertEquals(0, host.context.packetsIn());
    }

    @Test
    void shouldNotRebindALayerWhileItsSsrcIsAlive() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID);
        host.receiveRtp(router, publisher, layerPacket(SSRCS[0], 1, "0", "q"));
        for (int i = 0; i < 100; i++) {
            host.receiveRtp(router, publisher, layerPacket(0x0BAD_0000 + i, 2, "0", "q"));
        }
        host.receiveRtp(router, publisher, layerPacket(SSRCS[0], 2, "0", "q"));

        assertEquals(100, host.drops.get(DropReason.RTP_UNKNOWN_SSRC), "other SSRCs naming q are not taken");
        assertEquals(2, host.context.packetsIn(), "q goes on on its SSRC");
    }

    @Test
    void shouldRebindALayerWhoseSsrcChanges() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID);
        router.createConsumer(7, 1, subscriber, 0x7777, 96);
        host.receiveRtp(router, publisher, layerPacket(SSRCS[0], 1, "0", "q"));
        host.advanceMillis(1_500); // the old SSRC falls silent (the publisher renegotiated)
        host.receiveRtp(router, publisher, layerPacket(0x0BAD_0001, 2, "0", "q"));
        // The old SSRC is no longer this layer's: its packets without extensions are unknown now.
        host.receiveRtp(router, publisher, InlineHost.rtp(SSRCS[0], 96, 3, 0, false, 20));

        assertEquals(2, host.sent(subscriber).rtp.size());
        assertEquals(1, host.drops.get(DropReason.RTP_UNKNOWN_SSRC));
    }

    @Test
    void shouldAskEachLayerForItsOwnKeyframe() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID);
        for (int layer = 0; layer < 3; layer++) {
            host.receiveRtp(router, publisher, layerPacket(SSRCS[layer], 1, "0", RIDS[layer]));
        }
        host.sent(publisher).rtcp.clear();
        router.producer(1).requestKeyframe(2, host.nanos);

        assertEquals(1, host.sent(publisher).rtcp.size());
        byte[] pli = host.sent(publisher).rtcp.get(0);
        int mediaSsrc = ((pli[8] & 0xFF) << 24) | ((pli[9] & 0xFF) << 16) | ((pli[10] & 0xFF) << 8) | (pli[11] & 0xFF);
        assertEquals(SSRCS[2], mediaSsrc, "the PLI names the layer's SSRC (RFC 4585 §6.3.1)");
    }

    @Test
    void shouldResendANackedPacketFromItsLayerAsItWasSent() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID, true);
        router.createConsumer(7, 1, subscriber, 0x7777, 96, 0x7778, 97);
        for (int layer = 0; layer < 3; layer++) {
            host.receiveRtp(router, publisher, layerPacket(SSRCS[layer], 100, "0", RIDS[layer]));
        }
        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(3, out.size(), "q, h, f: each a keyframe the Consumer climbs on");
        RtpPacket second = new RtpPacket();
        assertTrue(second.wrap(out.get(1), 0, out.get(1).length));
        byte[] sentCopy = out.get(1).clone();
        out.clear();

        int[] lost = {second.sequenceNumber()};
        byte[] nack = new byte[NackPacket.maxLength(1)];
        int len = NackPacket.write(nack, 0, 0x5555, 0x7777, lost, 1);
        host.receiveRtcp(router, subscriber, Arrays.copyOf(nack, len));

        assertEquals(1, out.size());
        RtpPacket rtx = new RtpPacket();
        assertTrue(rtx.wrap(out.get(0), 0, out.get(0).length));
        assertEquals(0x7778, rtx.ssrc());
        assertEquals(97, rtx.payloadType());
        assertEquals(second.timestamp(), rtx.timestamp(), "the timestamp the subscriber saw");
        assertEquals(second.sequenceNumber(), RtxPacket.originalSequenceNumber(rtx));
        assertEquals(Arrays.toString(Arrays.copyOfRange(sentCopy, second.payloadOffset(),
                        sentCopy.length)),
                Arrays.toString(Arrays.copyOfRange(out.get(0), rtx.payloadOffset() + 2,
                        out.get(0).length)), "the payload as sent, from the h layer's cache");
        assertEquals(1, host.context.count(MediaEvent.RETRANSMISSION_SENT.ordinal()));
    }

    @Test
    void shouldNackASimulcastPublisherAndBindEachLayersRtxByRepairedRid() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), MID_ID, RID_ID, true, 96, 11);
        router.createConsumer(7, 1, subscriber, 0x7777, 96, 0x7778, 97);
        host.receiveRtp(router, publisher, layerPacket(SSRCS[1], 100, "0", "h"));
        host.receiveRtp(router, publisher, layerPacket(SSRCS[1], 102, "0", "h")); // 101 lost
        host.sent(publisher).rtcp.clear();
        host.nanos += 15_000_000L;
        assertEquals(1, router.sendNacks(host.nanos), "the h layer's loss is NACKed on its SSRC");

        // The RTX of h (RFC 8852 §3.2: mid and repaired-rid), OSN 101, then the original payload.
        byte[] original = layerPacket(SSRCS[1], 101, "0", "h");
        RtpPacket wrapped = new RtpPacket();
        assertTrue(wrapped.wrap(original, 0, original.length));
        byte[] rtx = new byte[original.length + 2];
        RtxPacket.write(wrapped, rtx, 0, rtx.length, 0x5100_0012, 97, 7, true);
        rtx[16 + 2] = (byte) ((11 << 4) | (rtx[16 + 2] & 0x0F)); // the rid element becomes repaired-rid (id 11)
        int before = host.sent(subscriber).rtp.size();
        host.receiveRtp(router, publisher, rtx);

        assertEquals(before + 1, host.sent(subscriber).rtp.size(), "101 recovered and forwarded on h");
        assertEquals(1, host.context.count(MediaEvent.RETRANSMISSION_RECEIVED.ordinal()));
        assertEquals(0, host.drops.get(DropReason.RTP_UNKNOWN_SSRC));
    }
}
