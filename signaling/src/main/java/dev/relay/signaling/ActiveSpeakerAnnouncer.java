package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Tells everyone in a room who is speaking ({@code activeSpeakers}, docs/signaling.md): the
 * Router's ranking of audio Producers ({@code Router.onActiveSpeakers}) turned into participant
 * ids, the dominant speaker first. Hidden participants are never named. Control thread only.
 */
final class ActiveSpeakerAnnouncer {
    private final Rooms rooms;

    ActiveSpeakerAnnouncer(Rooms rooms) {
        this.rooms = rooms;
    }

    /** The Router of {@code room} ranked these Producers as speaking, dominant first. */
    void announce(Room room, int[] producerIds) {
        if (!rooms.isOpen(room)) {
            return;
        }
        room.speakers(producerIds);
        ObjectNode msg = speakersMessage(room, producerIds);
        for (Participant participant : room.participants()) {
            participant.outbox().send(msg.deepCopy());
        }
    }

    /**
     * Tells a participant that just joined who is speaking, if anyone is: the Router announces
     * only changes, so without this a newcomer would learn of a talker only once the set changed.
     */
    void greet(Participant newcomer) {
        Room room = newcomer.room();
        int[] producerIds = room.speakers();
        if (producerIds.length > 0 && rooms.isOpen(room)) {
            newcomer.outbox().send(speakersMessage(room, producerIds));
        }
    }

    /** {@code activeSpeakers} with the participants whose Producers these are, dominant first. */
    private static ObjectNode speakersMessage(Room room, int[] producerIds) {
        Set<String> speakers = new LinkedHashSet<>();
        List<Participant> everyone = room.participants();
        everyone.addAll(room.remotes()); // speakers of other nodes are ranked here too, by their levels
        for (int producerId : producerIds) {
            for (Participant participant : everyone) {
                if (participant.grant().hidden()) {
                    continue;
                }
                for (PublishedTrack track : participant.publish().tracks()) {
                    if (track.producerId() == producerId) {
                        speakers.add(participant.id());
                    }
                }
            }
        }
        ObjectNode msg = message("activeSpeakers");
        ArrayNode list = msg.putArray("speakers");
        speakers.forEach(list::add);
        return msg;
    }
}
