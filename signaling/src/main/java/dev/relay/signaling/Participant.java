package dev.relay.signaling;

/**
 * One client in a Room: its publish side (Transport, Producers) and its subscribe side
 * (Transport, slots, offer/answer state). Control thread only.
 */
final class Participant {
    private final String id;
    private final String name;
    private final Room room;
    private final Outbox outbox;
    private final PublishState publish = new PublishState();
    private final SubscribeNegotiation subscribe = new SubscribeNegotiation();
    private boolean left;

    Participant(String id, String name, Room room, Outbox outbox) {
        this.id = id;
        this.name = name;
        this.room = room;
        this.outbox = outbox;
    }

    String id() {
        return id;
    }

    String name() {
        return name;
    }

    Room room() {
        return room;
    }

    Outbox outbox() {
        return outbox;
    }

    PublishState publish() {
        return publish;
    }

    SubscribeNegotiation subscribe() {
        return subscribe;
    }

    /** Marks the participant gone; false if it already was, so cleanup runs once. */
    boolean leave() {
        if (left) {
            return false;
        }
        left = true;
        return true;
    }

    /**
     * True once it left or was removed (ice_failed); its socket may still be open until the
     * close is sent, and it gets no more offers.
     */
    boolean hasLeft() {
        return left;
    }
}
