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
    PARTICIPANT_QUALITY("dev.relay.participant.quality");

    private final String ceType;

    EventType(String ceType) {
        this.ceType = ceType;
    }

    public String ceType() {
        return ceType;
    }
}
