package dev.relay.sfu.speaker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.sfu.allocation.SteadyStateAllocation;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DominantSpeakerDetectorTest {
    private static final long MS = 1_000_000L;
    private static final int PARTICIPANTS = 4;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int D = 3;

    /**
     * Participants A and B (and C, D if named) each send a packet every {@code ptime} ms, arriving
     * 0-6 ms late (seeded jitter), with level 127 (silence) unless a segment of the script says
     * otherwise; a later segment overrides an earlier one. A segment is {@code P:from-to:what}, in
     * ms, where what is a level, a range {@code lo-hi} (a random level per packet: speech), {@code
     * beep} (Chromium's fake microphone: 20 ms at 30 -dBov every 500 ms from {@code from}, silence
     * between), {@code dtx} (silence sent as Opus DTX: one packet per 400 ms) or {@code off} (no
     * packets). evaluate() runs every {@code every} ms.
     *
     * <p>Expected: the changes of dominant speaker in order, each as {@code P@from..to} (the time
     * window it must happen in), or {@code none}. Any extra change is a flap and fails.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Naming a speaker.
        "talker vs silence: named within 1 s | 20 | 100 | 3000 | A:0-3000:20-40 | A@0..1000",
        "the other one, evaluated every 300 ms | 20 | 300 | 3000 | B:0-3000:20-40 | B@0..1000",
        "a talker who starts later | 20 | 200 | 4000 | A:1500-4000:20-40 | A@1500..2500",
        "Chromium's beep vs silence | 20 | 100 | 3000 | A:0-3000:beep | A@0..1000",
        "the beep, first one late, evaluated every 300 ms | 20 | 300 | 3000 | B:480-3000:beep | B@480..1480",
        "the beep vs silence sent as DTX | 20 | 100 | 3000 | A:0-3000:beep B:0-3000:dtx | A@0..1000",
        "room noise is not speech | 20 | 100 | 3000 | A:0-3000:60-80 | none",
        "60 ms packets | 60 | 100 | 3000 | A:0-3000:20-40 | A@0..1000",
        // Switching.
        "the first stops, the other starts: switch in 1-1.5 s "
                + "| 20 | 100 | 6000 | A:0-3000:20-40 B:3000-6000:20-40 | A@0..1000 B@3000..4500",
        "the same, evaluated every 300 ms "
                + "| 20 | 300 | 6000 | A:0-3000:20-40 B:3000-6000:20-40 | A@0..1000 B@3000..4500",
        "the same with 60 ms packets "
                + "| 60 | 100 | 6000 | A:0-3000:20-40 B:3000-6000:20-40 | A@0..1000 B@3000..4500",
        "the same, a quiet talker taking over from a loud one "
                + "| 20 | 200 | 6000 | A:0-3000:15-25 B:3000-6000:40-47 | A@0..1000 B@3000..4500",
        "after a silence, the next talker "
                + "| 20 | 100 | 6000 | A:0-1500:20-40 B:4000-6000:20-40 | A@0..1000 B@4000..4500",
        // Not flapping.
        "pauses under 300 ms keep the talker "
                + "| 20 | 100 | 4000 | A:0-4000:20-40 A:1000-1250:127 A:2000-2280:127 A:3000-3290:off | A@0..1000",
        "nor give the floor back after a switch "
                + "| 20 | 100 | 7000 | A:0-3000:20-40 B:3000-7000:20-40 B:4500-4780:127 B:5500-5790:off "
                + "| A@0..1000 B@3000..4500",
        "a 250 ms interjection in the talker's pause "
                + "| 20 | 100 | 4000 | A:0-4000:20-40 A:2000-2250:127 B:2000-2250:20-40 | A@0..1000",
        "two talking at once: the first keeps the floor "
                + "| 20 | 100 | 4000 | A:0-4000:20-40 B:300-4000:20-40 | A@0..1000",
        "a cough while the talker talks | 20 | 100 | 4000 | A:0-4000:20-40 B:2000-2100:10 | A@0..1000",
        "a cough in the talker's pause "
                + "| 20 | 100 | 4000 | A:0-2000:20-40 A:2300-4000:20-40 B:2100-2200:10 | A@0..1000",
        "a cough 700 ms after the talker stopped | 20 | 100 | 4000 | A:0-2000:20-40 B:2700-2800:10 | A@0..1000",
        "a cough among four | 20 | 100 | 4000 | A:0-4000:20-40 C:1500-1600:5 D:2500-2600:5 | A@0..1000",
        "a cough long after the talker stopped | 20 | 100 | 5000 | A:0-1000:20-40 B:3000-3100:10 | A@0..1000",
        "the beep after the talker stopped | 20 | 100 | 5000 | A:0-1000:20-40 B:2000-5000:beep "
                + "| A@0..1000 B@2500..3200",
        "a talker after the talker stopped | 20 | 100 | 5000 | A:0-1000:20-40 B:3000-5000:20-40 "
                + "| A@0..1000 B@3000..3400",
    })
    void shouldNameTheDominantSpeaker(String name, int ptime, int every, int end, String script, String expected) {
        String changes = run(ptime, every, end, script);
        System.out.printf("%s: %s%n", name, changes.isEmpty() ? "none" : changes);
        assertTrue(matches(expected.trim(), changes), "changes: " + changes);
    }

    @Test
    void shouldForgetARemovedDominantSpeaker() {
        DominantSpeakerDetector detector = new DominantSpeakerDetector(PARTICIPANTS);
        detector.add(A);
        detector.add(B);
        long now = 0;
        for (; now < 1000 * MS; now += 20 * MS) {
            detector.onAudioLevel(A, 30, now);
            detector.onAudioLevel(B, 35, now);
            if (now % (100 * MS) == 0) {
                detector.evaluate(now);
            }
        }
        assertEquals(A, detector.dominant(), "equal activity: the lower index");

        detector.remove(A);
        assertEquals(DominantSpeakerDetector.NONE, detector.dominant());
        detector.onAudioLevel(A, 30, now);
        assertTrue(detector.evaluate(now));
        assertEquals(B, detector.dominant(), "the other talker, at once");

        detector.remove(B);
        assertTrue(detector.evaluate(now));
        assertEquals(DominantSpeakerDetector.NONE, detector.dominant());
        assertFalse(detector.evaluate(now + 100 * MS));

        detector.add(A);
        assertFalse(detector.evaluate(now + 200 * MS), "added again, with no history");
    }

    @Test
    void shouldListSpeakersLoudestFirst() {
        DominantSpeakerDetector detector = new DominantSpeakerDetector(PARTICIPANTS);
        for (int p = 0; p < PARTICIPANTS; p++) {
            detector.add(p);
        }
        long now = 0;
        for (; now < 1000 * MS; now += 20 * MS) {
            detector.onAudioLevel(A, 35, now);
            detector.onAudioLevel(B, 127, now);
            detector.onAudioLevel(C, 25, now);
            detector.onAudioLevel(D, 70, now);
        }
        int[] out = new int[PARTICIPANTS];
        assertEquals(2, detector.speakers(out, now));
        assertArrayEquals(new int[] {C, A}, Arrays.copyOf(out, 2), "B silent, D room noise");
        int[] one = new int[1];
        assertEquals(1, detector.speakers(one, now));
        assertEquals(C, one[0]);

        for (long end = now + 700 * MS; now < end; now += 20 * MS) {
            detector.onAudioLevel(A, 35, now);
            detector.onAudioLevel(C, 127, now);
        }
        assertEquals(1, detector.speakers(out, now), "C silent for 700 ms");
        assertEquals(A, out[0]);
    }

    @Test
    void shouldMapLevelsToSubbandsAndScoresThatGrow() {
        int[][] table = {
            // level (-dBov), active sub-bands
            {127, 0}, {76, 0}, {75, 1}, {60, 4}, {47, 8}, {48, 7}, {30, 12}, {27, 13}, {0, 13},
        };
        for (int[] row : table) {
            assertEquals(row[1], DominantSpeakerDetector.subbands(row[0]), "level " + row[0]);
        }
        int[] ns = {DominantSpeakerDetector.SUBBANDS, DominantSpeakerDetector.FRAMES_PER_BLOCK,
            DominantSpeakerDetector.BLOCKS};
        for (int interval = 0; interval < ns.length; interval++) {
            double[] scores = DominantSpeakerDetector.scores(ns[interval], DominantSpeakerDetector.LAMBDA[interval]);
            assertEquals(DominantSpeakerDetector.MIN_SCORE, scores[1], "one unit active is no speech: " + interval);
            assertTrue(scores[2] > DominantSpeakerDetector.MIN_SCORE, "two are: " + interval);
            for (int k = 2; k < scores.length; k++) {
                assertTrue(scores[k] > scores[k - 1], "grows with k: interval " + interval + " k " + k);
            }
        }
    }

    @Test
    void shouldNotAllocateInSteadyState() {
        int participants = 16;
        DominantSpeakerDetector detector = new DominantSpeakerDetector(participants);
        for (int p = 0; p < participants; p++) {
            detector.add(p);
        }
        int[] out = new int[participants];
        int frames = 5_000;
        long[] now = {0};
        int calls = frames * participants + frames / 5 * 2;
        long fewest = SteadyStateAllocation.quietestRound(5, round -> {
            for (int f = 0; f < frames; f++) {
                now[0] += 20 * MS;
                // The talker moves every 2 s; the rest are silent or murmur.
                int talker = (int) (now[0] / (2000 * MS)) % participants;
                for (int p = 0; p < participants; p++) {
                    int level = p == talker ? 20 + f % 20 : p % 3 == 0 ? 60 + f % 10 : 127;
                    detector.onAudioLevel(p, level, now[0] + p * 300_000L);
                }
                if (f % 5 == 0) {
                    detector.evaluate(now[0]);
                    detector.speakers(out, now[0]);
                }
            }
        });
        System.out.printf("%s: %d bytes in the quietest round of %d calls%n", "detector", fewest, calls);
        assertTrue(fewest < calls, "bytes allocated in the quietest round of " + calls + " calls: " + fewest);
    }

    private static String run(int ptime, int every, int end, String script) {
        String[] segments = script.trim().split(" +");
        DominantSpeakerDetector detector = new DominantSpeakerDetector(PARTICIPANTS);
        int participants = 2;
        for (String segment : segments) {
            participants = Math.max(participants, segment.charAt(0) - 'A' + 1);
        }
        for (int p = 0; p < participants; p++) {
            detector.add(p);
        }
        SplittableRandom random = new SplittableRandom(6464);
        long[] captured = new long[participants];
        long[] arrival = new long[participants];
        for (int p = 0; p < participants; p++) {
            captured[p] = p * 7;
            arrival[p] = captured[p] + random.nextInt(7);
        }
        StringBuilder changes = new StringBuilder();
        for (long ms = 0; ms <= end; ms++) {
            for (int p = 0; p < participants; p++) {
                while (arrival[p] == ms) {
                    int level = level(segments, p, captured[p], ptime, random);
                    if (level >= 0) {
                        detector.onAudioLevel(p, level, ms * MS);
                    }
                    captured[p] += ptime;
                    arrival[p] = captured[p] + random.nextInt(7);
                }
            }
            if (ms % every == 0 && detector.evaluate(ms * MS)) {
                int dominant = detector.dominant();
                changes.append(changes.length() > 0 ? " " : "")
                        .append(dominant == DominantSpeakerDetector.NONE ? '-' : (char) ('A' + dominant))
                        .append('@').append(ms);
            }
        }
        return changes.toString();
    }

    /** The level of participant p's packet captured at {@code t} ms, or -1 for no packet. */
    private static int level(String[] segments, int p, long t, int ptime, SplittableRandom random) {
        String what = "127";
        long from = 0;
        for (String segment : segments) {
            String[] parts = segment.split(":");
            String[] span = parts[1].split("-");
            long start = Long.parseLong(span[0]);
            if (parts[0].charAt(0) - 'A' == p && t >= start && t < Long.parseLong(span[1])) {
                what = parts[2];
                from = start;
            }
        }
        switch (what) {
            case "off":
                return -1;
            case "dtx":
                return t % 400 < ptime ? 127 : -1;
            case "beep": {
                // The packet holds the audio of [t - ptime, t); the latest beep before t, [b, b + 20).
                long b = from + Math.floorDiv(t - 1 - from, 500L) * 500;
                return b >= from && b + 20 > t - ptime ? 30 : 127;
            }
            default:
                int dash = what.indexOf('-');
                if (dash < 0) {
                    return Integer.parseInt(what);
                }
                int lo = Integer.parseInt(what.substring(0, dash));
                int hi = Integer.parseInt(what.substring(dash + 1));
                return lo + random.nextInt(hi - lo + 1);
        }
    }

    private static boolean matches(String expected, String changes) {
        if (expected.equals("none")) {
            return changes.isEmpty();
        }
        String[] want = expected.split(" ");
        String[] got = changes.isEmpty() ? new String[0] : changes.split(" ");
        if (want.length != got.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            String[] w = want[i].split("[@.]+");
            String[] g = got[i].split("@");
            long at = Long.parseLong(g[1]);
            if (!w[0].equals(g[0]) || at < Long.parseLong(w[1]) || at > Long.parseLong(w[2])) {
                return false;
            }
        }
        return true;
    }
}
