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
    /**
     * Participants of other nodes, whose tracks arrive over pipes (docs/scale-out.md "Rooms across
     * nodes"), by their cluster-wide id. Not in {@link #participants()}: nothing is sent to them.
     */
    private final Map<String, Participant> remote = new LinkedHashMap<>();
    /** The pipes of this room to other nodes; on a node that does not hold the room, its one uplink. */
    private final List<Pipe> pipes = new ArrayList<>();
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

    /** No participant of this node is in. */
    boolean isEmpty() {
        return participants.isEmpty();
    }

    /** Whether the room may close once its participants here are gone: no other node pipes it from here. */
    boolean mayClose() {
        for (Pipe pipe : pipes) {
            if (!pipe.isUplink()) {
                return false;
            }
        }
        return true;
    }

    void addRemote(Participant participant) {
        remote.put(participant.id(), participant);
    }

    void removeRemote(Participant participant) {
        remote.remove(participant.id());
    }

    Participant remote(String id) {
        return remote.get(id);
    }

    /** Participants of other nodes, in arrival order; a copy. */
    List<Participant> remotes() {
        return new ArrayList<>(remote.values());
    }

    /** Whether {@code id} names someone in the room, here or on another node. */
    boolean hasParticipant(String id) {
        return participants.containsKey(id) || remote.containsKey(id);
    }

    void addPipe(Pipe pipe) {
        pipes.add(pipe);
    }

    void removePipe(Pipe pipe) {
        pipes.remove(pipe);
    }

    /** The pipes to other nodes; a copy. */
    List<Pipe> pipes() {
        return new ArrayList<>(pipes);
    }

    boolean hasPipes() {
        return !pipes.isEmpty();
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
