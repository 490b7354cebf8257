package dev.relay.signaling;

import dev.relay.sfu.RouterStats;
import dev.relay.signaling.events.QualitySample;
import dev.relay.signaling.events.QualitySampler;
import dev.relay.signaling.events.SessionEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Quality samples (docs/events.md "Quality samples"): asks each open Room's Router for a stats
 * snapshot and, back on the control thread, turns it into one {@code participant.quality}
 * event per participant with the Room's {@link QualitySampler}.
 */
final class QualityMonitor {
    private final Rooms rooms;
    private final SessionEvents events;
    private final Executor control;
    private final SessionStats sessionStats;

    QualityMonitor(Rooms rooms, SessionEvents events, Executor control) {
        this(rooms, events, control, new SessionStats());
    }

    QualityMonitor(Rooms rooms, SessionEvents events, Executor control, SessionStats stats) {
        this.sessionStats = stats;
        this.rooms = rooms;
        this.events = events;
        this.control = control;
    }

    /** Control thread: asks every Router for a snapshot; each answer comes back to the control thread. */
    void requestSamples() {
        for (Room room : rooms.open()) {
            long requestedNanos = System.nanoTime();
            room.router().requestStats(stats -> {
                // Media worker thread: only hand the snapshot over.
                try {
                    control.execute(() -> onRouterStats(room, stats, requestedNanos));
                } catch (RejectedExecutionException e) {
                    // shutting down
                }
            });
        }
    }

    /** Control thread: a snapshot requested at {@code sampledNanos}; dropped if its room closed meanwhile. */
    void onRouterStats(Room room, RouterStats stats, long sampledNanos) {
        if (!rooms.isOpen(room)) {
            return;
        }
        for (QualitySample sample : room.quality().sample(stats, media(room), sampledNanos)) {
            events.participantQuality(room.name(), sample);
            sessionStats.quality(sample);
        }
    }

    /** Each participant's Producers and active Consumers: what its sample adds up. */
    static List<QualitySampler.ParticipantMedia> media(Room room) {
        List<QualitySampler.ParticipantMedia> media = new ArrayList<>();
        for (Participant participant : room.participants()) {
            int[] producers = participant.publish().tracks().stream().mapToInt(PublishedTrack::producerId).toArray();
            int[] consumers = participant.subscribe().slots().stream().filter(SubscribeSlot::isActive)
                    .mapToInt(SubscribeSlot::consumerId).toArray();
            media.add(new QualitySampler.ParticipantMedia(participant.id(), producers, consumers));
        }
        return media;
    }
}
