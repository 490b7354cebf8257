package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Router names who speaks from the audio level (RFC 6464) of each publisher's packets, the
 * dominant speaker first, and says so only when that changes.
 */
class ActiveSpeakersTest {
    private static final int LEVEL_ID = 1;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport alice = host.connected(router);
    private final Transport bob = host.connected(router);
    private final List<int[]> heard = new ArrayList<>();
    private int seq;

    private static byte[] opus(int ssrc, int seq, int level) {
        byte[] out = new byte[12 + 8 + 20];
        RtpPacket.writeHeader(out, 0, false, 111, seq, 960L * seq, ssrc);
        out[0] |= 0x10;
        out[12] = (byte) 0xBE;
        out[13] = (byte) 0xDE;
        out[15] = 1;
        out[16] = (byte) (LEVEL_ID << 4);
        out[17] = (byte) (0x80 | level);
        return out;
    }

    private void publish() {
        router.createProducer(1, alice, Codec.OPUS, 0xA, 111);
        router.setAudioLevelExtension(1, LEVEL_ID);
        router.createProducer(2, bob, Codec.OPUS, 0xB, 111);
        router.setAudioLevelExtension(2, LEVEL_ID);
        router.onActiveSpeakers(heard::add);
    }

    /** {@code millis} of audio from both, 20 ms packets, evaluated every 200 ms as the worker does. */
    private void talk(int millis, int aliceLevel, int bobLevel) {
        for (int t = 0; t < millis; t += 20) {
            host.receiveRtp(router, alice, opus(0xA, seq, aliceLevel));
            host.receiveRtp(router, bob, opus(0xB, seq, bobLevel));
            seq++;
            host.advanceMillis(20);
            if (seq % 10 == 0) {
                router.evaluateSpeakers(host.context.nanoTime());
            }
        }
    }

    @Test
    void shouldNameTheOneAboveSilenceWithinASecond() {
        publish();

        talk(1000, 30, 127);

        assertEquals(1, heard.size(), "one change: alice starts speaking");
        assertArrayEquals(new int[] {1}, heard.get(0));
    }

    @Test
    void shouldFollowTheTurnAndStayQuietWhileNothingChanges() {
        publish();
        talk(2000, 30, 127);
        talk(3000, 127, 30);
        talk(2000, 127, 30);

        assertTrue(heard.size() >= 2, "alice, then bob: " + heard.size());
        assertArrayEquals(new int[] {1}, heard.get(0));
        assertEquals(2, heard.get(heard.size() - 1)[0], "bob is dominant at the end");
        assertTrue(heard.size() <= 4, "no chatter while the same one talks: " + heard.size() + " changes");
    }

    @Test
    void shouldForgetAClosedProducer() {
        publish();
        talk(1000, 30, 127);
        router.closeProducer(1);
        talk(1500, 30, 127);

        int[] last = heard.get(heard.size() - 1);
        assertEquals(0, last.length, "nobody speaks once alice's track is gone");
    }
}
