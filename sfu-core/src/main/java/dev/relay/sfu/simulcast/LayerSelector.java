package dev.relay.sfu.simulcast;

/**
 * Decides, packet by packet, what one subscriber gets of a simulcast Producer: one spatial layer
 * (an encoding sent as its own RTP stream and SSRC, RFC 8853) and, within it, the temporal
 * layers up to a target (the VP8 TID field, RFC 7741 §4.2; Chromium sends L1T3 per encoding).
 *
 * <ul>
 * <li><b>Spatial</b>: the layers are independent streams, so a decoder can only join one at a
 *     keyframe. The switch (up or down) happens at the first packet of a keyframe of the target
 *     layer; until then the current layer keeps going out, and every decision carries
 *     {@link #KEYFRAME_NEEDED} so the caller asks the publisher for one on {@link #keyframeLayer()}
 *     (throttled by the caller, as every keyframe request is).</li>
 * <li><b>Temporal</b>: down at the next frame start (a frame above the new target may be dropped
 *     whole, since nothing in a lower layer refers to it); up one layer at a time, on a frame of
 *     the next layer with the layer-sync bit Y (it refers only to TL0, RFC 7741 §4.2), or on a
 *     keyframe. One step at a time because a TID 2 frame after a sync may still refer to a TID 1
 *     frame the subscriber never got.</li>
 * <li><b>Stopped layers</b>: a sender drops its upper encodings when its bandwidth estimate falls
 *     (and starts with the lower ones only). A layer is arriving if a packet of it came within the
 *     timeout. The effective target is the highest arriving layer at or below the preferred one
 *     ({@link #setTarget}), else the lowest arriving layer above it; when that moves the decision
 *     carries {@link #TARGET_CHANGED}. Layers never seen count as not arriving, so a subscriber
 *     starts on what is there rather than waiting for an encoding the sender has not enabled yet.</li>
 * </ul>
 *
 * <p>Pure logic over the caller's clock; worker thread only; nothing allocated per packet. It
 * decides, {@link StreamRewriter} makes the forwarded packets one stream.
 */
public final class LayerSelector {
    /** The packet goes out (then through {@link StreamRewriter#forward}). */
    public static final int FORWARD = 1;
    /** This packet is the keyframe that made its layer the current one. */
    public static final int SWITCHED = 1 << 1;
    /** The target layer is not the current one: a keyframe on {@link #keyframeLayer()} is wanted. */
    public static final int KEYFRAME_NEEDED = 1 << 2;
    /** The effective target moved because a layer started or stopped arriving. */
    public static final int TARGET_CHANGED = 1 << 3;

    public static final int NONE = -1;
    /** TID is two bits (RFC 7741 §4.2). */
    public static final int MAX_TEMPORAL_LAYER = 3;

    private final int layers;
    private final long timeoutNanos;
    private final long[] lastArrivalNanos;
    private final boolean[] seen;

    private int preferredSpatial;
    private int targetSpatial;
    private int targetTemporal = MAX_TEMPORAL_LAYER;
    private int currentSpatial = NONE;
    private int currentTemporal = NONE;
    private boolean anyPacket;
    private long lastNowNanos;

    /**
     * @param layers       spatial layers (encodings) of the Producer, indexed from 0 (lowest).
     * @param timeoutNanos a layer with no packet for longer than this has stopped.
     */
    public LayerSelector(int layers, long timeoutNanos) {
        if (layers < 1) {
            throw new IllegalArgumentException("layers: " + layers);
        }
        this.layers = layers;
        this.timeoutNanos = timeoutNanos;
        this.lastArrivalNanos = new long[layers];
        this.seen = new boolean[layers];
        this.preferredSpatial = layers - 1;
        this.targetSpatial = layers - 1;
    }

    /**
     * The layers this subscriber should get (from the bandwidth allocator or the subscriber's
     * choice), clamped to what exists. The spatial one is a preference: a stopped layer is replaced
     * by the best one arriving.
     */
    public void setTarget(int spatial, int temporal) {
        preferredSpatial = Math.max(0, Math.min(layers - 1, spatial));
        targetTemporal = Math.max(0, Math.min(MAX_TEMPORAL_LAYER, temporal));
        targetSpatial = anyPacket ? effectiveTarget(lastNowNanos) : preferredSpatial;
    }

    /** Starts over at the next keyframe of the target (the subscriber's Transport restarted). */
    public void restart() {
        currentSpatial = NONE;
        currentTemporal = NONE;
    }

    /**
     * One packet of the Producer, of any layer, at {@code nowNanos}.
     *
     * @param layer         the spatial layer (encoding index) its SSRC belongs to.
     * @param keyframeStart the first packet of a keyframe ({@code Vp8PayloadDescriptor.isKeyframe}).
     * @param frameStart    the first packet of a frame ({@code Vp8PayloadDescriptor.startOfFrame}).
     * @param temporalLayer the VP8 TID, or -1 when the stream has none (then every frame goes out).
     * @param layerSync     the VP8 Y bit.
     * @return a combination of {@link #FORWARD}, {@link #SWITCHED}, {@link #KEYFRAME_NEEDED} and
     *     {@link #TARGET_CHANGED}; 0 for a layer out of range.
     */
    public int onPacket(int layer, boolean keyframeStart, boolean frameStart, int temporalLayer, boolean layerSync,
                        long nowNanos) {
        if (layer < 0 || layer >= layers) {
            return 0;
        }
        anyPacket = true;
        lastNowNanos = nowNanos;
        seen[layer] = true;
        lastArrivalNanos[layer] = nowNanos;

        int decision = 0;
        int target = effectiveTarget(nowNanos);
        if (target != targetSpatial) {
            targetSpatial = target;
            decision |= TARGET_CHANGED;
        }

        if (layer == targetSpatial && layer != currentSpatial && keyframeStart) {
            currentSpatial = layer;
            // Nothing after a keyframe refers to anything before it: every temporal layer decodes.
            currentTemporal = targetTemporal;
            decision |= SWITCHED | FORWARD;
        } else if (layer == currentSpatial) {
            if (keyframeStart) {
                currentTemporal = targetTemporal;
            } else if (frameStart) {
                if (targetTemporal < currentTemporal) {
                    currentTemporal = targetTemporal;
                } else if (layerSync && temporalLayer == currentTemporal + 1 && temporalLayer <= targetTemporal) {
                    currentTemporal = temporalLayer;
                }
            }
            if (temporalLayer <= currentTemporal) {
                decision |= FORWARD;
            }
        }

        if (targetSpatial != currentSpatial) {
            decision |= KEYFRAME_NEEDED;
        }
        return decision;
    }

    public static boolean isForward(int decision) {
        return (decision & FORWARD) != 0;
    }

    /** The layer whose keyframe a switch waits for, or {@link #NONE}. */
    public int keyframeLayer() {
        return targetSpatial != currentSpatial ? targetSpatial : NONE;
    }

    public int currentSpatialLayer() {
        return currentSpatial;
    }

    /** The highest TID going out, or {@link #NONE} before the first keyframe. */
    public int currentTemporalLayer() {
        return currentTemporal;
    }

    /** The spatial layer being switched to, or kept: the preferred one unless it stopped. */
    public int targetSpatialLayer() {
        return targetSpatial;
    }

    public int targetTemporalLayer() {
        return targetTemporal;
    }

    public int preferredSpatialLayer() {
        return preferredSpatial;
    }

    /** True if a packet of {@code layer} came within the timeout before {@code nowNanos}. */
    public boolean isArriving(int layer, long nowNanos) {
        return layer >= 0 && layer < layers && seen[layer] && nowNanos - lastArrivalNanos[layer] <= timeoutNanos;
    }

    private int effectiveTarget(long nowNanos) {
        int below = NONE;
        int above = NONE;
        for (int layer = 0; layer < layers; layer++) {
            if (!isArriving(layer, nowNanos)) {
                continue;
            }
            if (layer <= preferredSpatial) {
                below = layer;
            } else if (above == NONE) {
                above = layer;
            }
        }
        if (below != NONE) {
            return below;
        }
        // Nothing arriving at all (the publisher paused): keep waiting for what was chosen.
        return above != NONE ? above : targetSpatial;
    }
}
