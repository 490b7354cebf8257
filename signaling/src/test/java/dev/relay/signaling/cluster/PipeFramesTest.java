package dev.relay.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A pipe's control messages arrive as sent, or not at all. */
class PipeFramesTest {
    private static final byte[] A_TO_B = key(1);
    private static final byte[] B_TO_A = key(2);

    private final PipeFrames a = new PipeFrames(A_TO_B, B_TO_A);
    private final PipeFrames b = new PipeFrames(B_TO_A, A_TO_B);

    @Test
    void shouldCarryMessagesBothWaysInOrder() {
        assertEquals("{\"t\":\"participant\"}", b.open(a.seal("{\"t\":\"participant\"}")));
        assertEquals("{\"t\":\"track\"}", b.open(a.seal("{\"t\":\"track\"}")));
        assertEquals("{\"t\":\"left\"}", a.open(b.seal("{\"t\":\"left\"}")));
    }

    @Test
    void shouldRefuseAChangedMessage() {
        String frame = a.seal("{\"muted\":false}");
        assertThrows(IllegalArgumentException.class, () -> b.open(frame.replace("false", "true")));
    }

    @Test
    void shouldRefuseAReplayedOrReorderedMessage() {
        String first = a.seal("{\"n\":1}");
        String second = a.seal("{\"n\":2}");
        assertThrows(IllegalArgumentException.class, () -> b.open(second), "out of order");
        assertEquals("{\"n\":1}", b.open(first));
        assertThrows(IllegalArgumentException.class, () -> b.open(first), "again");
        assertEquals("{\"n\":2}", b.open(second));
    }

    @Test
    void shouldRefuseAMessageSealedWithAnotherKeyOrForTheOtherDirection() {
        PipeFrames stranger = new PipeFrames(key(3), key(4));
        assertThrows(IllegalArgumentException.class, () -> b.open(stranger.seal("{}")));
        String own = b.seal("{}");
        assertThrows(IllegalArgumentException.class, () -> b.open(own), "its own message reflected back");
    }

    @Test
    void shouldRefuseFramesThatAreNotSealed() {
        for (String frame : new String[] {"", "{}", "x".repeat(43) + "{}", "!".repeat(43) + ".{}"}) {
            assertThrows(IllegalArgumentException.class, () -> b.open(frame), frame);
        }
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }
}
