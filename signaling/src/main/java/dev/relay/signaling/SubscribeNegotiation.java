package dev.relay.signaling;

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
    private Transport transport;
    private long version;
    private boolean offerOutstanding;
    private boolean renegotiationNeeded;
    private boolean dtlsStarted;

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

    List<SubscribeSlot> slots() {
        return Collections.unmodifiableList(slots);
    }

    /** Adds an m-section at the end; mids are the slot indexes, so they are never reused. */
    SubscribeSlot addSlot(PublishedTrack track, int consumerId, long ssrc, int payloadType) {
        SubscribeSlot slot = new SubscribeSlot(String.valueOf(slots.size()), track, consumerId, ssrc, payloadType);
        slots.add(slot);
        return slot;
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

    boolean offerOutstanding() {
        return offerOutstanding;
    }

    long version() {
        return version;
    }
}
