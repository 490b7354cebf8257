package dev.relay.sfu.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BandwidthAllocatorTest {
    private static final long MS = 1_000_000L;
    private static final int MAX_TRACKS = 8;
    private static final int MAX_LAYERS = 3;
    /** The web client's simulcast caps (docs/quality.md), in kbit/s. */
    private static final String CAM = "150,500,1500";

    /**
     * Tracks, one per slot from 0, space-separated: priority (s screen, a active speaker, n
     * normal) / cap / each layer's kbit/s, lowest first (0: not arriving), e.g. {@code n/2/150,500,1500}.
     *
     * <p>Steps, in order: {@code @ms} sets the clock; {@code =kbps} allocates with that estimate;
     * {@code cS:L} sets slot S's cap to L; {@code bS:L:kbps} sets one layer's bitrate; {@code xS}
     * removes slot S.
     *
     * <p>Expected, one per allocation: each slot's target (a digit, - paused, . removed), then !
     * if {@link BandwidthAllocator#deficient()}.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // Room enough.
        "all fit: each at its cap | n/2/" + CAM + " n/1/" + CAM + " a/0/" + CAM + " | =5000 | 210",
        "a cap of -1 pauses by request, not for bandwidth | n/2/" + CAM + " n/-1/" + CAM + " | =5000 | 2-",
        "a cap above the layers is the top layer | n/7/" + CAM + " | =5000 | 2",
        // Priority decides.
        "tight: screen to its cap first, then the speaker | n/2/" + CAM + " a/2/" + CAM + " s/2/" + CAM
                + " | =2600 | 012!",
        "tighter: everyone keeps the lowest layer | n/2/" + CAM + " a/2/" + CAM + " s/2/" + CAM
                + " | =900 | 001!",
        "equal priority: lower slot first | n/2/" + CAM + " n/2/" + CAM + " | =1000 | 10!",
        "nothing fits: lowest priority paused first | n/2/" + CAM + " a/2/" + CAM + " s/2/" + CAM
                + " | =200 | --0!",
        "nothing at all fits | n/2/" + CAM + " s/2/" + CAM + " | =100 | --!",
        "a big screen that does not fit leaves room for a small camera | s/0/1000 n/0/150 | =500 | -0!",
        "falling estimate: downgrades at once, lowest priority paused "
                + "| n/2/" + CAM + " a/2/" + CAM + " s/2/" + CAM + " | =6000 =2000 =320 =160 | 222 002! -00! --0!",
        // Layers not arriving.
        "an inactive middle layer is stepped over | n/2/150,0,1500 | =5000 =1000 | 2 0!",
        "an inactive top layer leaves the one below as best | n/2/150,500,0 | =5000 | 1",
        "an inactive lowest layer: the next is the lowest | n/2/0,500,1500 | =700 | 1!",
        "nothing arriving: paused, and nothing to probe for | n/2/0,0,0 | =5000 | -",
        "a layer stopping mid-call | n/2/" + CAM + " | =5000 b0:2:0 =5000 b0:2:1500 =5000 | 2 1 2",
        // Hysteresis.
        "an upgrade needs 10% headroom | n/0/1000 | =1050 =1099 =1100 | -! -! 0",
        "keeping a layer needs no headroom | n/2/" + CAM + " | =5000 =1500 =1450 | 2 2 1!",
        "oscillating estimate does not flap within the hold "
                + "| n/2/" + CAM + " | @0 =2000 @1000 =1400 @1500 =1700 @2000 =1400 @3000 =1700 @3499 =1700 "
                + "@3500 =1700 @4000 =1400 @5000 =2000 @6500 =2000 @6600 =2040 "
                + "| 2 1! 1! 1! 1! 1! 2 1! 1! 1! 2",
        "a paused track resumes only after the hold | n/0/500 | @0 =600 @100 =400 @1000 =600 @2600 =600 "
                + "| 0 -! -! 0",
        "the hold is per track | a/1/100,400 n/1/100,400 | @0 =1000 @100 =600 @200 =450 @2650 =1000 "
                + "| 11 10! 00! 01!",
        // Failed upgrades back off.
        "a failed upgrade is tried again only after the backoff "
                + "| n/2/" + CAM + " | @0 =1000 @3000 =1800 @4000 =1200 @10000 =1800 @23999 =1800 @24000 =1800 "
                + "| 1! 2 1! 1! 1! 2",
        "or once the estimate is a fifth above the one it failed at "
                + "| n/2/" + CAM + " | @0 =1000 @3000 =1800 @4000 =1200 @7000 =2159 @7200 =2160 "
                + "| 1! 2 1! 1! 2",
        "a layer below the failed one is not held back "
                + "| n/2/" + CAM + " | @0 =300 @3000 =1800 @4000 =300 @7000 =1000 "
                + "| 0! 2 0! 1!",
        "the backoff doubles with each failure in a row "
                + "| n/2/" + CAM + " | @0 =1000 @3000 =1800 @4000 =1200 @24000 =1800 @25000 =1200 "
                + "@64999 =1800 @65000 =1800 | 1! 2 1! 2 1! 1! 2",
        "an upgrade that holds clears the backoff "
                + "| n/2/" + CAM + " | @0 =1000 @3000 =1800 @4000 =1200 @24000 =1800 @29000 =1800 "
                + "@30000 =1200 @31000 =1800 @33000 =1800 | 1! 2 1! 2 2 1! 1! 2",
        "a downgrade long after the upgrade is no failure "
                + "| n/2/" + CAM + " | @0 =1000 @3000 =1800 @9000 =1200 @12000 =1800 | 1! 2 1! 2",
        "resuming a paused track is no try "
                + "| n/0/500 | @0 =300 @3000 =600 @4000 =300 @7000 =600 | -! 0 -! 0",
        // Caps.
        "a lower cap is not a bandwidth downgrade: no hold | n/2/" + CAM + " | @0 =5000 c0:0 @100 =5000 c0:2 @200 =5000 "
                + "| 2 0 2",
        "a removed track gives its share to the rest | n/2/" + CAM + " n/2/" + CAM + " | =2200 x0 =2200 | 21! .2",
    })
    void shouldAllocate(String name, String tracks, String steps, String expected) {
        assertEquals(expected.trim(), run(tracks, steps));
    }

    @Test
    void shouldReportChangesAndAllocatedBitrate() {
        BandwidthAllocator allocator = new BandwidthAllocator(MAX_TRACKS, MAX_LAYERS);
        allocator.setTrack(0, BandwidthAllocator.PRIORITY_SCREEN, 2, new long[] {150_000, 500_000, 1_500_000});
        allocator.setTrack(3, BandwidthAllocator.PRIORITY_NORMAL, 1, new long[] {100_000, 300_000});

        assertTrue(allocator.allocate(5_000_000, 0));
        assertEquals(1_800_000, allocator.allocatedBps());
        assertFalse(allocator.deficient());
        assertFalse(allocator.allocate(5_000_000, 100 * MS), "same estimate, same targets");

        assertTrue(allocator.allocate(700_000, 200 * MS));
        assertEquals(1, allocator.target(0));
        assertEquals(0, allocator.target(3));
        assertEquals(600_000, allocator.allocatedBps());
        assertTrue(allocator.deficient());
        assertEquals(BandwidthAllocator.PAUSED, allocator.target(5), "an empty slot");
    }

    @Test
    void shouldNotAllocateInSteadyState() {
        BandwidthAllocator allocator = new BandwidthAllocator(MAX_TRACKS, MAX_LAYERS);
        long[] bps = {150_000, 500_000, 1_500_000};
        for (int slot = 0; slot < MAX_TRACKS; slot++) {
            allocator.setTrack(slot, slot % 3, 2, bps);
        }
        int calls = 20_000;
        long[] now = {0};
        long fewest = SteadyStateAllocation.quietestRound(5, round -> {
            for (int i = 0; i < calls; i++) {
                now[0] += 50 * MS;
                // The estimate wanders between 0.3 and 12 Mbit/s; a layer stops and returns.
                long estimate = 300_000 + (i * 7919L % 40) * 300_000;
                allocator.setLayerBps(i % MAX_TRACKS, 2, i % 5 == 0 ? 0 : 1_500_000);
                allocator.allocate(estimate, now[0]);
                allocator.setTrack(i % MAX_TRACKS, i % 3, i % 4 - 1, bps);
            }
        });
        System.out.printf("%s: %d bytes in the quietest round of %d calls%n", "allocator", fewest, calls);
        assertTrue(fewest < calls, "bytes allocated in the quietest round of " + calls + " calls: " + fewest);
    }

    private static String run(String tracks, String steps) {
        BandwidthAllocator allocator = new BandwidthAllocator(MAX_TRACKS, MAX_LAYERS);
        String[] specs = tracks.trim().split(" +");
        boolean[] removed = new boolean[specs.length];
        for (int slot = 0; slot < specs.length; slot++) {
            String[] parts = specs[slot].split("/");
            allocator.setTrack(slot, priority(parts[0]), Integer.parseInt(parts[1]), kbps(parts[2]));
        }
        long now = 0;
        StringBuilder out = new StringBuilder();
        for (String step : steps.trim().split(" +")) {
            char kind = step.charAt(0);
            String arg = step.substring(1);
            if (kind == '@') {
                now = Long.parseLong(arg) * MS;
            } else if (kind == '=') {
                allocator.allocate(Long.parseLong(arg) * 1000, now);
                if (out.length() > 0) {
                    out.append(' ');
                }
                for (int slot = 0; slot < specs.length; slot++) {
                    int target = allocator.target(slot);
                    out.append(removed[slot] ? '.' : target == BandwidthAllocator.PAUSED ? '-' : (char) ('0' + target));
                }
                if (allocator.deficient()) {
                    out.append('!');
                }
            } else if (kind == 'c') {
                String[] p = arg.split(":");
                int slot = Integer.parseInt(p[0]);
                String[] parts = specs[slot].split("/");
                allocator.setTrack(slot, priority(parts[0]), Integer.parseInt(p[1]), kbps(parts[2]));
            } else if (kind == 'b') {
                String[] p = arg.split(":");
                allocator.setLayerBps(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Long.parseLong(p[2]) * 1000);
            } else if (kind == 'x') {
                int slot = Integer.parseInt(arg);
                allocator.removeTrack(slot);
                removed[slot] = true;
            } else {
                throw new IllegalArgumentException("step " + step);
            }
        }
        return out.toString();
    }

    private static int priority(String code) {
        switch (code) {
            case "s":
                return BandwidthAllocator.PRIORITY_SCREEN;
            case "a":
                return BandwidthAllocator.PRIORITY_SPEAKER;
            case "n":
                return BandwidthAllocator.PRIORITY_NORMAL;
            default:
                throw new IllegalArgumentException("priority " + code);
        }
    }

    private static long[] kbps(String list) {
        String[] parts = list.split(",");
        long[] bps = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bps[i] = Long.parseLong(parts[i]) * 1000;
        }
        return bps;
    }
}
