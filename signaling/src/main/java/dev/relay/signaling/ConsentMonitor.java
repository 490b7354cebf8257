package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

import dev.relay.signaling.events.LeaveReason;
import dev.relay.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICE consent (RFC 7675 §5.1): a browser keeps checking a working pair every few seconds, so an
 * established Transport with no valid check for the ICE timeout has lost its path (network
 * change, the PeerConnection closed) even if the WebSocket still stands. The relay is ICE-lite and
 * sends no checks of its own; a full agent that keeps its pair alive with Binding indications
 * instead of requests (libnice's default, so GStreamer webrtcbin) proves it is there by its SRTP
 * and SRTCP, which authenticate with keys only it holds: either counts
 * ({@link Transport#lastAuthenticatedNanos}). Such a participant is
 * told ({@code ice_failed}, docs/signaling.md "Errors"), removed as if it had left, and its socket
 * closed. A Transport that never passes a check at all (a client that negotiates and then never
 * does ICE) gets the same timeout, counted from the first time this monitor saw it, so it cannot
 * hold a session and its resources forever. {@link #check} runs periodically on the control thread.
 */
final class ConsentMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentMonitor.class);
    /** Peers cause these: at most one line per 10 s, with a count of the rest. */
    private static final LogThrottle WARNINGS = new LogThrottle(LOG, 10_000_000_000L, System::nanoTime);

    private final Rooms rooms;
    private final Duration iceTimeout;
    private final LongSupplier nanoClock;
    /** Transports without a check yet, and when this monitor first saw each; rebuilt every check. */
    private Map<Transport, Long> unchecked = new IdentityHashMap<>();

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
        Map<Transport, Long> stillUnchecked = new IdentityHashMap<>();
        List<Participant> failed = new ArrayList<>();
        for (Room room : rooms.open()) {
            for (Participant participant : room.participants()) {
                boolean publishExpired = expired(participant.publish().transport(), now, timeoutNanos, stillUnchecked);
                boolean subscribeExpired = expired(participant.subscribe().transport(), now, timeoutNanos,
                        stillUnchecked);
                if (publishExpired || subscribeExpired) {
                    failed.add(participant);
                }
            }
        }
        unchecked = stillUnchecked;
        for (Participant participant : failed) {
            WARNINGS.warn("ice_failed", "{} in room {}: no valid ICE check or media for {} ms, removing it", participant.id(),
                    participant.room().name(), iceTimeout.toMillis());
            participant.outbox().send(message("error").put("code", "ice_failed")
                    .put("message", "no ICE connectivity check or media from this client for "
                            + iceTimeout.toSeconds() + " s; rejoin to continue"));
            rooms.leave(participant, LeaveReason.ICE_FAILED);
            participant.outbox().close();
        }
    }

    /**
     * A closed Transport has no consent to lose. One without a check yet is timed from when this
     * monitor first saw it (remembered in {@code stillUnchecked}).
     */
    private boolean expired(Transport transport, long now, long timeoutNanos, Map<Transport, Long> stillUnchecked) {
        if (transport == null || transport.isClosed()) {
            return false;
        }
        long last = latest(transport.ice().lastRequestNanos(), transport.lastAuthenticatedNanos());
        if (last == 0) {
            long since = unchecked.getOrDefault(transport, now);
            stillUnchecked.put(transport, since);
            return now - since > timeoutNanos;
        }
        return expired(last, now, timeoutNanos);
    }

    /** The later of two nanoTime readings, 0 meaning none; compared by difference (they may wrap). */
    static long latest(long a, long b) {
        if (a == 0 || b == 0) {
            return a == 0 ? b : a;
        }
        return a - b >= 0 ? a : b;
    }

    /** {@code lastRequestNanos} 0 means no check yet; nanoTime values compare by difference only. */
    static boolean expired(long lastRequestNanos, long now, long timeoutNanos) {
        return lastRequestNanos != 0 && now - lastRequestNanos > timeoutNanos;
    }
}
