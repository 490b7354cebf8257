package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Dynacast: tells the publisher of each video track which of its simulcast layers some
 * subscriber takes, so that it stops encoding and sending the others, and the whole track when
 * no one receives it ({@code publishLayers}, docs/signaling.md; the web client applies it with
 * {@code RTCRtpSender.setParameters}). A subscriber takes the layer it asked for with
 * {@code setSubscription}, the highest until it asks. Control thread only.
 */
final class Dynacast {
    private final Map<Integer, LayerDemand> demands = new HashMap<>();

    /** Every open room, then forgets the tracks that are gone. Periodic: lower demand is passed on here. */
    void evaluateAll(Collection<Room> rooms, long nowNanos) {
        Set<Integer> live = new HashSet<>();
        for (Room room : rooms) {
            evaluate(room, nowNanos, live);
        }
        demands.keySet().retainAll(live);
    }

    /** One room, at once: a subscriber that asks for more is passed on without waiting for the next round. */
    void evaluate(Room room, long nowNanos) {
        evaluate(room, nowNanos, new HashSet<>());
    }

    /** Tracks known here, for tests. */
    int tracked() {
        return demands.size();
    }

    private void evaluate(Room room, long nowNanos, Set<Integer> live) {
        for (Participant publisher : room.participants()) {
            for (PublishedTrack track : publisher.publish().tracks()) {
                if (!track.kind().equals("video")) {
                    continue;
                }
                live.add(track.producerId());
                int highest = Math.max(0, track.layers() - 1);
                LayerDemand demand = demands.computeIfAbsent(track.producerId(), id -> new LayerDemand(highest));
                int active = demand.update(needed(room, track), nowNanos);
                if (active != LayerDemand.UNCHANGED) {
                    publisher.outbox().send(publishLayers(track, active));
                }
            }
        }
    }

    /** The highest layer any subscriber of {@code track} takes, or {@link LayerDemand#NONE}. */
    private int needed(Room room, PublishedTrack track) {
        if (room.hasPipes()) {
            // The other nodes select layers for their own subscribers: every layer crosses the pipe.
            return Math.max(0, track.layers() - 1);
        }
        int needed = LayerDemand.NONE;
        for (Participant subscriber : room.participants()) {
            if (subscriber == track.owner()) {
                continue;
            }
            for (SubscribeSlot slot : subscriber.subscribe().slots()) {
                if (slot.isActive() && slot.track() == track) {
                    needed = Math.max(needed, slot.requestedLayer());
                }
            }
        }
        return needed;
    }

    /** {@code layers}: each encoding, lowest first, and whether it should send (docs/signaling.md). */
    private static ObjectNode publishLayers(PublishedTrack track, int highestActive) {
        ObjectNode msg = message("publishLayers").put("trackId", track.trackId());
        ArrayNode layers = msg.putArray("layers");
        if (track.layers() == 0) {
            layers.addObject().putNull("rid").put("active", highestActive >= 0);
        } else {
            for (int i = 0; i < track.layers(); i++) {
                layers.addObject().put("rid", track.rids().get(i)).put("active", i <= highestActive);
            }
        }
        return msg;
    }
}
