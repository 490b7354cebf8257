package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.SeqNum;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NackGeneratorTest {
    private static final long MS = 1_000_000L;
    /**
     * Small enough to overflow in a table row: 8 missing numbers, first NACK after 10 ms or at
     * once for a gap of 5, retries every max(RTT or 100 ms, 20 ms), 3 NACKs, 1 s, jumps over 100
     * restart.
     */
    private static final NackGenerator.Config SMALL =
            new NackGenerator.Config(8, 10 * MS, 5, 20 * MS, 100 * MS, 3, 1000 * MS, 100);

    private final NackGenerator generator = new NackGenerator(SMALL);

    /**
     * Steps: "r<seq>" a packet arrives ("r<a>-<b>" each of a..b in order), "t<ms>" sets the clock,
     * "T<ms>" sets the RTT (0: unknown), "p" polls. Each poll answers the numbers it NACKs, joined
     * by commas, or "-" for none, followed by "!" when a keyframe request is raised.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "in order nothing is missing                  | r1-10 p                                   | -",
        "a duplicate changes nothing                  | r1 r1 r2 t50 p                            | -",
        "a gap waits for the reorder delay            | r1 r3 p t9 p t10 p                        | - - 2",
        "a reordered packet is never NACKed           | r1 r3 t5 r2 t10 p                         | -",
        "a gap of 5 is NACKed at once                 | r1 r7 p                                   | 2,3,4,5,6",
        "a gap of 4 waits                             | r1 r6 p t10 p                             | - 2,3,4,5",
        "several gaps go into one NACK in order       | r1 r3 r5 r6 r9 t10 p                      | 2,4,7,8",
        "a retry follows after 100 ms, RTT unknown    | r1 r3 t10 p t109 p t110 p                 | 2 - 2",
        "a known RTT sets the retry interval          | T30 r1 r3 t10 p t39 p t40 p               | 2 - 2",
        "a short RTT retries no faster than 20 ms     | T5 r1 r3 t10 p t29 p t30 p                | 2 - 2",
        "an arrival after a NACK stops the retries    | r1 r3 t10 p t50 r2 t110 p                 | 2 -",
        "newer gaps keep their own schedule           | r1 r3 t10 p r5 t20 p t110 p t120 p        | 2 4 2 4",
        "given up after 3 NACKs, then a keyframe      | r1 r3 t10 p t110 p t210 p t309 p t310 p   | 2 2 2 - -!",
        "given up 1 s after it went missing           | T400 r1 r3 t10 p t410 p t810 p t999 p t1000 p | 2 2 2 - -!",
        "an age limit hits numbers never NACKed too   | r1 r3 t1000 p                             | -!",
        "sequence numbers wrap                        | r65533 r1 t10 p                           | 65534,65535,0",
        "a jump over 100 restarts without NACKs       | r1 r3 r200 t10 p                          | -!",
        "after a restart gaps are found again         | r1 r3 r200 t10 p r202 t20 p               | -! 201",
        "a jump of 100 is a gap, the newest 8 kept    | r1 r101 p                                 | 93,94,95,96,97,98,99,100!",
        "a full list drops its oldest                 | r1 r3 r5 r7 r9 r11 r13 r15 r17 r19 t10 p  | 4,6,8,10,12,14,16,18!",
        "a lone packet far behind is ignored          | r500 r300 t10 p r501 t20 p                | - -",
        "a restart back is confirmed by the next one  | r500 r300 r301 r303 t10 p                 | 302!",
        "a late packet within 100 back is no restart  | r500 r502 r450 t10 p                      | 501",
        "negative clock values work (nanoTime)        | t-1000 r1 r3 t-991 p t-990 p              | - 2",
    })
    void shouldNackWhatIsMissingOnSchedule(String name, String steps, String expected) {
        long now = 0;
        int[] out = new int[64];
        StringBuilder actual = new StringBuilder();
        for (String step : steps.trim().split(" +")) {
            char kind = step.charAt(0);
            if (kind == 'p') {
                int count = generator.poll(now, out);
                String result = count == 0 ? "-" : String.join(",",
                        Arrays.stream(out, 0, count).mapToObj(Integer::toString).toArray(String[]::new));
                if (generator.takeKeyframeRequest()) {
                    result += "!";
                }
                actual.append(actual.length() == 0 ? "" : " ").append(result);
                continue;
            }
            String argument = step.substring(1);
            switch (kind) {
                case 't' -> now = Long.parseLong(argument) * MS;
                case 'T' -> generator.rttNanos(Long.parseLong(argument) * MS);
                case 'r' -> {
                    String[] range = argument.split("-");
                    int from = Integer.parseInt(range[0]);
                    int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
                    for (int seq = from; seq <= to; seq++) {
                        generator.received(seq & 0xFFFF, now);
                    }
                }
                default -> throw new IllegalArgumentException(step);
            }
        }
        assertEquals(expected.trim(), actual.toString());
    }

    @Test
    void shouldSayWhenAPollIsDue() {
        assertFalse(generator.isDue(0));
        generator.received(1, 0);
        generator.received(3, 0);

        assertFalse(generator.isDue(9 * MS));
        assertTrue(generator.isDue(10 * MS));
        assertEquals(10 * MS, generator.nextDueNanos());
        assertEquals(1, generator.poll(10 * MS, new int[4]));
        assertFalse(generator.isDue(109 * MS));
        assertTrue(generator.isDue(110 * MS));
        generator.received(2, 50 * MS);
        assertFalse(generator.isDue(110 * MS), "nothing missing");
    }

    @Test
    void shouldKeepWhatDidNotFitDueForTheNextPoll() {
        generator.received(1, 0);
        generator.received(8, 0);
        int[] out = new int[4];

        assertEquals(4, generator.poll(0, out));
        assertArrayEquals(new int[] {2, 3, 4, 5}, out);
        assertTrue(generator.isDue(0));
        assertEquals(2, generator.poll(0, out));
        assertArrayEquals(new int[] {6, 7}, Arrays.copyOf(out, 2));
        assertFalse(generator.isDue(0));
    }

    @Test
    void shouldAccountForEveryMissingNumber() {
        generator.received(1, 0);
        generator.received(4, 0);           // 2, 3 missing
        generator.received(2, 5 * MS);      // 2 reordered
        generator.poll(10 * MS, new int[8]); // NACK 3
        generator.received(3, 20 * MS);     // 3 recovered
        generator.received(6, 20 * MS);     // 5 missing
        for (long t = 30; t <= 400; t += 10) {
            generator.poll(t * MS, new int[8]); // 5 NACKed 3 times, then given up
        }
        generator.received(20, 400 * MS);   // 7..19: 13 missing, 5 dropped, 8 kept
        generator.received(200, 400 * MS);  // restart: the 8 dropped

        assertEquals(1, generator.reordered());
        assertEquals(1, generator.recovered());
        assertEquals(1, generator.gaveUp());
        assertEquals(13, generator.dropped());
        assertEquals(1 + 3, generator.nacked());
        assertEquals(1, generator.resets());
        assertEquals(0, generator.missingCount());
        assertTrue(generator.takeKeyframeRequest());
        assertFalse(generator.takeKeyframeRequest());
    }

    /**
     * A stream with random loss, reordering and retransmissions, checked against what was sent:
     * only numbers not yet received are NACKed, each at most maxNacks times and within its
     * limits, in order within a NACK, and the list never holds more than its capacity.
     */
    @Test
    void shouldOnlyNackWhatIsMissingOnARandomStream() {
        // The defaults but for 4 NACKs 30 ms apart, so that the NACK limit, not the age, ends them.
        NackGenerator.Config config = new NackGenerator.Config(256, 10 * MS, 5, 20 * MS, 100 * MS, 4, 1000 * MS, 1000);
        NackGenerator nacks = new NackGenerator(config);
        nacks.rttNanos(30 * MS);
        Random random = new Random(4585);
        BitSet received = new BitSet();
        int[] nackCount = new int[200_000];
        int[] out = new int[64];
        int start = 65_000;
        int delayed = -1;
        long now = 0;
        for (int n = 0; n < 100_000; n++) {
            now += 2 * MS;
            if (random.nextInt(100) < 3) {
                if (delayed < 0) {
                    delayed = n;
                }
            } else {
                deliver(nacks, received, start, n, now);
            }
            if (delayed >= 0 && random.nextInt(4) == 0) {
                // Reordered by a few packets, or lost for good.
                if (random.nextBoolean()) {
                    deliver(nacks, received, start, delayed, now);
                }
                delayed = -1;
            }
            if (nacks.isDue(now)) {
                int count = nacks.poll(now, out);
                int previous = -1;
                for (int i = 0; i < count; i++) {
                    int index = unwrap(start, n, out[i]);
                    assertFalse(received.get(index), "NACKed a received packet " + out[i]);
                    assertTrue(++nackCount[index] <= config.maxNacks(), "NACKed too often " + out[i]);
                    assertTrue(previous < index, "in order");
                    // Sent at (index + 1) * 2 ms; found missing within a few packets of that.
                    assertTrue(index <= n && now - (index + 1) * 2 * MS <= config.maxAgeNanos() + 50 * MS,
                            "NACKed past its age " + out[i]);
                    previous = index;
                    // A retransmission arrives for half of them.
                    if (random.nextBoolean()) {
                        deliver(nacks, received, start, index, now);
                    }
                }
            }
            assertTrue(nacks.missingCount() <= config.capacity());
        }
        assertTrue(nacks.nacked() > 1000, "nacked " + nacks.nacked());
        assertTrue(nacks.recovered() > 500, "recovered " + nacks.recovered());
        assertEquals(0, nacks.resets());
        assertTrue(nacks.gaveUp() > 100, "gave up " + nacks.gaveUp());
    }

    private static void deliver(NackGenerator nacks, BitSet received, int start, int index, long now) {
        received.set(index);
        nacks.received((start + index) & 0xFFFF, now);
    }

    /** The stream index of 16-bit number {@code seq}, near index {@code near}. */
    private static int unwrap(int start, int near, int seq) {
        return near + SeqNum.diff(seq, (start + near) & 0xFFFF);
    }

    @Test
    void shouldRejectBadConfig() {
        assertThrows(IllegalArgumentException.class, () -> new NackGenerator.Config(100, MS, 5, MS, MS, 3, MS, 100));
        assertThrows(IllegalArgumentException.class, () -> new NackGenerator.Config(8, MS, 0, MS, MS, 3, MS, 100));
        assertThrows(IllegalArgumentException.class, () -> new NackGenerator.Config(8, MS, 5, MS, MS, 0, MS, 100));
        assertThrows(IllegalArgumentException.class, () -> new NackGenerator.Config(8, MS, 5, MS, MS, 3, MS, 40000));
    }

    /** Receiving and polling allocate nothing after construction: it runs per packet. */
    @Test
    void shouldRunWithoutAllocating() {
        NackGenerator nacks = new NackGenerator();
        int[] out = new int[64];
        long[] sink = {0};
        int iterations = 200_000;
        long allocated = ThreadAllocation.ofSecondRound(round -> {
            for (int i = 0; i < iterations; i++) {
                int n = round * iterations + i;
                long now = n * MS;
                if (n % 10 != 3) {
                    nacks.received(n & 0xFFFF, now);
                }
                if (n % 7 == 0) {
                    nacks.received((n - 4) & 0xFFFF, now);
                }
                if (nacks.isDue(now)) {
                    sink[0] += nacks.poll(now, out);
                }
            }
        });
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over " + iterations + " packets");
        assertTrue(sink[0] > 0);
    }
}
