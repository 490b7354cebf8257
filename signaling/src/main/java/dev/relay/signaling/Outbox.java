package dev.relay.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where a participant's signaling messages go (its WebSocket). Thread-safe. */
interface Outbox {
    void send(ObjectNode message);

    /** Closes the connection after what was sent. */
    void close();

    /**
     * Closes the connection after what was sent, with a WebSocket close frame (RFC 6455 §7.4)
     * that tells the client why.
     */
    default void close(int statusCode, String reason) {
        close();
    }

    /** The connection joined a room: it is no longer held to the join deadline. */
    default void joined() {
    }
}
