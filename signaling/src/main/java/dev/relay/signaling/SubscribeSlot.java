package dev.relay.signaling;

import dev.relay.signaling.sdp.SubscribeOffer;

/**
 * One m-section of a subscriber's subscribe PeerConnection, bound to one Consumer while active.
 * A slot is never removed: m-sections stay in the offer once there (RFC 8829 §5.2.2), an
 * inactive slot becomes {@code a=inactive}.
 */
final class SubscribeSlot {
    private final String mid;
    private final PublishedTrack track;
    private final int consumerId;
    private final long ssrc;
    private final int payloadType;
    private boolean active = true;

    SubscribeSlot(String mid, PublishedTrack track, int consumerId, long ssrc, int payloadType) {
        this.mid = mid;
        this.track = track;
        this.consumerId = consumerId;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
    }

    String mid() {
        return mid;
    }

    PublishedTrack track() {
        return track;
    }

    int consumerId() {
        return consumerId;
    }

    boolean isActive() {
        return active;
    }

    /** The track went away or the subscriber left; the next offer marks the m-section inactive. */
    void deactivate() {
        active = false;
    }

    SubscribeOffer.Slot toOfferSlot() {
        return new SubscribeOffer.Slot(mid, track.kind(), track.codecName(), payloadType, track.fmtp(), ssrc,
                track.owner().id(), track.trackId(), active);
    }
}
