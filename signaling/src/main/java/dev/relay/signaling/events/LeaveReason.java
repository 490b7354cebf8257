package dev.relay.signaling.events;

/** Why a participant left its room: the {@code reason} of {@code dev.relay.participant.left} (docs/events.md). */
public enum LeaveReason {
    /** The client sent {@code leave}. */
    LEFT("left"),
    /** Removed by an operator. Reserved: the relay has no admin API yet, so it never sends this. */
    KICKED("kicked"),
    /** The signaling WebSocket closed or dropped without a {@code leave}. */
    TIMEOUT("timeout"),
    /** ICE consent expired: no valid STUN check on an established Transport for the ICE timeout (RFC 7675). */
    ICE_FAILED("ice_failed"),
    /** The relay is shutting down. */
    SHUTDOWN("shutdown"),
    /**
     * The room's directory entry went to another node of the cluster while this node could not
     * renew it: this node closed its copy, and the client rejoins there (docs/scale-out.md).
     */
    MOVED("moved");

    private final String wireName;

    LeaveReason(String wireName) {
        this.wireName = wireName;
    }

    /** The value written in events. */
    public String wireName() {
        return wireName;
    }
}
