package dev.relay.signaling;

/**
 * For one published video track, the highest layer any subscriber takes, as last told to its
 * publisher (dynacast, docs/quality.md): more demand is passed on at once, so a new viewer waits
 * for no one; less only once it has held for {@link #DOWN_AFTER_NANOS}, so a viewer that resizes
 * a tile or rejoins does not make the publisher stop and restart an encoder. Pure; the caller
 * brings the time.
 */
final class LayerDemand {
    /** No subscriber takes any layer: the whole track may stop. */
    static final int NONE = -1;
    /** Nothing to tell the publisher. */
    static final int UNCHANGED = -2;
    static final long DOWN_AFTER_NANOS = 3_000_000_000L;

    /** What the publisher was last told: every layer up to this one active. */
    private int told;
    /** When demand first fell below {@link #told}; -1 while it has not. */
    private long lowerSince = -1;

    /** A track starts with every layer active, as its publisher sends it. */
    LayerDemand(int highestLayer) {
        this.told = highestLayer;
    }

    /**
     * The highest layer subscribers take now ({@link #NONE} for none); returns the highest layer
     * the publisher should now keep active ({@link #NONE}: none), or {@link #UNCHANGED}.
     */
    int update(int needed, long nowNanos) {
        if (needed > told) {
            told = needed;
            lowerSince = -1;
            return told;
        }
        if (needed == told) {
            lowerSince = -1;
            return UNCHANGED;
        }
        if (lowerSince < 0) {
            lowerSince = nowNanos;
        }
        if (nowNanos - lowerSince < DOWN_AFTER_NANOS) {
            return UNCHANGED;
        }
        told = needed;
        lowerSince = -1;
        return told;
    }

    int told() {
        return told;
    }
}
