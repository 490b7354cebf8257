package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.Transport;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The publisher's audio level (RFC 6464) reaches a subscriber under the subscriber's own id for
 * it (RFC 8285: ids are per PeerConnection), and only if the subscriber negotiated it.
 */
class AudioLevelForwardingTest {
    private static final int SSRC = 0x0A0A_0001;
    private static final int PUBLISHER_ID = 3;
    private static final int SUBSCRIBER_ID = 1;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);

    /** Opus with a one-byte-header extension block holding the audio level element (V=1, 42 dBov). */
    private static byte[] opusWithLevel(int seq) {
        byte[] out = new byte[12 + 8 + 20];
        RtpPacket.writeHeader(out, 0, false, 111, seq, 960L * seq, SSRC);
        out[0] |= 0x10;
        out[12] = (byte) 0xBE;
        out[13] = (byte) 0xDE;
        out[15] = 1;
        out[16] = (byte) (PUBLISHER_ID << 4);
        out[17] = (byte) (0x80 | 42);
        for (int i = 20; i < out.length; i++) {
            out[i] = (byte) i;
        }
        return out;
    }

    @Test
    void shouldPassTheLevelOnUnderTheSubscribersId() {
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        router.setAudioLevelExtension(1, PUBLISHER_ID);
        router.createConsumer(7, 1, subscriber, 0x0B0B, 111, 0, -1, SUBSCRIBER_ID);

        byte[] in = opusWithLevel(5);
        host.receiveRtp(router, publisher, in);

        byte[] out = host.sent(subscriber).rtp.get(0);
        RtpPacket rtp = new RtpPacket();
        assertTrue(rtp.wrap(out, 0, out.length));
        int level = rtp.findExtension(SUBSCRIBER_ID);
        assertTrue(level >= 0, "the subscriber's id carries the level");
        assertEquals((byte) (0x80 | 42), out[level]);
        assertEquals(-1, rtp.findExtension(PUBLISHER_ID), "not the publisher's id");
        assertArrayEquals(Arrays.copyOfRange(in, 20, in.length), Arrays.copyOfRange(out, rtp.payloadOffset(), out.length));
    }

    @Test
    void shouldSendNoExtensionToASubscriberThatDeclinedIt() {
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        router.setAudioLevelExtension(1, PUBLISHER_ID);
        router.createConsumer(7, 1, subscriber, 0x0B0B, 111, 0, -1, SUBSCRIBER_ID);
        router.setConsumerAudioLevelExtension(7, -1);

        host.receiveRtp(router, publisher, opusWithLevel(5));

        RtpPacket rtp = new RtpPacket();
        byte[] out = host.sent(subscriber).rtp.get(0);
        assertTrue(rtp.wrap(out, 0, out.length));
        assertFalse(rtp.hasExtension());
    }
}
