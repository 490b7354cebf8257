package dev.relay.signaling;

import dev.relay.signaling.sdp.SubscribeOffer;
import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The relay's side of one participant's subscribe PeerConnection: its Transport, its m-section
 * slots and the offer/answer state. The relay offers, so it must never have two offers in flight
 * (docs/signaling.md "Flow"): a change while an offer is outstanding is remembered and offered
 * once the answer arrives. Control thread only.
 *
 * <pre>
 *   state                   beginOffer()               the answer to offer n (checkAnswer, answered)
 *   stable                  -> outstanding, returns n  refused: bad_state
 *   outstanding             -> pending, NO_OFFER       -> stable, answered() false
 *   outstanding + pending   stays, NO_OFFER            -> stable, answered() true: offer again
 * </pre>
 * A wrong version or a bad SDP leaves the state as it was.
 */
final class SubscribeNegotiation {
    /** What {@link #beginOffer} returns when no offer is to be sent now. Real versions start at 1. */
    static final long NO_OFFER = 0;

    private final List<SubscribeSlot> slots = new ArrayList<>();
    private final PayloadTypes payloadTypes = new PayloadTypes();
    private Transport transport;
    private long version;
    private boolean offerOutstanding;
    private boolean renegotiationNeeded;
    private boolean dtlsStarted;
    /** Audio level (RFC 6464) is offered and, until an answer declines it, sent. */
    private boolean audioLevel = true;
    private boolean transportCc;
    private int nextMid;

    /** The subscribe Transport, or null before the first slot. */
    Transport transport() {
        return transport;
    }

    void transport(Transport transport) {
        if (this.transport != null) {
            throw new IllegalStateException("the subscribe Transport is already set");
        }
        this.transport = transport;
    }

    PayloadTypes payloadTypes() {
        return payloadTypes;
    }

    List<SubscribeSlot> slots() {
        return Collections.unmodifiableList(slots);
    }

    /**
     * Adds an m-section: in the place of the first recyclable one of the same kind, else at the
     * end. Its mid is new either way (a counter): a mid is never reused (RFC 8843 §7.2.1).
     */
    SubscribeSlot addSlot(PublishedTrack track, int consumerId, long ssrc, int payloadType) {
        return addSlot(track, consumerId, ssrc, payloadType, 0, -1);
    }

    /** As {@link #addSlot(PublishedTrack, int, long, int)}, with an RTX stream (0 / -1: none). */
    SubscribeSlot addSlot(PublishedTrack track, int consumerId, long ssrc, int payloadType, long rtxSsrc,
                          int rtxPayloadType) {
        SubscribeSlot slot = new SubscribeSlot(String.valueOf(nextMid++), track, consumerId, ssrc, payloadType,
                rtxSsrc, rtxPayloadType);
        int place = recyclablePlace(track.kind());
        if (place >= 0) {
            slots.set(place, slot);
        } else {
            slots.add(slot);
        }
        return slot;
    }

    /** True if a track of {@code kind} needs a new m-section at the end (no place to recycle). */
    boolean needsNewSection(String kind) {
        return recyclablePlace(kind) < 0;
    }

    private int recyclablePlace(String kind) {
        for (int i = 1; i < slots.size(); i++) {
            SubscribeSlot old = slots.get(i);
            if (old.isRecyclable() && old.track().kind().equals(kind)) {
                return i;
            }
        }
        return -1;
    }

    /** The m-sections of the offer {@code version} (from {@link #beginOffer}); all but the first may be rejected. */
    List<SubscribeOffer.Slot> offerSlots(long version) {
        List<SubscribeOffer.Slot> offer = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            offer.add(slots.get(i).toOfferSlot(i > 0, version));
        }
        return offer;
    }

    /** The active slot forwarding the given Producer, or null. */
    SubscribeSlot activeSlotFor(int producerId) {
        for (SubscribeSlot slot : slots) {
            if (slot.isActive() && slot.track().producerId() == producerId) {
                return slot;
            }
        }
        return null;
    }

    /**
     * The slots changed. Returns the version of the offer to send now, or {@link #NO_OFFER} when
     * there is nothing to offer or an offer is already outstanding; in that case the change is
     * remembered and {@link #answered} asks for one new offer.
     */
    long beginOffer() {
        if (slots.isEmpty()) {
            return NO_OFFER;
        }
        if (offerOutstanding) {
            renegotiationNeeded = true;
            return NO_OFFER;
        }
        renegotiationNeeded = false;
        offerOutstanding = true;
        return ++version;
    }

    /** Refuses an answer unless it answers the outstanding offer (docs/signaling.md: {@code bad_state}). */
    void checkAnswer(long answeredVersion) throws SignalingException {
        if (!offerOutstanding) {
            throw new SignalingException("bad_state", "no subscribe offer is outstanding");
        }
        if (answeredVersion != version) {
            throw new SignalingException("bad_state", "answer is for version " + answeredVersion
                    + ", outstanding is " + version);
        }
    }

    /**
     * The outstanding offer was answered (after {@link #checkAnswer}). Returns true when the slots
     * changed while it was outstanding, so exactly one new offer is due.
     */
    boolean answered() {
        offerOutstanding = false;
        for (SubscribeSlot slot : slots) {
            slot.answered(version);
        }
        return renegotiationNeeded;
    }

    /**
     * True once DTLS was started: the first accepted answer carries the browser's certificate
     * fingerprint, so DTLS starts then (RFC 5763 §5); later answers keep the same Transport. A
     * refused answer (bad_sdp) leaves it for the next one.
     */
    boolean dtlsStarted() {
        return dtlsStarted;
    }

    void markDtlsStarted() {
        dtlsStarted = true;
    }

    /** The browser's answer kept transport-wide congestion control: the relay stamps what it sends. */
    boolean transportCc() {
        return transportCc;
    }

    void markTransportCc() {
        transportCc = true;
    }

    boolean audioLevel() {
        return audioLevel;
    }

    void declineAudioLevel() {
        audioLevel = false;
    }

    boolean offerOutstanding() {
        return offerOutstanding;
    }

    long version() {
        return version;
    }
}
