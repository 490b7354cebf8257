package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One synthetic participant as the run sees it, whatever server it talks to: its plan, its
 * publish and subscribe {@link ClientTransport}s, and the signaling errors it met. A subclass
 * speaks one server's signaling: {@link Peer} the relay's WebSocket protocol, {@link JanusPeer}
 * the Janus VideoRoom API.
 */
abstract class SyntheticPeer {
    final Scenario.PeerPlan plan;
    private final AtomicInteger signalingErrors = new AtomicInteger();
    private final List<String> errorMessages = new ArrayList<>();
    volatile ClientTransport publish;
    volatile ClientTransport subscribe;

    SyntheticPeer(Scenario.PeerPlan plan) {
        this.plan = plan;
    }

    final String name() {
        return plan.name();
    }

    /** Joins (and publishes, for a publisher); completes when the server answered what was sent. */
    abstract CompletableFuture<Void> start();

    /**
     * Subscribes to the room's publishers, for servers where the subscriber asks (Janus); the
     * relay offers on its own, so by default there is nothing to do.
     */
    CompletableFuture<Void> subscribe() {
        return CompletableFuture.completedFuture(null);
    }

    /** Leaves politely; completes when the server confirmed or gave up. */
    abstract CompletableFuture<Void> leave();

    /** Drops the signaling connection at once. */
    abstract void abort();

    final int signalingErrors() {
        return signalingErrors.get();
    }

    final synchronized List<String> errorMessages() {
        return new ArrayList<>(errorMessages);
    }

    final synchronized void recordError(String text) {
        signalingErrors.incrementAndGet();
        if (errorMessages.size() < 5) {
            errorMessages.add(text);
        }
    }
}
