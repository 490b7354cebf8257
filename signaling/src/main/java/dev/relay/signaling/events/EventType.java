package dev.relay.signaling.events;

/** Every event the relay emits; {@link #ceType()} is the CloudEvents {@code type} (docs/events.md). */
public enum EventType {
    ROOM_CREATED("dev.relay.room.created"),
    ROOM_CLOSED("dev.relay.room.closed"),
    PARTICIPANT_JOINED("dev.relay.participant.joined"),
    PARTICIPANT_LEFT("dev.relay.participant.left"),
    TRACK_PUBLISHED("dev.relay.track.published"),
    TRACK_UNPUBLISHED("dev.relay.track.unpublished"),
    SUBSCRIPTION_STARTED("dev.relay.subscription.started"),
    SUBSCRIPTION_STOPPED("dev.relay.subscription.stopped"),
    PARTICIPANT_QUALITY("dev.relay.participant.quality"),
    /** Not a room's: a sink's report of events it lost (docs/events.md "Loss reports"). */
    EVENTS_LOST("dev.relay.events.lost");

    private final String ceType;

    EventType(String ceType) {
        this.ceType = ceType;
    }

    /** The type whose {@link #ceType()} is {@code ceType}, or null. */
    public static EventType ofCeType(String ceType) {
        for (EventType t : values()) {
            if (t.ceType.equals(ceType)) {
                return t;
            }
        }
        return null;
    }

    public String ceType() {
        return ceType;
    }
}
