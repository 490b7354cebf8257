package dev.relay.sfu;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.sfu.speaker.DominantSpeakerDetector;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Who is speaking in a Router's room: every audio Producer with the audio level extension
 * (RFC 6464) feeds its packets' levels to a {@link DominantSpeakerDetector}; every
 * {@link #EVALUATE_INTERVAL_NANOS} the worker asks, and when the dominant speaker or the set of
 * speakers changed, the listener gets the Producers' ids, the dominant speaker first
 * (docs/signaling.md {@code activeSpeakers}). Worker thread only; nothing is allocated per packet,
 * one small array per change.
 */
final class ActiveSpeakers {
    static final long EVALUATE_INTERVAL_NANOS = 200_000_000L;
    /** Audio Producers one room's detector follows; more are forwarded but not ranked. */
    static final int MAX_PRODUCERS = 128;

    private final DominantSpeakerDetector detector = new DominantSpeakerDetector(MAX_PRODUCERS);
    private final Producer[] bySlot = new Producer[MAX_PRODUCERS];
    private final int[] speaking = new int[MAX_PRODUCERS];
    private final int[] candidate = new int[MAX_PRODUCERS + 1];
    private int[] reported = new int[0];
    private boolean reportedDominant;
    private Consumer<int[]> listener;

    /** Where changes go; the listener runs on the worker and must only hand the ids on. */
    void listener(Consumer<int[]> onChange) {
        listener = onChange;
    }

    /** Follows {@code producer}'s levels; false if the room already has {@link #MAX_PRODUCERS}. */
    boolean add(Producer producer) {
        for (int slot = 0; slot < MAX_PRODUCERS; slot++) {
            if (bySlot[slot] == producer) {
                return true;
            }
        }
        for (int slot = 0; slot < MAX_PRODUCERS; slot++) {
            if (bySlot[slot] == null) {
                bySlot[slot] = producer;
                detector.add(slot);
                producer.speakerSlot(slot);
                return true;
            }
        }
        return false;
    }

    void remove(Producer producer) {
        int slot = producer.speakerSlot();
        if (slot >= 0 && bySlot[slot] == producer) {
            bySlot[slot] = null;
            detector.remove(slot);
            producer.speakerSlot(-1);
        }
    }

    /** The level element of one audio packet of the Producer in {@code slot}, if it has one. */
    void onPacket(int slot, RtpPacket rtp, int extensionId, long nowNanos) {
        int at = rtp.findExtension(extensionId);
        if (at >= 0 && rtp.lastExtensionLength() >= 1) {
            detector.onAudioLevel(slot, rtp.buffer()[at] & 0x7F, nowNanos);
        }
    }

    /** Decides; tells the listener if the dominant speaker or the set of speakers changed. */
    void evaluate(long nowNanos) {
        detector.evaluate(nowNanos);
        int count = detector.speakers(speaking, nowNanos);
        int dominant = detector.dominant();
        int n = 0;
        if (dominant >= 0) {
            candidate[n++] = idOf(dominant);
        }
        for (int i = 0; i < count; i++) {
            if (speaking[i] != dominant) {
                candidate[n++] = idOf(speaking[i]);
            }
        }
        if (sameAsReported(n, dominant >= 0)) {
            return;
        }
        reported = Arrays.copyOf(candidate, n);
        reportedDominant = dominant >= 0;
        if (listener != null) {
            listener.accept(reported.clone());
        }
    }

    /** The same dominant speaker (first, if any) and the same set of others as last reported. */
    private boolean sameAsReported(int n, boolean hasDominant) {
        if (n != reported.length) {
            return false;
        }
        if (n == 0) {
            return true;
        }
        if (hasDominant != reportedDominant || (hasDominant && candidate[0] != reported[0])) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!contains(reported, candidate[i])) {
                return false;
            }
        }
        return true;
    }

    /** The Transport the dominant speaker publishes on (its videos come first in allocation), or null. */
    RouterTransport dominantSource() {
        int dominant = detector.dominant();
        Producer producer = dominant < 0 ? null : bySlot[dominant];
        return producer == null ? null : producer.source();
    }

    private int idOf(int slot) {
        Producer producer = bySlot[slot];
        return producer == null ? -1 : producer.id();
    }

    private static boolean contains(int[] ids, int id) {
        for (int value : ids) {
            if (value == id) {
                return true;
            }
        }
        return false;
    }
}
