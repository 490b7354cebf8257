package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

import dev.relay.signaling.events.LeaveReason;
import dev.relay.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICE consent (RFC 7675 §5.1): a browser keeps checking a working pair every few seconds, so an
 * established Transport with no valid check for the ICE timeout has lost its path (network
 * change, the PeerConnection closed) even if the WebSocket still stands. Such a participant is
 * told ({@code ice_failed}, docs/signaling.md "Errors"), removed as if it had left, and its socket
 * closed. {@link #check} runs periodically on the control thread.
 */
final class ConsentMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentMonitor.class);

    private final Rooms rooms;
    private final Duration iceTimeout;
    private final LongSupplier nanoClock;

    /** @param nanoClock the clock {@code IceLiteAgent.lastRequestNanos} is read against (System.nanoTime) */
    ConsentMonitor(Rooms rooms, Duration iceTimeout, LongSupplier nanoClock) {
        this.rooms = rooms;
        this.iceTimeout = iceTimeout;
        this.nanoClock = nanoClock;
    }

    /** Often enough that a failure is noticed within about 1/6 of the timeout after it. */
    long checkIntervalMillis() {
        return Math.max(100, Math.min(5_000, iceTimeout.toMillis() / 6));
    }

    void check() {
        long now = nanoClock.getAsLong();
        long timeoutNanos = iceTimeout.toNanos();
        List<Participant> failed = new ArrayList<>();
        for (Room room : rooms.open()) {
            for (Participant participant : room.participants()) {
                if (expired(participant.publish().transport(), now, timeoutNanos)
                        || expired(participant.subscribe().transport(), now, timeoutNanos)) {
                    failed.add(participant);
                }
            }
        }
        for (Participant participant : failed) {
            LOG.warn("{} in room {}: no valid ICE check for {} ms, removing it", participant.id(),
                    participant.room().name(), iceTimeout.toMillis());
            participant.outbox().send(message("error").put("code", "ice_failed")
                    .put("message", "no ICE connectivity check from this client for " + iceTimeout.toSeconds()
                            + " s; rejoin to continue"));
            rooms.leave(participant, LeaveReason.ICE_FAILED);
            participant.outbox().close();
        }
    }

    /** A Transport that never passed a check (or is closed) has no consent to lose. */
    private static boolean expired(Transport transport, long now, long timeoutNanos) {
        if (transport == null || transport.isClosed()) {
            return false;
        }
        return expired(transport.ice().lastRequestNanos(), now, timeoutNanos);
    }

    /** {@code lastRequestNanos} 0 means no check yet; nanoTime values compare by difference only. */
    static boolean expired(long lastRequestNanos, long now, long timeoutNanos) {
        return lastRequestNanos != 0 && now - lastRequestNanos > timeoutNanos;
    }
}
