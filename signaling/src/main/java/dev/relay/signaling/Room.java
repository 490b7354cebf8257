package dev.relay.signaling;

import dev.relay.sfu.Router;
import dev.relay.signaling.events.QualitySampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A signaling room: its participants, the Router that carries their media, and its quality
 * sampler (the previous stats snapshot). Control thread only.
 */
final class Room {
    private final String name;
    private final Router router;
    private final QualitySampler quality;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    /** The Producers the Router last ranked as speaking, dominant first (its last {@code activeSpeakers}). */
    private int[] speakers = new int[0];

    Room(String name, Router router, QualitySampler quality) {
        this.name = name;
        this.router = router;
        this.quality = quality;
    }

    String name() {
        return name;
    }

    Router router() {
        return router;
    }

    QualitySampler quality() {
        return quality;
    }

    int[] speakers() {
        return speakers;
    }

    void speakers(int[] producerIds) {
        speakers = producerIds.clone();
    }

    void add(Participant participant) {
        participants.put(participant.id(), participant);
    }

    void remove(Participant participant) {
        participants.remove(participant.id());
    }

    boolean isEmpty() {
        return participants.isEmpty();
    }

    /** Everyone, in join order; a copy, so callers may remove participants while iterating. */
    List<Participant> participants() {
        return others(null);
    }

    /** Everyone but {@code self}, in join order; a copy. */
    List<Participant> others(Participant self) {
        List<Participant> others = new ArrayList<>();
        for (Participant p : participants.values()) {
            if (p != self) {
                others.add(p);
            }
        }
        return others;
    }

    int size() {
        return participants.size();
    }
}
