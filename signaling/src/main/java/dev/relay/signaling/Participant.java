package dev.relay.signaling;

import dev.relay.signaling.auth.VideoGrant;

/**
 * One client in a Room: its publish side (Transport, Producers) and its subscribe side
 * (Transport, slots, offer/answer state). Control thread only.
 */
final class Participant {
    private final String id;
    private final String name;
    private final Room room;
    private final Outbox outbox;
    private final VideoGrant grant;
    private final PublishState publish = new PublishState();
    private final SubscribeNegotiation subscribe = new SubscribeNegotiation();
    private boolean left;
    /** The pipe a participant of another node arrived over; null for one of this node. */
    private Pipe origin;
    private int publishCandidates;
    private int subscribeCandidates;

    /** With every grant (dev mode). */
    Participant(String id, String name, Room room, Outbox outbox) {
        this(id, name, room, outbox, VideoGrant.unrestricted(room == null ? null : room.name()));
    }

    Participant(String id, String name, Room room, Outbox outbox, VideoGrant grant) {
        this.id = id;
        this.name = name;
        this.room = room;
        this.outbox = outbox;
        this.grant = grant;
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

    /** What its token lets it do (docs/signaling.md "Authentication"). */
    VideoGrant grant() {
        return grant;
    }

    PublishState publish() {
        return publish;
    }

    SubscribeNegotiation subscribe() {
        return subscribe;
    }

    /** Counts a trickled candidate on {@code pc} ("publish" or "subscribe"); returns the count so far. */
    int trickledCandidate(String pc) {
        return pc.equals("publish") ? ++publishCandidates : ++subscribeCandidates;
    }

    /** A participant of another node, known through {@code pipe} (docs/scale-out.md "Rooms across nodes"). */
    void origin(Pipe pipe) {
        origin = pipe;
    }

    /** The pipe a participant of another node arrived over, or null for one of this node. */
    Pipe origin() {
        return origin;
    }

    boolean isRemote() {
        return origin != null;
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
