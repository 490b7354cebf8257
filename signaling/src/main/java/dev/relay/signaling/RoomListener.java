package dev.relay.signaling;

/**
 * Told of what happens in this node's rooms, on the control thread, after the room's own
 * participants have been told: the relay-to-relay pipes pass it on to the other nodes of a room
 * that spans several (docs/scale-out.md "Rooms across nodes").
 */
interface RoomListener {
    RoomListener NONE = new RoomListener() {
    };

    /** A participant of this node is in (after {@code joined}). */
    default void participantJoined(Participant participant) {
    }

    /** A participant of this node is gone (after its tracks were unpublished). */
    default void participantLeft(Participant participant) {
    }

    /** A participant of this node published {@code track}. */
    default void trackPublished(PublishedTrack track) {
    }

    /** A participant of this node stopped publishing {@code track}. */
    default void trackUnpublished(PublishedTrack track) {
    }

    default void trackMuted(PublishedTrack track, boolean muted) {
    }

    /** The room closes: its last participant of this node left, and nothing keeps it open. */
    default void roomClosing(Room room) {
    }
}
