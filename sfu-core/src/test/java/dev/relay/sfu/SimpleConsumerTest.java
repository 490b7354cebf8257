package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A SimpleConsumer's rewriting, driven through the real Router with a fake clock: what the
 * subscriber sees is its own SSRC and payload type, the publisher's timestamps and payload, and
 * sequence numbers that run on from where they were, starting on a keyframe for video.
 */
class SimpleConsumerTest {
    private static final int PUBLISHER_SSRC = 0x1111_0000;
    private static final int CONSUMER_SSRC = 0x2222_0000;
    private static final int CONSUMER_PT = 100;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);

    /**
     * Input packets are "K" (VP8 keyframe start), "k" (keyframe bit but not a partition start),
     * "d" (delta frame) or "a" (Opus) followed by the sequence number. Expected: for each packet
     * that goes out, its input sequence number and its output sequence number counted from the
     * first one sent.
     */
    static Stream<Arguments> rewriting() {
        return Stream.of(
                Arguments.of("video starts on a keyframe", "d100 d101 K102 d103", "102:0 103:1"),
                Arguments.of("a keyframe bit mid-partition is not a start", "k200 d201 K202", "202:0"),
                Arguments.of("input gaps pass through: loss is the subscriber's to see", "K10 d11 d13 d14",
                        "10:0 11:1 13:3 14:4"),
                Arguments.of("continues across the publisher's sequence wrap", "K65534 d65535 d0 d1",
                        "65534:0 65535:1 0:2 1:3"),
                Arguments.of("reordering passes through", "K50 d52 d51 d53", "50:0 52:2 51:1 53:3"),
                Arguments.of("audio starts at once", "a500 a501 a502", "500:0 501:1 502:2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rewriting")
    void shouldRewriteSsrcPayloadTypeAndSequence(String name, String inputs, String expected) {
        boolean audio = inputs.startsWith("a");
        router.createProducer(1, publisher, audio ? Codec.OPUS : Codec.VP8, PUBLISHER_SSRC, audio ? 111 : 96);
        router.createConsumer(7, 1, subscriber, CONSUMER_SSRC, CONSUMER_PT);
        List<byte[]> sentIn = new ArrayList<>();
        for (String token : inputs.split(" ")) {
            int seq = Integer.parseInt(token.substring(1));
            long timestamp = 90_000L + seq * 3000L;
            byte[] packet = switch (token.charAt(0)) {
                case 'K' -> InlineHost.vp8(PUBLISHER_SSRC, seq, timestamp, true, true);
                case 'k' -> InlineHost.vp8(PUBLISHER_SSRC, seq, timestamp, true, false);
                case 'd' -> InlineHost.vp8(PUBLISHER_SSRC, seq, timestamp, false, true);
                default -> InlineHost.rtp(PUBLISHER_SSRC, 111, seq, timestamp, seq % 2 == 0, 30);
            };
            sentIn.add(packet);
            host.receiveRtp(router, publisher, packet);
        }
        List<byte[]> out = host.sent(subscriber).rtp;
        String[] pairs = expected.split(" ");
        assertEquals(pairs.length, out.size(), "packets forwarded");
        RtpPacket rtp = new RtpPacket();
        RtpPacket original = new RtpPacket();
        int firstOut = -1;
        for (int i = 0; i < pairs.length; i++) {
            int inSeq = Integer.parseInt(pairs[i].split(":")[0]);
            int outDelta = Integer.parseInt(pairs[i].split(":")[1]);
            assertTrue(rtp.wrap(out.get(i), 0, out.get(i).length));
            byte[] in = sentIn.stream().filter(p -> ((p[2] & 0xFF) << 8 | (p[3] & 0xFF)) == inSeq).findFirst()
                    .orElseThrow();
            assertTrue(original.wrap(in, 0, in.length));
            if (firstOut < 0) {
                firstOut = rtp.sequenceNumber();
            }
            assertEquals(CONSUMER_SSRC, rtp.ssrc());
            assertEquals(CONSUMER_PT, rtp.payloadType());
            assertEquals((firstOut + outDelta) & 0xFFFF, rtp.sequenceNumber(), "output seq of input " + inSeq);
            assertEquals(original.timestamp(), rtp.timestamp());
            assertEquals(original.marker(), rtp.marker());
            assertArrayEquals(Arrays.copyOfRange(in, original.payloadOffset(), in.length),
                    Arrays.copyOfRange(out.get(i), rtp.payloadOffset(), out.get(i).length));
        }
    }

    /** Payloads: a delta frame, then the first packet of a keyframe, per video codec. */
    static Stream<Arguments> keyframeStarts() {
        return Stream.of(
                // RFC 7741 §4.2: S=1 PID=0, then the VP8 header with P (inter frame) set or clear.
                Arguments.of(Codec.VP8, new byte[] {0x10, 0x11, 0, 0}, new byte[] {0x10, 0x10, 0, 0}),
                // RFC 9628 §4.2: |I|P|L|F|B|E|V|Z|, P (inter-picture predicted) and B (start of frame).
                Arguments.of(Codec.VP9, new byte[] {0x48, 0, 0, 0}, new byte[] {0x08, 0, 0, 0}),
                // RFC 6184 §5.3: a non-IDR slice (type 1), then an IDR slice (type 5).
                Arguments.of(Codec.H264, new byte[] {0x41, 0, 0, 0}, new byte[] {0x65, 0, 0, 0}),
                // AV1 RTP §4.4: W=1 and a frame OBU, then N set and a sequence header OBU.
                Arguments.of(Codec.AV1, new byte[] {0x10, 0x32, 0, 0}, new byte[] {0x18, 0x0a, 0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyframeStarts")
    void shouldStartEachVideoCodecOnAKeyframe(Codec codec, byte[] delta, byte[] keyframe) {
        router.createProducer(1, publisher, codec, PUBLISHER_SSRC, 98);
        router.createConsumer(7, 1, subscriber, CONSUMER_SSRC, CONSUMER_PT);
        host.receiveRtp(router, publisher, withPayload(20, delta));
        host.receiveRtp(router, publisher, withPayload(21, keyframe));
        host.receiveRtp(router, publisher, withPayload(22, delta));

        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(2, out.size(), "the delta frame before the keyframe is held back");
        RtpPacket rtp = new RtpPacket();
        assertTrue(rtp.wrap(out.get(0), 0, out.get(0).length));
        assertEquals(keyframe[0], out.get(0)[rtp.payloadOffset()]);
        assertEquals(keyframe[1], out.get(0)[rtp.payloadOffset() + 1]);
    }

    private static byte[] withPayload(int seq, byte[] payload) {
        byte[] packet = InlineHost.rtp(PUBLISHER_SSRC, 98, seq, 3000L * seq, false, payload.length);
        System.arraycopy(payload, 0, packet, RtpPacket.FIXED_HEADER_LENGTH, payload.length);
        return packet;
    }

    @Test
    void shouldAskForAKeyframeWhileWaitingForOne() {
        router.createProducer(1, publisher, Codec.VP8, PUBLISHER_SSRC, 96);
        router.createConsumer(7, 1, subscriber, CONSUMER_SSRC, CONSUMER_PT);
        host.advanceMillis(600);
        host.sent(publisher).clear();
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 1, 0, false, true));
        assertEquals(1, host.sent(publisher).rtcp.size(), "a delta frame while starting asks for a keyframe");
        PliPacket pli = new PliPacket();
        byte[] sent = host.sent(publisher).rtcp.get(0);
        assertTrue(pli.wrap(sent, 0, sent.length));
        assertEquals(PUBLISHER_SSRC, pli.mediaSsrc());
    }

    @Test
    void shouldResumeAtAKeyframeWithoutASequenceGapAfterTheSubscriberReconnects() {
        router.createProducer(1, publisher, Codec.VP8, PUBLISHER_SSRC, 96);
        router.createConsumer(7, 1, subscriber, CONSUMER_SSRC, CONSUMER_PT);
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 10, 0, true, true));
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 11, 0, false, true));
        router.transportConnected(subscriber, InlineHost.KEYS);
        for (int seq = 12; seq < 20; seq++) {
            host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, seq, 0, false, true));
        }
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 20, 0, true, true));
        host.receiveRtp(router, publisher, InlineHost.vp8(PUBLISHER_SSRC, 21, 0, false, true));
        List<byte[]> out = host.sent(subscriber).rtp;
        assertEquals(4, out.size(), "paused from the reconnect until the next keyframe");
        int first = seq(out.get(0));
        for (int i = 1; i < out.size(); i++) {
            assertEquals((first + i) & 0xFFFF, seq(out.get(i)), "no gap for the packets skipped while paused");
        }
    }

    @Test
    void shouldSendNothingBeforeTheSubscriberIsConnected() {
        Transport late = host.registry.create();
        router.attachTransport(late);
        router.createProducer(1, publisher, Codec.OPUS, PUBLISHER_SSRC, 111);
        router.createConsumer(7, 1, late, CONSUMER_SSRC, 111);
        host.receiveRtp(router, publisher, InlineHost.rtp(PUBLISHER_SSRC, 111, 1, 960, false, 30));
        assertEquals(0, host.sent(late).rtp.size());
        router.transportConnected(late, InlineHost.KEYS);
        host.receiveRtp(router, publisher, InlineHost.rtp(PUBLISHER_SSRC, 111, 2, 1920, false, 30));
        assertEquals(1, host.sent(late).rtp.size());
    }

    @Test
    void shouldKeepThePaddingBit() {
        router.createProducer(1, publisher, Codec.OPUS, PUBLISHER_SSRC, 111);
        router.createConsumer(7, 1, subscriber, CONSUMER_SSRC, 111);
        byte[] padded = InlineHost.rtp(PUBLISHER_SSRC, 111, 1, 960, false, 30);
        padded[0] |= 0x20;
        padded[padded.length - 1] = 4;
        host.receiveRtp(router, publisher, padded);
        byte[] out = host.sent(subscriber).rtp.get(0);
        RtpPacket rtp = new RtpPacket();
        assertTrue(rtp.wrap(out, 0, out.length));
        assertTrue(rtp.padding());
        assertEquals(4, rtp.paddingLength());
    }

    private static int seq(byte[] packet) {
        return (packet[2] & 0xFF) << 8 | (packet[3] & 0xFF);
    }
}
