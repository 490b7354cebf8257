package dev.relay.signaling;

import dev.relay.signaling.auth.AccessToken;

/**
 * One signaling WebSocket. {@link #participant} is set by a successful join; control thread only.
 * {@link #token} is what the upgrade's access token granted (null in dev mode).
 */
final class Connection {
    final Outbox outbox;
    final String remote;
    final AccessToken token;
    Participant participant;
    /** A join is waiting for the cluster's answer (docs/scale-out.md); control thread only. */
    boolean joining;
    /** The socket closed (or dropped); control thread only. */
    boolean closed;

    Connection(Outbox outbox, String remote) {
        this(outbox, remote, null);
    }

    Connection(Outbox outbox, String remote, AccessToken token) {
        this.outbox = outbox;
        this.remote = remote;
        this.token = token;
    }
}
