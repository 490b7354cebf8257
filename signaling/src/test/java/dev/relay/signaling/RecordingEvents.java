package dev.relay.signaling;

import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySample;
import dev.relay.signaling.events.SessionEvents;

/** Session events written as lines of a {@link Transcript}, so tests see them in order with messages. */
final class RecordingEvents implements SessionEvents {
    private final Transcript transcript;

    RecordingEvents(Transcript transcript) {
        this.transcript = transcript;
    }

    @Override
    public void roomCreated(String room) {
        transcript.add("event room.created " + room);
    }

    @Override
    public void roomClosed(String room) {
        transcript.add("event room.closed " + room);
    }

    @Override
    public void participantJoined(String room, String participantId, String name) {
        transcript.add("event participant.joined " + room + " " + participantId + " " + name);
    }

    @Override
    public void participantLeft(String room, String participantId, LeaveReason reason) {
        transcript.add("event participant.left " + room + " " + participantId + " " + reason.wireName());
    }

    @Override
    public void trackPublished(String room, String participantId, String trackId, String kind, String codec) {
        transcript.add("event track.published " + room + " " + participantId + " " + trackId + " " + kind + " "
                + codec);
    }

    @Override
    public void trackUnpublished(String room, String participantId, String trackId, String kind) {
        transcript.add("event track.unpublished " + room + " " + participantId + " " + trackId + " " + kind);
    }

    @Override
    public void subscriptionStarted(String room, String subscriberId, String publisherId, String trackId,
                                    String kind) {
        transcript.add("event subscription.started " + room + " " + subscriberId + " <- " + publisherId + " "
                + trackId + " " + kind);
    }

    @Override
    public void subscriptionStopped(String room, String subscriberId, String publisherId, String trackId,
                                    String kind) {
        transcript.add("event subscription.stopped " + room + " " + subscriberId + " <- " + publisherId + " "
                + trackId + " " + kind);
    }

    @Override
    public void participantQuality(String room, QualitySample sample) {
        transcript.add("event participant.quality " + room + " " + sample.participantId() + " publish="
                + sample.publish().tracks() + " subscribe=" + sample.subscribe().tracks());
    }
}
