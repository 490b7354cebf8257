package dev.relay.signaling.events;

import java.time.Duration;

/**
 * Session lifecycle events (docs/events.md). Called on the signaling control thread, in the
 * order things happen; implementations must never block it.
 */
public interface SessionEvents {
    void roomCreated(String room);

    void roomClosed(String room);

    void participantJoined(String room, String participantId, String name);

    void participantLeft(String room, String participantId, LeaveReason reason);

    void trackPublished(String room, String participantId, String trackId, String kind, String codec);

    void trackUnpublished(String room, String participantId, String trackId, String kind);

    void subscriptionStarted(String room, String subscriberId, String publisherId, String trackId, String kind);

    void subscriptionStopped(String room, String subscriberId, String publisherId, String trackId, String kind);

    void participantQuality(String room, QualitySample sample);

    /** Delivers what is still pending, waiting at most {@code timeout}, then releases resources. */
    default void close(Duration timeout) {
    }
}
