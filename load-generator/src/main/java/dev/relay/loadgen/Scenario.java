package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shapes of room the load generator builds. Each participant is a peer with its own
 * signaling WebSocket; a publisher sends audio and/or video, and every participant subscribes to
 * every other participant's tracks (the relay decides that, not us).
 */
enum Scenario {
    /** One publisher with audio and video, {@code size} subscribers that publish nothing. */
    BROADCAST,
    /** {@code size} participants, each publishing audio and video and receiving all others. */
    MEETING,
    /** {@code size} participants, each publishing audio only. */
    AUDIO;

    /** One peer of the plan: its room, whether it publishes, and how many streams it should receive. */
    record PeerPlan(int index, String room, String name, boolean audio, boolean video, int expectedStreams) {
        boolean publishes() {
            return audio || video;
        }
    }

    int peersPerRoom(int size) {
        return this == BROADCAST ? size + 1 : size;
    }

    /** The smallest sensible size: a broadcast needs a viewer, a meeting two people. */
    int minimumSize() {
        return this == BROADCAST ? 1 : 2;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Peers in start order: in each room the publishers come first, so that a broadcast viewer
     * gets one subscribe offer with both tracks instead of a renegotiation per track.
     */
    List<PeerPlan> plan(int size, int rooms, String runId) {
        List<PeerPlan> peers = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            String room = "lg-" + label() + "-" + runId + "-" + r;
            switch (this) {
                case BROADCAST -> {
                    peers.add(new PeerPlan(peers.size(), room, "r" + r + "-pub", true, true, 0));
                    for (int s = 0; s < size; s++) {
                        peers.add(new PeerPlan(peers.size(), room, "r" + r + "-sub" + s, false, false, 2));
                    }
                }
                case MEETING -> {
                    for (int p = 0; p < size; p++) {
                        peers.add(new PeerPlan(peers.size(), room, "r" + r + "-p" + p, true, true, 2 * (size - 1)));
                    }
                }
                case AUDIO -> {
                    for (int p = 0; p < size; p++) {
                        peers.add(new PeerPlan(peers.size(), room, "r" + r + "-p" + p, true, false, size - 1));
                    }
                }
                default -> throw new IllegalStateException(name());
            }
        }
        return peers;
    }
}
