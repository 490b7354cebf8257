package dev.relay.loadgen;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
    /** The o= session id of this peer's SDP (RFC 8866 §5.2). */
    final long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

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

    /**
     * Makes {@code transport} this peer's publish side: fresh SSRCs and sources for what the plan
     * sends, the transport registered on its I/O loop; returns the offer to send the server.
     */
    final String startPublishing(ClientTransport transport, IoLoop loop, RunConfig config) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int audioSsrc = plan.audio() ? random.nextInt(1, Integer.MAX_VALUE) : 0;
        int videoSsrc = plan.video() ? random.nextInt(1, Integer.MAX_VALUE) : 0;
        AudioSource audio = plan.audio() ? new AudioSource(audioSsrc, plan.index(), random.nextLong()) : null;
        VideoSource video = plan.video() ? new VideoSource(videoSsrc, plan.index(), config.videoBitrateKbps(),
                config.keyframeIntervalSeconds(), config.pacingFactor(), random.nextLong()) : null;
        publish = transport;
        loop.execute(() -> {
            try {
                loop.add(transport);
                transport.addSources(audio, video);
            } catch (IOException e) {
                transport.fail("cannot register socket: " + e);
            }
        });
        return Sdp.publishOffer(transport.localDescription(), sessionId, "lg-stream-" + plan.index(),
                plan.audio() ? Peer.AUDIO_TRACK_PREFIX + plan.index() : null, audioSsrc & 0xFFFFFFFFL,
                plan.video() ? Peer.VIDEO_TRACK_PREFIX + plan.index() : null, videoSsrc & 0xFFFFFFFFL);
    }

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
