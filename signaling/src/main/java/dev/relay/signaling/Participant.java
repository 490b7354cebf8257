package dev.relay.signaling;

import dev.relay.signaling.sdp.SubscribeOffer;
import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client in a Room: its two Transports (publish, subscribe), the tracks it publishes and
 * the m-section slots of its subscribe PeerConnection. Control thread only.
 */
final class Participant {
    /** One m-section on the subscribe PeerConnection, bound to one Consumer while active. */
    static final class Slot {
        final String mid;
        final PublishedTrack track;
        final int consumerId;
        final long ssrc;
        final int payloadType;
        boolean active = true;

        Slot(String mid, PublishedTrack track, int consumerId, long ssrc, int payloadType) {
            this.mid = mid;
            this.track = track;
            this.consumerId = consumerId;
            this.ssrc = ssrc;
            this.payloadType = payloadType;
        }

        SubscribeOffer.Slot toOfferSlot() {
            return new SubscribeOffer.Slot(mid, track.kind(), track.codec() == dev.relay.sfu.Codec.OPUS ? "opus"
                    : track.codec().name(), payloadType, track.fmtp(), ssrc, track.owner().id(), track.trackId(),
                    active);
        }
    }

    private final String id;
    private final String name;
    private final Room room;
    private final Outbox outbox;
    private final Map<String, PublishedTrack> published = new LinkedHashMap<>();
    private final List<Slot> slots = new ArrayList<>();
    Transport publishTransport;
    Transport subscribeTransport;
    long publishVersion;
    long subscribeVersion;
    boolean subscribeOfferOutstanding;
    boolean subscribeRenegotiationNeeded;
    boolean subscribeDtlsStarted;
    boolean left;

    Participant(String id, String name, Room room, Outbox outbox) {
        this.id = id;
        this.name = name;
        this.room = room;
        this.outbox = outbox;
    }

    String id() {
        return id;
    }

    String name() {
        return name;
    }

    Room room() {
        return room;
    }

    Outbox outbox() {
        return outbox;
    }

    Map<String, PublishedTrack> published() {
        return published;
    }

    List<Slot> slots() {
        return slots;
    }

    Slot slotFor(int producerId) {
        for (Slot slot : slots) {
            if (slot.active && slot.track.producerId() == producerId) {
                return slot;
            }
        }
        return null;
    }
}
