package dev.relay.codecs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Rfc4571FramingTest
{
    private static final int MAX = 1500;

    /** Three packets as they go on the stream: a 20-byte STUN header, a 1-byte packet, a 300-byte one. */
    private static final byte[][] PACKETS = {packet(20, 0x00), packet(1, 0x80), packet(300, 0x17)};

    @Test
    void shouldWriteTheLengthInNetworkOrder()
    {
        byte[] buf = new byte[4];
        assertEquals(2, Rfc4571Framing.writeHeader(buf, 1, 0x0102));
        assertArrayEquals(new byte[] {0x00, 0x01, 0x02, 0x00}, buf);
        assertEquals(2, Rfc4571Framing.writeHeader(buf, 0, 0xFFFF));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF}, Arrays.copyOf(buf, 2));
        assertThrows(IllegalArgumentException.class, () -> Rfc4571Framing.writeHeader(buf, 0, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> Rfc4571Framing.writeHeader(buf, 0, -1));
    }

    /**
     * One stream cut into reads of these sizes (the last repeats until the stream ends): the same
     * packets come out, in order, whatever the cut.
     */
    static Stream<Arguments> segmentations()
    {
        return Stream.of(
                Arguments.of("everything in one read", new int[] {100_000}),
                Arguments.of("byte by byte", new int[] {1}),
                Arguments.of("length field split", new int[] {1, 1, 20, 1}),
                Arguments.of("exactly at packet boundaries", new int[] {22, 3, 302}),
                Arguments.of("a header with the tail of the previous packet", new int[] {21, 2, 5, 1000}),
                Arguments.of("odd chunks", new int[] {7, 13, 3}),
                Arguments.of("tcp-like 64-byte segments", new int[] {64}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("segmentations")
    void shouldReassembleEveryPacketWhateverTheSegmentation(String name, int[] cuts)
    {
        byte[] stream = frame(PACKETS);
        List<byte[]> out = feedInCuts(new Rfc4571Framing(MAX), stream, cuts);
        assertPackets(PACKETS, out);
    }

    @Test
    void shouldReassembleARandomlySegmentedLongStream()
    {
        Random random = new Random(4571);
        byte[][] packets = new byte[500][];
        for (int i = 0; i < packets.length; i++)
        {
            packets[i] = packet(1 + random.nextInt(MAX), i);
        }
        byte[] stream = frame(packets);
        Rfc4571Framing framing = new Rfc4571Framing(MAX);
        List<byte[]> out = new ArrayList<>();
        int off = 0;
        while (off < stream.length)
        {
            int n = Math.min(stream.length - off, 1 + random.nextInt(3000));
            assertTrue(framing.feed(stream, off, n, (buf, len) -> out.add(Arrays.copyOf(buf, len))));
            off += n;
        }
        assertPackets(packets, out);
        assertEquals(0, framing.pending());
    }

    @Test
    void shouldHoldAPartialPacketUntilItsLastByte()
    {
        byte[] stream = frame(new byte[][] {PACKETS[2]});
        Rfc4571Framing framing = new Rfc4571Framing(MAX);
        List<byte[]> out = new ArrayList<>();
        framing.feed(stream, 0, 1, (buf, len) -> out.add(Arrays.copyOf(buf, len)));
        assertEquals(1, framing.pending(), "half a length field");
        framing.feed(stream, 1, 100, (buf, len) -> out.add(Arrays.copyOf(buf, len)));
        assertEquals(101, framing.pending(), "length field and 99 bytes");
        assertTrue(out.isEmpty());
        framing.feed(stream, 101, stream.length - 101, (buf, len) -> out.add(Arrays.copyOf(buf, len)));
        assertEquals(0, framing.pending());
        assertPackets(new byte[][] {PACKETS[2]}, out);
    }

    @Test
    void shouldSkipAnEmptyPacket()
    {
        byte[] stream = {0x00, 0x00, 0x00, 0x01, 0x42};
        List<byte[]> out = feedInCuts(new Rfc4571Framing(MAX), stream, new int[] {1});
        assertPackets(new byte[][] {{0x42}}, out);
    }

    @Test
    void shouldAcceptThePacketOfTheMaximumLength()
    {
        byte[] big = packet(MAX, 3);
        assertPackets(new byte[][] {big}, feedInCuts(new Rfc4571Framing(MAX), frame(new byte[][] {big}), new int[] {999}));
    }

    /** Lengths no WebRTC peer sends: the stream is broken for good, nothing after it is delivered. */
    @ParameterizedTest(name = "length {0}")
    @MethodSource("oversizedLengths")
    void shouldRejectALengthAboveTheMaximumForGood(int length)
    {
        Rfc4571Framing framing = new Rfc4571Framing(MAX);
        List<byte[]> out = new ArrayList<>();
        byte[] stream = {(byte) (length >>> 8), (byte) length, 1, 2, 3};
        assertFalse(framing.feed(stream, 0, stream.length, (buf, len) -> out.add(buf)));
        assertTrue(framing.broken());
        byte[] good = frame(new byte[][] {PACKETS[0]});
        assertFalse(framing.feed(good, 0, good.length, (buf, len) -> out.add(buf)), "still broken");
        assertTrue(out.isEmpty());
    }

    static Stream<Integer> oversizedLengths()
    {
        return Stream.of(MAX + 1, 4096, 0xFFFF);
    }

    @Test
    void shouldRefuseAnImpossibleMaximum()
    {
        assertThrows(IllegalArgumentException.class, () -> new Rfc4571Framing(0));
        assertThrows(IllegalArgumentException.class, () -> new Rfc4571Framing(0x10000));
    }

    private static List<byte[]> feedInCuts(Rfc4571Framing framing, byte[] stream, int[] cuts)
    {
        List<byte[]> out = new ArrayList<>();
        int off = 0;
        int c = 0;
        while (off < stream.length)
        {
            int n = Math.min(stream.length - off, cuts[Math.min(c++, cuts.length - 1)]);
            assertTrue(framing.feed(stream, off, n, (buf, len) -> out.add(Arrays.copyOf(buf, len))));
            off += n;
        }
        return out;
    }

    private static byte[] frame(byte[][] packets)
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[Rfc4571Framing.HEADER];
        for (byte[] p : packets)
        {
            Rfc4571Framing.writeHeader(header, 0, p.length);
            out.writeBytes(header);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] packet(int len, int seed)
    {
        byte[] p = new byte[len];
        for (int i = 0; i < len; i++)
        {
            p[i] = (byte) (seed + i * 31);
        }
        return p;
    }

    private static void assertPackets(byte[][] expected, List<byte[]> actual)
    {
        assertEquals(expected.length, actual.size(), "packets out");
        for (int i = 0; i < expected.length; i++)
        {
            assertArrayEquals(expected[i], actual.get(i), "packet " + i);
        }
    }
}
