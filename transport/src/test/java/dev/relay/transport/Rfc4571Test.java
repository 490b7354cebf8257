package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4571 §2 framing: whatever the stream's segmentation, the same packets come out. */
class Rfc4571Test {
    /** Three packets (lengths 3, 0 and 1,500) framed back to back. */
    private static final byte[] STREAM = stream(new byte[] {1, 2, 3}, new byte[0], filled(1500, (byte) 7));

    @ParameterizedTest(name = "segments of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 5, 7, 1501, 4096})
    void shouldReassembleThePacketsWhateverTheSegmentSize(int segment) {
        Rfc4571 framing = new Rfc4571(1500);
        List<byte[]> packets = new ArrayList<>();
        for (int at = 0; at < STREAM.length; at += segment) {
            int len = Math.min(segment, STREAM.length - at);
            assertTrue(framing.feed(Unpooled.wrappedBuffer(STREAM, at, len),
                    (buf, n) -> packets.add(Arrays.copyOf(buf, n))));
        }
        assertEquals(2, packets.size(), "the empty packet is skipped, the others come out whole");
        assertEquals("[1, 2, 3]", Arrays.toString(packets.get(0)));
        assertEquals(1500, packets.get(1).length);
        assertEquals(7, packets.get(1)[1499]);
        assertEquals(0, framing.pending(), "nothing left over between packets");
    }

    @Test
    void shouldHoldAPartialPacketUntilTheRestArrives() {
        Rfc4571 framing = new Rfc4571(1500);
        List<byte[]> packets = new ArrayList<>();
        framing.feed(Unpooled.wrappedBuffer(new byte[] {0, 4, 9, 9}), (buf, n) -> packets.add(Arrays.copyOf(buf, n)));
        assertEquals(0, packets.size());
        assertEquals(4, framing.pending());
        framing.feed(Unpooled.wrappedBuffer(new byte[] {9, 9, 0}), (buf, n) -> packets.add(Arrays.copyOf(buf, n)));
        assertEquals(1, packets.size());
        assertEquals(1, framing.pending(), "the next length field has begun");
    }

    @Test
    void shouldRefuseALengthAboveTheMaximumForGood() {
        Rfc4571 framing = new Rfc4571(1500);
        List<byte[]> packets = new ArrayList<>();
        assertFalse(framing.feed(Unpooled.wrappedBuffer(new byte[] {0x05, (byte) 0xDD, 1, 2}),
                (buf, n) -> packets.add(buf)), "1,501 bytes is more than a datagram");
        assertFalse(framing.feed(Unpooled.wrappedBuffer(stream(new byte[] {1})), (buf, n) -> packets.add(buf)),
                "a broken stream stays broken: it cannot be resynchronised");
        assertEquals(0, packets.size());
    }

    static byte[] stream(byte[]... packets) {
        int total = 0;
        for (byte[] p : packets) {
            total += 2 + p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : packets) {
            out[at++] = (byte) (p.length >> 8);
            out[at++] = (byte) p.length;
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] filled(int n, byte value) {
        byte[] out = new byte[n];
        Arrays.fill(out, value);
        return out;
    }
}
