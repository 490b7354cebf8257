package dev.relay.signaling;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded default: session events go to the log (logger "relay.events"). */
public final class LogSessionEvents implements SessionEvents {
    private static final Logger LOG = LoggerFactory.getLogger("relay.events");

    @Override
    public void roomCreated(String room) {
        LOG.info("room.created room={}", room);
    }

    @Override
    public void roomClosed(String room) {
        LOG.info("room.closed room={}", room);
    }

    @Override
    public void participantJoined(String room, String participantId) {
        LOG.info("participant.joined room={} participant={}", room, participantId);
    }

    @Override
    public void participantLeft(String room, String participantId, String reason) {
        LOG.info("participant.left room={} participant={} reason={}", room, participantId, reason);
    }

    @Override
    public void trackPublished(String room, String participantId, String trackId, String kind) {
        LOG.info("track.published room={} participant={} track={} kind={}", room, participantId, trackId, kind);
    }

    @Override
    public void trackUnpublished(String room, String participantId, String trackId) {
        LOG.info("track.unpublished room={} participant={} track={}", room, participantId, trackId);
    }

    @Override
    public void subscriptionStarted(String room, String subscriberId, String publisherId, String trackId) {
        LOG.info("subscription.started room={} subscriber={} publisher={} track={}", room, subscriberId,
                publisherId, trackId);
    }

    @Override
    public void subscriptionStopped(String room, String subscriberId, String publisherId, String trackId) {
        LOG.info("subscription.stopped room={} subscriber={} publisher={} track={}", room, subscriberId,
                publisherId, trackId);
    }
}
