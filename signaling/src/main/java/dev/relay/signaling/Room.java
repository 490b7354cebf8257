package dev.relay.signaling;

import dev.relay.sfu.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A signaling room: its participants and the Router that carries their media. Control thread only. */
final class Room {
    private final String name;
    private final Router router;
    private final Map<String, Participant> participants = new LinkedHashMap<>();

    Room(String name, Router router) {
        this.name = name;
        this.router = router;
    }

    String name() {
        return name;
    }

    Router router() {
        return router;
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
