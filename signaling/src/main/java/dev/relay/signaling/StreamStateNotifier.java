package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

/**
 * Tells a subscriber when the relay pauses one of its videos because even the lowest layer does
 * not fit its downlink, and when it resumes ({@code streamState}, docs/signaling.md), so that its
 * client can say so rather than show a frozen picture. Control thread only.
 */
final class StreamStateNotifier {
    private final Rooms rooms;

    StreamStateNotifier(Rooms rooms) {
        this.rooms = rooms;
    }

    /** The Router of {@code room} paused ({@code paused}) or resumed the Consumer {@code consumerId}. */
    void changed(Room room, int consumerId, boolean paused) {
        if (!rooms.isOpen(room)) {
            return;
        }
        for (Participant subscriber : room.participants()) {
            for (SubscribeSlot slot : subscriber.subscribe().slots()) {
                if (slot.isActive() && slot.consumerId() == consumerId) {
                    PublishedTrack track = slot.track();
                    subscriber.outbox().send(message("streamState").put("participantId", track.owner().id())
                            .put("trackId", track.trackId()).put("state", paused ? "paused" : "active")
                            .put("reason", "bandwidth"));
                    return;
                }
            }
        }
    }
}
