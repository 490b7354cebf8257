package dev.relay.signaling;

/**
 * Session lifecycle events (room, participant, track, subscription). Called on the control
 * thread; implementations must not block it.
 */
public interface SessionEvents {
    void roomCreated(String room);

    void roomClosed(String room);

    void participantJoined(String room, String participantId);

    void participantLeft(String room, String participantId, String reason);

    void trackPublished(String room, String participantId, String trackId, String kind);

    void trackUnpublished(String room, String participantId, String trackId);

    void subscriptionStarted(String room, String subscriberId, String publisherId, String trackId);

    void subscriptionStopped(String room, String subscriberId, String publisherId, String trackId);
}
