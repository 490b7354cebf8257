package dev.relay.signaling;

import dev.relay.signaling.sdp.SubscribeOffer;

/**
 * One m-section of a subscriber's subscribe PeerConnection, bound to one Consumer while active.
 * m-sections stay in the offer once there (RFC 8829 §5.2.2). When its track goes, the next offer
 * rejects the m-section (port 0); once the browser's answer has accepted that, the place may be
 * recycled for a new track with a new mid (RFC 8829 §5.2.2, "recycled"), so a subscriber's offer
 * grows with the tracks it receives at once, not with every track it ever received. The first
 * m-section is only made {@code a=inactive}: it tags the BUNDLE group.
 */
final class SubscribeSlot {
    private final String mid;
    private final PublishedTrack track;
    private final int consumerId;
    private final long ssrc;
    private final int payloadType;
    private final long rtxSsrc;
    private final int rtxPayloadType;
    /** The simulcast layer the subscriber asked for (setSubscription), the highest until it asks. */
    private int requestedLayer;
    /** The payload type offered for redundant audio (RFC 2198), -1 for none. */
    private int redPayloadType = -1;
    private boolean active = true;
    /** The version of the first offer that rejected this m-section; 0 while it has not. */
    private long rejectedIn;
    private boolean recyclable;

    SubscribeSlot(String mid, PublishedTrack track, int consumerId, long ssrc, int payloadType) {
        this(mid, track, consumerId, ssrc, payloadType, 0, -1);
    }

    SubscribeSlot(String mid, PublishedTrack track, int consumerId, long ssrc, int payloadType, long rtxSsrc,
                  int rtxPayloadType) {
        this.rtxSsrc = rtxSsrc;
        this.rtxPayloadType = rtxPayloadType;
        this.mid = mid;
        this.track = track;
        this.consumerId = consumerId;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.requestedLayer = Math.max(0, track.layers() - 1);
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

    /** The layer this subscriber asked for (0 lowest); for a single stream 0. */
    int requestedLayer() {
        return requestedLayer;
    }

    void requestLayer(int layer) {
        requestedLayer = layer;
    }

    int redPayloadType() {
        return redPayloadType;
    }

    /** Offer RED (RFC 2198) as {@code payloadType} in this audio m-section. */
    void offerRed(int payloadType) {
        redPayloadType = payloadType;
    }

    boolean isActive() {
        return active;
    }

    /** The track went away or the subscriber left; the next offer marks the m-section inactive. */
    void deactivate() {
        active = false;
    }

    /**
     * The browser's answer to {@code version} rejected this m-section (port 0): it stops, and the
     * rejection is already agreed, so the place may be recycled (not the first m-section's).
     */
    void rejectedByAnswer(long version) {
        active = false;
        if (rejectedIn == 0) {
            rejectedIn = version;
        }
    }

    /** In the offer of {@code version}: rejected (port 0) if inactive and {@code mayReject}. */
    SubscribeOffer.Slot toOfferSlot(boolean mayReject, long version) {
        boolean rejected = !active && mayReject;
        if (rejected && rejectedIn == 0) {
            rejectedIn = version;
        }
        return new SubscribeOffer.Slot(mid, track.kind(), track.codecName(), payloadType, track.fmtp(), ssrc,
                track.owner().id(), track.trackId(), active, rejected, rtxSsrc, rtxPayloadType, redPayloadType);
    }

    /** The answer to {@code version} was accepted: a rejection offered by then is now agreed. */
    void answered(long version) {
        if (rejectedIn != 0 && rejectedIn <= version) {
            recyclable = true;
        }
    }

    /** Rejected in an offer the browser has answered: its place may take a new track and mid. */
    boolean isRecyclable() {
        return recyclable;
    }
}
