package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.transport.DropReason;
import dev.relay.transport.Transport;
import dev.relay.transport.srtp.SrtpSession;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Media that reaches the relay between the browser's end of the DTLS handshake and the keys
 * reaching the worker is held and forwarded once the keys are installed, in order; only what
 * exceeds the bound is dropped (and counted).
 */
class EarlyMediaTest {
    private static final int SSRC = 0x5151_0001;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport subscriber = host.connected(router);
    private final Transport publisher = host.registry.create();
    /** The publishing browser: same (symmetric) keys as InlineHost.KEYS. */
    private final SrtpSession browser = new SrtpSession(InlineHost.KEYS);

    private byte[] srtp(int seq) {
        byte[] plain = InlineHost.rtp(SSRC, 111, seq, seq * 960L, false, 30);
        byte[] out = Arrays.copyOf(plain, plain.length + SrtpSession.MAX_RTP_OVERHEAD);
        int len = browser.protectRtp(out, 0, plain.length);
        return Arrays.copyOf(out, len);
    }

    @Test
    void shouldForwardPacketsThatCameBeforeTheKeysOnceTheyArrive() {
        router.attachTransport(publisher);
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        router.createConsumer(2, 1, subscriber, 0x6161_0001, 111);
        for (int seq = 100; seq < 110; seq++) {
            host.receiveSrtp(router, publisher, srtp(seq), false);
        }
        assertEquals(0, host.sent(subscriber).rtp.size(), "nothing can be decrypted yet");
        assertEquals(0, host.drops.total(), "and nothing is dropped");

        router.transportConnected(publisher, InlineHost.KEYS);
        host.receiveSrtp(router, publisher, srtp(110), false);

        assertEquals(11, host.sent(subscriber).rtp.size(), "the held packets, then the new one");
        int first = seq(host.sent(subscriber).rtp.get(0));
        for (int i = 1; i < 11; i++) {
            assertEquals((first + i) & 0xFFFF, seq(host.sent(subscriber).rtp.get(i)), "in order");
        }
        assertEquals(0, host.drops.total());
    }

    @Test
    void shouldHoldOnlyABoundedNumberAndCountTheRest() {
        router.attachTransport(publisher);
        router.createProducer(1, publisher, Codec.OPUS, SSRC, 111);
        router.createConsumer(2, 1, subscriber, 0x6161_0001, 111);
        for (int seq = 0; seq < EarlyMedia.MAX_PACKETS + 10; seq++) {
            host.receiveSrtp(router, publisher, srtp(seq), false);
        }
        assertEquals(10, host.drops.get(DropReason.NO_SRTP_CONTEXT));
        router.transportConnected(publisher, InlineHost.KEYS);
        assertEquals(EarlyMedia.MAX_PACKETS, host.sent(subscriber).rtp.size());
    }

    @Test
    void shouldDropWhatComesForAClosedTransport() {
        router.attachTransport(publisher);
        publisher.close();
        host.receiveSrtp(router, publisher, srtp(1), false);
        assertEquals(1, host.drops.get(DropReason.NO_SRTP_CONTEXT));
    }

    private static int seq(byte[] packet) {
        return (packet[2] & 0xFF) << 8 | (packet[3] & 0xFF);
    }
}
