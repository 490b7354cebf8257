package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PacketCacheTest {
    private static final long MS = 1_000_000L;
    private static final int CAPACITY = 8;
    private static final int SLOT_BYTES = 32;

    private final PacketCache cache = new PacketCache(CAPACITY, SLOT_BYTES, 1000 * MS);

    /**
     * Steps: "p<seq>" puts a packet, "P<seq>" puts one longer than a slot, "g<seq>" gets,
     * "t<ms>" sets the clock. A put answers S (stored), D (duplicate), B (too far behind) or X
     * (too large); a get answers H (hit, with that packet's bytes), N (not received),
     * O (overwritten), E (expired) or L (too large). The cache holds 8 packets for 1000 ms.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an empty cache has nothing                | g5                              | N",
        "a packet put is found                     | p1 g1                           | S H",
        "a gap is not received                     | p1 p3 g2                        | S S N",
        "newer than anything put is not received   | p1 g2                           | S N",
        "the last 8 are kept, the 9th back is gone | p0 p1 p2 p3 p4 p5 p6 p7 p8 g0 g1 g8 | S S S S S S S S S O H H",
        "a jump forward reuses the slot            | p0 p8 g0 g8                     | S S O H",
        "a jump over the window hides all before   | p1 p2 p5 p30001 g2 g5 g30001    | S S S S O O H",
        "a gap within the window stays a miss      | p1 p2 p5 g2 g3 g4 g5            | S S S H N N H",
        "age limit is inclusive                    | p1 t1000 g1 t1001 g1            | S H E",
        "each packet ages from its own put         | p1 t600 p2 t1200 g1 g2          | S S E H",
        "a long packet is counted, not kept        | P1 g1 p2 g2                     | X L S H",
        "a duplicate keeps the first copy          | p1 p1 g1                        | S D H",
        "sequence numbers wrap                     | p65534 p65535 p0 p1 g65534 g65535 g0 g1 | S S S S H H H H",
        "a get across the wrap looks back          | p65535 p3 g65535 g0             | S S H N",
        "a late packet within the window is kept   | p10 p12 p11 g11 g12             | S S S H H",
        "a late packet beyond the window is not    | p20 p10 g10 g20                 | S B O H",
        "a restart is confirmed by the next packet | p40000 p10000 p10001 g10001 g10000 g40000 | S B S H N N",
        "a lone stray packet far behind is ignored | p40000 p10000 p40001 p10001 g40001 | S B S B H",
        "after a restart old slots never match     | p8 p9 p40000 p40001 g40001 g40000 g9 | S S B S H N N",
        "negative clock values work (nanoTime)     | t-5000 p1 t-4000 g1 t-3999 g1   | S H E",
    })
    void shouldAnswerFromTheLastPacketsWithinTheAgeLimit(String name, String steps, String expected) {
        long now = 0;
        StringBuilder actual = new StringBuilder();
        for (String step : steps.trim().split(" +")) {
            int value = Integer.parseInt(step.substring(1));
            String result = null;
            switch (step.charAt(0)) {
                case 't' -> now = value * MS;
                case 'p', 'P' -> {
                    byte[] packet = packet(value, step.charAt(0) == 'P' ? SLOT_BYTES + 1 : length(value));
                    long storedBefore = cache.stored();
                    long duplicatesBefore = cache.duplicates();
                    long tooLargeBefore = cache.tooLarge();
                    boolean stored = cache.put(packet, 0, packet.length, value, now);
                    if (stored) {
                        result = "S";
                    } else if (cache.duplicates() > duplicatesBefore) {
                        result = "D";
                    } else if (cache.tooLarge() > tooLargeBefore) {
                        result = "X";
                    } else {
                        result = "B";
                    }
                    assertEquals(stored, cache.stored() == storedBefore + 1, step);
                }
                case 'g' -> {
                    int at = cache.get(value, now);
                    result = switch (at) {
                        case PacketCache.NOT_RECEIVED -> "N";
                        case PacketCache.OVERWRITTEN -> "O";
                        case PacketCache.EXPIRED -> "E";
                        case PacketCache.TOO_LARGE -> "L";
                        default -> {
                            byte[] want = packet(value, length(value));
                            assertEquals(want.length, cache.lastLength(), step);
                            assertArrayEquals(want, Arrays.copyOfRange(cache.buffer(), at, at + cache.lastLength()), step);
                            yield "H";
                        }
                    };
                    if (at < 0) {
                        assertEquals(-1, cache.lastLength(), step);
                    }
                }
                default -> throw new IllegalArgumentException(step);
            }
            if (result != null) {
                actual.append(actual.length() == 0 ? "" : " ").append(result);
            }
        }
        assertEquals(expected.trim(), actual.toString());
    }

    @Test
    void shouldCountWhatItDidNotKeep() {
        byte[] small = packet(1, 20);
        byte[] large = packet(2, SLOT_BYTES + 1);
        cache.put(small, 0, small.length, 1, 0);
        cache.put(small, 0, small.length, 1, 0);
        cache.put(large, 0, large.length, 2, 0);
        cache.put(small, 0, small.length, 60000, 0);
        cache.put(small, 0, small.length, 60001, 0);

        assertEquals(2, cache.stored());
        assertEquals(1, cache.duplicates());
        assertEquals(1, cache.tooLarge());
        assertEquals(1, cache.tooOld());
        assertEquals(1, cache.restarts());
    }

    @Test
    void shouldKeepAPacketOfExactlyTheSlotSize() {
        byte[] packet = packet(7, SLOT_BYTES);

        assertTrue(cache.put(packet, 0, packet.length, 7, 0));
        int at = cache.get(7, 0);
        assertEquals(SLOT_BYTES, cache.lastLength());
        assertArrayEquals(packet, Arrays.copyOfRange(cache.buffer(), at, at + SLOT_BYTES));
    }

    @Test
    void shouldCopyFromAnOffsetAndNotKeepTheCallersBuffer() {
        byte[] buf = new byte[64];
        byte[] packet = packet(3, 20);
        System.arraycopy(packet, 0, buf, 9, packet.length);

        assertTrue(cache.put(buf, 9, packet.length, 3, 0));
        Arrays.fill(buf, (byte) 0);
        int at = cache.get(3, 0);
        assertArrayEquals(packet, Arrays.copyOfRange(cache.buffer(), at, at + cache.lastLength()));
    }

    @Test
    void shouldRefuseRangesOutsideTheBuffer() {
        byte[] buf = new byte[20];

        assertFalse(cache.put(buf, 1, 20, 1, 0));
        assertFalse(cache.put(buf, -1, 10, 1, 0));
        assertFalse(cache.put(buf, 0, -1, 1, 0));
        assertFalse(cache.put(buf, 0, 0, 1, 0));
        assertFalse(cache.put(buf, Integer.MAX_VALUE, 2, 1, 0));
        assertFalse(cache.put(null, 0, 10, 1, 0));
        assertEquals(PacketCache.NOT_RECEIVED, cache.get(1, 0));
    }

    @Test
    void shouldRejectCapacityThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new PacketCache(500, 1500, 1));
        assertThrows(IllegalArgumentException.class, () -> new PacketCache(0, 1500, 1));
        assertThrows(IllegalArgumentException.class, () -> new PacketCache(1 << 16, 1500, 1));
        assertThrows(IllegalArgumentException.class, () -> new PacketCache(8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PacketCache(8, 1500, 0));
        assertEquals(512, new PacketCache().capacity());
        assertEquals(1500, new PacketCache().maxPacketBytes());
    }

    /** After warm-up a put and a get allocate nothing: the retransmission path is steady state. */
    @Test
    void shouldPutAndGetWithoutAllocating() {
        PacketCache big = new PacketCache();
        byte[] packet = packet(0, 1200);
        long[] sink = {0};
        int iterations = 200_000;
        long allocated = ThreadAllocation.ofSecondRound(round -> {
            for (int i = 0; i < iterations; i++) {
                int seq = (round * iterations + i) & 0xFFFF;
                big.put(packet, 0, packet.length, seq, i * 1000L);
                sink[0] += big.get((seq - 100) & 0xFFFF, i * 1000L) + big.lastLength();
            }
        });
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over " + iterations + " put+get");
        assertTrue(sink[0] != 0);
    }

    private static int length(int seq) {
        return 12 + seq % 7;
    }

    /** A packet whose bytes name its sequence number, so that a hit shows it is the right one. */
    private static byte[] packet(int seq, int length) {
        byte[] packet = new byte[length];
        for (int i = 0; i < length; i++) {
            packet[i] = (byte) (seq * 31 + i);
        }
        return packet;
    }
}
