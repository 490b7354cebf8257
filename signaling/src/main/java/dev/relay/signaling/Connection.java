package dev.relay.signaling;

/** One signaling WebSocket. {@link #participant} is set by a successful join; control thread only. */
final class Connection {
    final Outbox outbox;
    final String remote;
    Participant participant;

    Connection(Outbox outbox, String remote) {
        this.outbox = outbox;
        this.remote = remote;
    }
}
