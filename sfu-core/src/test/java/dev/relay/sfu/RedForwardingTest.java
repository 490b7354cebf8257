package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RedPayload;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.DropReason;
import dev.relay.transport.Transport;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redundant audio (RFC 2198): a subscriber that accepted RED gets the publisher's RED with its
 * own payload types inside; one that did not gets the Opus frames, and a frame the relay never
 * received is rebuilt from the redundancy of the packet after it (docs/quality.md).
 */
class RedForwardingTest {
    private static final int SSRC = 0x0A0A_0001;
    private static final int OPUS = 111;
    private static final int RED = 63;
    private static final int SUBSCRIBER_OPUS = 109;
    private static final int SUBSCRIBER_RED = 100;
    private static final long FRAME = 960;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);
    private final RtpPacket rtp = new RtpPacket();
    private final RedPayload red = new RedPayload();

    /** The frame of packet {@code seq}: three bytes that name it. */
    private static byte[] frame(int seq) {
        return new byte[] {(byte) seq, (byte) (seq >> 8), (byte) 0xF0};
    }

    /** Packet {@code seq} in RED with the frames of the {@code redundancy} packets before it (libwebrtc's layout). */
    private static byte[] redPacket(int seq, int redundancy) {
        int blocks = Math.min(redundancy, seq);
        byte[] out = new byte[12 + 4 * blocks + 1 + 3 * (blocks + 1)];
        RtpPacket.writeHeader(out, 0, false, RED, seq, FRAME * seq, SSRC);
        int at = 12;
        for (int d = blocks; d >= 1; d--) {
            long offset = FRAME * d;
            out[at] = (byte) (0x80 | OPUS);
            out[at + 1] = (byte) (offset >> 6);
            out[at + 2] = (byte) (((offset & 0x3F) << 2) | 0);
            out[at + 3] = 3;
            at += 4;
        }
        out[at++] = (byte) OPUS;
        for (int d = blocks; d >= 0; d--) {
            System.arraycopy(frame(seq - d), 0, out, at, 3);
            at += 3;
        }
        return out;
    }

    private void publishRed() {
        router.createProducer(1, publisher, Codec.OPUS, SSRC, OPUS);
        router.setRedPayloadType(1, RED);
        router.createConsumer(7, 1, subscriber, 0x0B0B, SUBSCRIBER_OPUS);
    }

    private List<byte[]> sent() {
        return host.sent(subscriber).rtp;
    }

    @Test
    void shouldForwardRedWithTheSubscribersPayloadTypes() {
        publishRed();
        router.setConsumerRedPayloadType(7, SUBSCRIBER_RED);

        byte[] in = redPacket(5, 1);
        host.receiveRtp(router, publisher, in);

        byte[] out = sent().get(0);
        assertTrue(rtp.wrap(out, 0, out.length));
        assertEquals(SUBSCRIBER_RED, rtp.payloadType());
        assertTrue(red.wrap(out, rtp.payloadOffset(), rtp.payloadLength()));
        assertEquals(2, red.blockCount());
        assertEquals(SUBSCRIBER_OPUS, red.payloadType(0));
        assertEquals(SUBSCRIBER_OPUS, red.payloadType(1));
        assertEquals(FRAME, red.timestampOffset(0));
        assertArrayEquals(frame(5), Arrays.copyOfRange(out, red.dataOffset(1), out.length));
        assertEquals(RED, in[1] & 0x7F, "the publisher's packet, shared by every Consumer, is left as it came");
        assertEquals((byte) (0x80 | OPUS), in[12]);
    }

    @Test
    void shouldSendThePrimaryFrameToASubscriberWithoutRed() {
        publishRed();

        host.receiveRtp(router, publisher, redPacket(5, 1));

        byte[] out = sent().get(0);
        assertTrue(rtp.wrap(out, 0, out.length));
        assertEquals(SUBSCRIBER_OPUS, rtp.payloadType());
        assertEquals(FRAME * 5, rtp.timestamp());
        assertArrayEquals(frame(5), Arrays.copyOfRange(out, rtp.payloadOffset(), out.length));
    }

    @Test
    void shouldRebuildLostFramesFromTheRedundancyThatFollows() {
        publishRed();
        host.receiveRtp(router, publisher, redPacket(10, 2));
        // 11 and 12 are lost before the relay; 13 carries both.
        host.receiveRtp(router, publisher, redPacket(13, 2));

        assertEquals(4, sent().size());
        int firstSeq = seqOf(sent().get(0));
        for (int i = 0; i < 4; i++) {
            byte[] out = sent().get(i);
            assertTrue(rtp.wrap(out, 0, out.length));
            assertEquals((firstSeq + i) & 0xFFFF, rtp.sequenceNumber(), "packet " + i + " in sequence");
            assertEquals(FRAME * (10 + i), rtp.timestamp());
            assertEquals(SUBSCRIBER_OPUS, rtp.payloadType());
            assertArrayEquals(frame(10 + i), Arrays.copyOfRange(out, rtp.payloadOffset(), out.length));
        }
        assertEquals(2, host.context.count(MediaEvent.RED_RECOVERED.ordinal()));
    }

    @Test
    void shouldRebuildOnlyAsFarBackAsTheRedundancyReaches() {
        publishRed();
        host.receiveRtp(router, publisher, redPacket(10, 1));
        host.receiveRtp(router, publisher, redPacket(14, 1)); // 11-13 lost; 14 carries 13 only

        assertEquals(3, sent().size());
        int firstSeq = seqOf(sent().get(0));
        assertTrue(rtp.wrap(sent().get(1), 0, sent().get(1).length));
        assertEquals(FRAME * 13, rtp.timestamp());
        assertEquals((firstSeq + 3) & 0xFFFF, rtp.sequenceNumber(), "13 under its own sequence number, a gap for 11-12");
    }

    @Test
    void shouldNotResendAFrameThatArrived() {
        publishRed();
        host.receiveRtp(router, publisher, redPacket(10, 2));
        host.receiveRtp(router, publisher, redPacket(11, 2));
        host.receiveRtp(router, publisher, redPacket(12, 2));

        assertEquals(3, sent().size());
        assertEquals(0, host.context.count(MediaEvent.RED_RECOVERED.ordinal()));
    }

    @Test
    void shouldNotRebuildForASubscriberThatTakesRed() {
        publishRed();
        router.setConsumerRedPayloadType(7, SUBSCRIBER_RED);
        host.receiveRtp(router, publisher, redPacket(10, 2));
        host.receiveRtp(router, publisher, redPacket(13, 2));

        assertEquals(2, sent().size(), "the subscriber rebuilds from the RED it gets");
    }

    @Test
    void shouldPassPlainOpusOfARedPublisherAsOpus() {
        publishRed();
        router.setConsumerRedPayloadType(7, SUBSCRIBER_RED);

        host.receiveRtp(router, publisher, InlineHost.rtp(SSRC, OPUS, 3, FRAME * 3, false, 20));

        assertTrue(rtp.wrap(sent().get(0), 0, sent().get(0).length));
        assertEquals(SUBSCRIBER_OPUS, rtp.payloadType());
    }

    @Test
    void shouldDropAndCountRedThatIsMalformedOrCarriesAnotherCodec() {
        publishRed();
        byte[] cut = redPacket(5, 1);
        byte[] truncated = Arrays.copyOf(cut, 12 + 3); // a block header cut short
        byte[] foreign = redPacket(6, 1);
        foreign[12] = (byte) (0x80 | 0); // a redundant PCMU block

        host.receiveRtp(router, publisher, truncated);
        host.receiveRtp(router, publisher, foreign);
        host.receiveRtp(router, publisher, redPacket(7, 1));

        assertEquals(2, host.drops.get(DropReason.RTP_MALFORMED));
        assertEquals(1, sent().size(), "the well-formed packet still goes out");
    }

    /**
     * Steady state allocates nothing: RED passed on to one subscriber, unpacked with lost frames
     * rebuilt for another (docs/architecture.md "Conventions").
     */
    @Test
    void shouldForwardAndUnpackRedWithoutAllocating() {
        Transport unpacking = host.connected(router);
        publishRed();
        router.setConsumerRedPayloadType(7, SUBSCRIBER_RED);
        router.createConsumer(8, 1, unpacking, 0x0C0C, SUBSCRIBER_OPUS);
        host.sent(subscriber).countOnly = true;
        host.sent(unpacking).countOnly = true;
        int packets = 20_000;
        byte[][] inbound = new byte[packets][];
        for (int i = 0; i < packets; i++) {
            inbound[i] = redPacket(100 + i, 2);
        }
        long allocated = ThreadAllocation.ofSecondRound(round -> {
            for (int i = round; i < packets; i += 2) {
                if (i % 10 != 7) { // every tenth packet lost before the relay
                    host.receiveRtp(router, publisher, inbound[i]);
                }
            }
        });

        assertTrue(allocated < packets / 2, "allocated " + allocated + " bytes over " + packets / 2 + " packets");
        assertTrue(host.context.count(MediaEvent.RED_RECOVERED.ordinal()) > 0, "frames were rebuilt");
    }

    private int seqOf(byte[] packet) {
        assertTrue(rtp.wrap(packet, 0, packet.length));
        return rtp.sequenceNumber();
    }
}
