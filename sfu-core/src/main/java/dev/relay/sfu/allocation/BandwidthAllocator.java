package dev.relay.sfu.allocation;

import java.util.Arrays;

/**
 * Shares one subscriber's downlink bandwidth estimate among the simulcast video tracks it
 * receives: for each track slot, which spatial layer (encoding index, lowest first, RFC 8853) is
 * its target, or {@link #PAUSED}. One instance per subscriber; worker thread only; pure logic over
 * the caller's clock; nothing allocated after construction.
 *
 * <p>Each {@link #allocate} runs two passes over the tracks in priority order (higher
 * {@code priority} first, then lower slot index), with a budget that starts at the estimate:
 * <ol>
 * <li><b>Lowest layers.</b> Each track gets its lowest usable layer if it fits in what is left,
 *     else it is paused. A track that does not fit does not stop the pass: a smaller track of
 *     lower priority may still fit behind it. So when the estimate falls, the lowest-priority
 *     videos are paused first and the highest keep their lowest layer longest.</li>
 * <li><b>Upgrades.</b> Each track in turn is raised as far as its cap and the budget allow, so a
 *     screen share reaches its cap before the speaker's camera gets more than its lowest layer,
 *     and the speaker before the rest.</li>
 * </ol>
 * A layer is usable if it is at or below the track's cap ({@code maxLayer}, what the subscriber
 * asked for) and its measured bitrate is above zero; a layer the publisher is not sending now is
 * stepped over, never chosen.
 *
 * <p>Hysteresis, so a target does not flap while the estimate wobbles around a layer's cost:
 * <ul>
 * <li>A <b>downgrade</b> happens at once: a sum over the estimate means queues fill and packets
 *     are lost now (the estimate is the sender-side delay-based rate, draft-ietf-rmcat-gcc-02 §5).</li>
 * <li>An <b>upgrade</b> (any target above the previous one, resuming a paused track included)
 *     needs the estimate to cover the new total with {@link #UPGRADE_HEADROOM_PERCENT} to spare,
 *     and the track's last bandwidth downgrade to be at least {@link #UPGRADE_HOLD_NANOS} old. The
 *     headroom keeps a layer whose cost sits right at the estimate from being taken and dropped
 *     on alternate runs; the hold keeps a link that has just shown its limit from being refilled
 *     before the estimator has probed it again. Keeping the previous target needs no headroom.</li>
 * </ul>
 * A target lowered because the subscriber lowered its cap is not a bandwidth downgrade and starts
 * no hold.
 *
 * <p>A <b>failed upgrade</b>, one a bandwidth downgrade undoes within {@link #FAILED_UPGRADE_NANOS},
 * shows that the link does not carry that layer, even though its steady bitrate looked as if it
 * fit: switching up costs a keyframe of the new layer, a burst several times its usual rate, and
 * a link near its limit loses it and freezes the picture. So that a viewer on such a link sees
 * that freeze once rather than every few seconds, the track does not try that layer (or any
 * above) again until {@link #RETRY_BACKOFF_NANOS} have passed (doubling with each failure in a
 * row, up to {@link #MAX_RETRY_BACKOFF_NANOS}), or sooner once the estimate is
 * {@link #RETRY_ESTIMATE_PERCENT} of what it was at the failed try: the link grew. An upgrade that
 * holds for {@link #FAILED_UPGRADE_NANOS} clears the count. Resuming a paused track is not a try.
 *
 * <p>{@link #deficient()} tells the caller that some track is below the best layer it could use,
 * for bandwidth or hold: the moment to let the estimator probe for more.
 */
public final class BandwidthAllocator {
    public static final int PAUSED = -1;

    public static final int PRIORITY_NORMAL = 0;
    public static final int PRIORITY_SPEAKER = 1;
    public static final int PRIORITY_SCREEN = 2;

    /** An upgrade needs the estimate to be at least the new total plus this share of it. */
    public static final int UPGRADE_HEADROOM_PERCENT = 10;
    /**
     * No upgrade of a track within this time after its last bandwidth downgrade: longer than the
     * few hundred milliseconds a delay-based estimate takes to fall and recover after a queue
     * drains, short enough that a viewer sees the picture come back soon after the link does.
     */
    public static final long UPGRADE_HOLD_NANOS = 2_500_000_000L;
    /** An upgrade undone by a bandwidth downgrade within this time failed. */
    public static final long FAILED_UPGRADE_NANOS = 5_000_000_000L;
    /** After a first failed upgrade, the track tries that layer again only after this long... */
    public static final long RETRY_BACKOFF_NANOS = 20_000_000_000L;
    /** The backoff doubles this many times at most: 20, 40, then 80 s. */
    private static final int MAX_BACKOFF_DOUBLINGS = 2;
    public static final long MAX_RETRY_BACKOFF_NANOS = RETRY_BACKOFF_NANOS << MAX_BACKOFF_DOUBLINGS;
    /** ...or once the estimate is this share of the one the failed upgrade was taken at. */
    public static final int RETRY_ESTIMATE_PERCENT = 120;

    private static final int NONE = Integer.MAX_VALUE;

    private final int maxTracks;
    private final int maxLayers;

    private final boolean[] present;
    private final int[] priority;
    private final int[] maxLayer;
    /** maxTracks rows of maxLayers bitrates, flattened. */
    private final long[] layerBps;
    private final int[] target;
    private final boolean[] downgraded;
    private final long[] lastDowngradeNanos;
    /** The last upgrade still on trial: its layer (PAUSED if none), when, and at what estimate. */
    private final int[] triedLayer;
    private final long[] triedNanos;
    private final long[] triedBps;
    /** After failed upgrades: layers from {@code blockedFrom} up wait until the time or the estimate. */
    private final int[] failures;
    private final int[] blockedFrom;
    private final long[] blockedUntilNanos;
    private final long[] unblockBps;

    /** Scratch for one allocate(): the slots in priority order, and each one's proposal. */
    private final int[] order;
    private final int[] proposed;

    private long allocatedBps;
    private boolean deficient;

    /**
     * @param maxTracks video tracks one subscriber may receive at once (slots 0..maxTracks-1).
     * @param maxLayers simulcast layers per track (4 at most in the web client's offers).
     */
    public BandwidthAllocator(int maxTracks, int maxLayers) {
        if (maxTracks <= 0 || maxLayers <= 0) {
            throw new IllegalArgumentException("maxTracks and maxLayers must be positive: "
                    + maxTracks + ", " + maxLayers);
        }
        this.maxTracks = maxTracks;
        this.maxLayers = maxLayers;
        this.present = new boolean[maxTracks];
        this.priority = new int[maxTracks];
        this.maxLayer = new int[maxTracks];
        this.layerBps = new long[maxTracks * maxLayers];
        this.target = new int[maxTracks];
        this.downgraded = new boolean[maxTracks];
        this.lastDowngradeNanos = new long[maxTracks];
        this.triedLayer = new int[maxTracks];
        this.triedNanos = new long[maxTracks];
        this.triedBps = new long[maxTracks];
        this.failures = new int[maxTracks];
        this.blockedFrom = new int[maxTracks];
        this.blockedUntilNanos = new long[maxTracks];
        this.unblockBps = new long[maxTracks];
        Arrays.fill(triedLayer, PAUSED);
        Arrays.fill(blockedFrom, NONE);
        this.order = new int[maxTracks];
        this.proposed = new int[maxTracks];
        Arrays.fill(target, PAUSED);
    }

    /**
     * Adds a track or updates one; a known slot keeps its target and hold.
     *
     * @param maxLayer the highest layer the subscriber wants; -1 wants none (paused by request).
     * @param bps      the measured bitrate of each layer, lowest first, 0 when not arriving; copied.
     *                 Layers beyond {@code bps.length} count as not arriving.
     */
    public void setTrack(int slot, int priority, int maxLayer, long[] bps) {
        checkSlot(slot);
        if (!present[slot]) {
            present[slot] = true;
            target[slot] = PAUSED;
            downgraded[slot] = false;
            triedLayer[slot] = PAUSED;
            failures[slot] = 0;
            blockedFrom[slot] = NONE;
        }
        this.priority[slot] = priority;
        this.maxLayer[slot] = Math.min(maxLayer, maxLayers - 1);
        int base = slot * maxLayers;
        int n = Math.min(bps.length, maxLayers);
        for (int layer = 0; layer < maxLayers; layer++) {
            layerBps[base + layer] = layer < n ? Math.max(0, bps[layer]) : 0;
        }
    }

    /** Updates one layer's measured bitrate of a present track (0: not arriving). */
    public void setLayerBps(int slot, int layer, long bps) {
        checkSlot(slot);
        if (layer >= 0 && layer < maxLayers) {
            layerBps[slot * maxLayers + layer] = Math.max(0, bps);
        }
    }

    public void removeTrack(int slot) {
        checkSlot(slot);
        present[slot] = false;
        target[slot] = PAUSED;
    }

    /**
     * Recomputes every target for this estimate.
     *
     * @return true if any present track's target changed.
     */
    public boolean allocate(long estimateBps, long nowNanos) {
        int count = sortByPriority();
        long total = 0;

        for (int i = 0; i < count; i++) {
            int slot = order[i];
            int lowest = usableAbove(slot, PAUSED);
            proposed[slot] = PAUSED;
            if (lowest == PAUSED) {
                continue;
            }
            long cost = bps(slot, lowest);
            if (allowed(slot, lowest, total + cost, estimateBps, nowNanos)) {
                proposed[slot] = lowest;
                total += cost;
            }
        }

        for (int i = 0; i < count; i++) {
            int slot = order[i];
            int current = proposed[slot];
            if (current == PAUSED) {
                continue;
            }
            long currentCost = bps(slot, current);
            for (int layer = usableAbove(slot, current); layer != PAUSED; layer = usableAbove(slot, layer)) {
                long next = total - currentCost + bps(slot, layer);
                if (!allowed(slot, layer, next, estimateBps, nowNanos)) {
                    break;
                }
                current = layer;
                currentCost = bps(slot, layer);
                total = next;
            }
            proposed[slot] = current;
        }

        boolean changed = false;
        boolean below = false;
        for (int i = 0; i < count; i++) {
            int slot = order[i];
            int chosen = proposed[slot];
            int best = bestUsable(slot);
            if (chosen < best) {
                below = true;
            }
            int previous = target[slot];
            if (triedLayer[slot] != PAUSED && nowNanos - triedNanos[slot] >= FAILED_UPGRADE_NANOS) {
                // The upgrade held: the link carries it.
                triedLayer[slot] = PAUSED;
                failures[slot] = 0;
                blockedFrom[slot] = NONE;
            }
            if (chosen != previous) {
                changed = true;
                if (chosen < previous && chosen < best) {
                    downgraded[slot] = true;
                    lastDowngradeNanos[slot] = nowNanos;
                    if (triedLayer[slot] != PAUSED && chosen < triedLayer[slot]) {
                        failed(slot, nowNanos);
                    }
                } else if (chosen > previous && previous != PAUSED) {
                    triedLayer[slot] = chosen;
                    triedNanos[slot] = nowNanos;
                    triedBps[slot] = estimateBps;
                }
                target[slot] = chosen;
            }
        }
        allocatedBps = total;
        deficient = below;
        return changed;
    }

    /** The upgrade on trial was undone: back off before trying that layer again. */
    private void failed(int slot, long nowNanos) {
        failures[slot]++;
        long backoff = RETRY_BACKOFF_NANOS << Math.min(failures[slot] - 1, MAX_BACKOFF_DOUBLINGS);
        blockedFrom[slot] = triedLayer[slot];
        blockedUntilNanos[slot] = nowNanos + backoff;
        unblockBps[slot] = triedBps[slot] * RETRY_ESTIMATE_PERCENT / 100;
        triedLayer[slot] = PAUSED;
    }

    /** The layer slot {@code slot} should get, or {@link #PAUSED}. */
    public int target(int slot) {
        checkSlot(slot);
        return target[slot];
    }

    /** The sum of the measured bitrates of the chosen layers at the last {@link #allocate}. */
    public long allocatedBps() {
        return allocatedBps;
    }

    /** At the last {@link #allocate}, some track got less than the best layer it could use. */
    public boolean deficient() {
        return deficient;
    }

    /**
     * Whether {@code slot} may have {@code layer} with the allocation summing to {@code total}:
     * within the estimate, and for a layer above the current target with headroom, after the hold
     * and not within the backoff of a failed upgrade.
     */
    private boolean allowed(int slot, int layer, long total, long estimateBps, long nowNanos) {
        if (total > estimateBps) {
            return false;
        }
        if (layer <= target[slot]) {
            return true;
        }
        if (downgraded[slot] && nowNanos - lastDowngradeNanos[slot] < UPGRADE_HOLD_NANOS) {
            return false;
        }
        if (layer >= blockedFrom[slot] && nowNanos - blockedUntilNanos[slot] < 0 && estimateBps < unblockBps[slot]) {
            return false;
        }
        return total + total * UPGRADE_HEADROOM_PERCENT / 100 <= estimateBps;
    }

    /** The lowest usable layer above {@code layer} (PAUSED for the lowest of all), or PAUSED. */
    private int usableAbove(int slot, int layer) {
        int base = slot * maxLayers;
        for (int l = layer + 1; l <= maxLayer[slot]; l++) {
            if (layerBps[base + l] > 0) {
                return l;
            }
        }
        return PAUSED;
    }

    private int bestUsable(int slot) {
        int base = slot * maxLayers;
        for (int l = maxLayer[slot]; l >= 0; l--) {
            if (layerBps[base + l] > 0) {
                return l;
            }
        }
        return PAUSED;
    }

    private long bps(int slot, int layer) {
        return layerBps[slot * maxLayers + layer];
    }

    /** Insertion sort of the present slots into {@link #order}: stable, no allocation. */
    private int sortByPriority() {
        int count = 0;
        for (int slot = 0; slot < maxTracks; slot++) {
            if (!present[slot]) {
                continue;
            }
            int i = count++;
            while (i > 0 && priority[order[i - 1]] < priority[slot]) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = slot;
        }
        return count;
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= maxTracks) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + maxTracks);
        }
    }
}
