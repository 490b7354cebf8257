package dev.relay.signaling;

import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySample;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * What signaling counts for metrics (docs/operations.md "Metrics"): joins and leaves, the tracks
 * open, and each quality sample handed on. Written on the control thread only; read by the
 * scrape thread through atomics and volatiles. Nothing here is on the packet path.
 */
public final class SessionStats {
    private final AtomicLong joins = new AtomicLong();
    private final AtomicLongArray leaves = new AtomicLongArray(LeaveReason.values().length);
    private volatile int audioProducers;
    private volatile int videoProducers;
    private volatile int audioConsumers;
    private volatile int videoConsumers;
    private volatile Consumer<QualitySample> qualitySamples = sample -> { };

    private final AtomicLong publishIceRestarts = new AtomicLong();
    private final AtomicLong subscribeIceRestarts = new AtomicLong();

    /** An ICE restart of a participant's {@code publish} or {@code subscribe} Transport (docs/signaling.md). */
    void iceRestarted(boolean publish) {
        (publish ? publishIceRestarts : subscribeIceRestarts).incrementAndGet();
    }

    public long iceRestarts(boolean publish) {
        return (publish ? publishIceRestarts : subscribeIceRestarts).get();
    }

    void joined() {
        joins.incrementAndGet();
    }

    void left(LeaveReason reason) {
        leaves.incrementAndGet(reason.ordinal());
    }

    /**
     * Control thread: counts the Producers and active Consumers of every open Room. Run on a
     * timer rather than at each publish or subscribe so that no negotiation path has to keep
     * a count in step (a Room's tracks change in several classes).
     */
    void countTracks(Iterable<Room> rooms) {
        int audioIn = 0;
        int videoIn = 0;
        int audioOut = 0;
        int videoOut = 0;
        for (Room room : rooms) {
            for (Participant participant : room.participants()) {
                for (PublishedTrack track : participant.publish().tracks()) {
                    if ("audio".equals(track.kind())) {
                        audioIn++;
                    } else {
                        videoIn++;
                    }
                }
                for (SubscribeSlot slot : participant.subscribe().slots()) {
                    if (slot.isActive()) {
                        if ("audio".equals(slot.track().kind())) {
                            audioOut++;
                        } else {
                            videoOut++;
                        }
                    }
                }
            }
        }
        audioProducers = audioIn;
        videoProducers = videoIn;
        audioConsumers = audioOut;
        videoConsumers = videoOut;
    }

    void quality(QualitySample sample) {
        qualitySamples.accept(sample);
    }

    /** Receives every participant's quality sample on the control thread (metrics histograms). */
    public void onQualitySample(Consumer<QualitySample> listener) {
        this.qualitySamples = Objects.requireNonNull(listener, "listener");
    }

    public long joins() {
        return joins.get();
    }

    public long leaves(LeaveReason reason) {
        return leaves.get(reason.ordinal());
    }

    /** Producers (incoming tracks) of {@code kind} ("audio" or "video") open. */
    public int producers(String kind) {
        return "audio".equals(kind) ? audioProducers : videoProducers;
    }

    /** Active Consumers (a track forwarded to a subscriber) of {@code kind}. */
    public int consumers(String kind) {
        return "audio".equals(kind) ? audioConsumers : videoConsumers;
    }
}
