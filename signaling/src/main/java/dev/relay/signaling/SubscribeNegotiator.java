package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

import dev.relay.sfu.Codec;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.signaling.sdp.SdpException;
import dev.relay.signaling.sdp.SubscribeAnswer;
import dev.relay.signaling.sdp.SubscribeOffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The subscribe PeerConnection (docs/signaling.md): forwards other participants' tracks to a
 * subscriber as slots with Consumers, offers them ({@code subscribeOffer}) one offer at a time
 * and takes the browser's {@code subscribeAnswer}. The offer/answer state is the subscriber's
 * {@link SubscribeNegotiation}. Control thread only.
 */
final class SubscribeNegotiator {
    private final TransportFactory transports;
    private final DtlsStarter dtls;
    private final SessionEvents events;
    private final long sessionId;
    private final int maxSlots;
    private final LimitCounters limitCounters;
    private final boolean retransmissions;
    private final boolean red;
    private int nextConsumer = 1;

    SubscribeNegotiator(TransportFactory transports, DtlsStarter dtls, SessionEvents events, long sessionId) {
        this(transports, dtls, events, sessionId, Limits.DEFAULT_SUBSCRIBE_SLOTS, new LimitCounters(), LossRepair.on());
    }

    /**
     * @param maxSlots the most m-sections of one subscribe PeerConnection; a track beyond them is
     *                 not forwarded, counted in {@code limitCounters}
     */
    SubscribeNegotiator(TransportFactory transports, DtlsStarter dtls, SessionEvents events, long sessionId,
                        int maxSlots, LimitCounters limitCounters, LossRepair repair) {
        this.retransmissions = repair.nack();
        this.red = repair.red();
        this.maxSlots = maxSlots;
        this.limitCounters = limitCounters;
        this.transports = transports;
        this.dtls = dtls;
        this.events = events;
        this.sessionId = sessionId;
    }

    /**
     * Starts forwarding {@code track} to {@code subscriber}: a new slot and its Consumer (on a
     * subscribe Transport opened on first use). The caller sends the offer with {@link #offer}.
     */
    void subscribe(Participant subscriber, PublishedTrack track) {
        if (!subscriber.grant().canSubscribe()) {
            return; // its token has canSubscribe: false (docs/signaling.md "Authentication")
        }
        Room room = subscriber.room();
        SubscribeNegotiation negotiation = subscriber.subscribe();
        if (negotiation.transport() == null) {
            negotiation.transport(transports.open(room.router()));
        }
        if (negotiation.slots().size() >= maxSlots && negotiation.needsNewSection(track.kind())) {
            // m-sections are never removed (RFC 8829 §5.2.2), only recycled once rejected: the cap
            // bounds the offer's size and the browser's work when many tracks are live at once.
            limitCounters.refused(Limit.SUBSCRIBE_SLOTS);
            subscriber.outbox().send(message("error").put("code", SignalingException.LIMIT_EXCEEDED)
                    .put("reason", Limit.SUBSCRIBE_SLOTS.wireName())
                    .put("message", "track " + track.trackId() + " of " + track.owner().id()
                            + " is not forwarded: the subscribe PeerConnection has " + maxSlots
                            + " m-sections, the most this relay offers; rejoin to start afresh"));
            return;
        }
        int payloadType = negotiation.payloadTypes().assign(track.codecName(), track.fmtp());
        if (payloadType == PayloadTypes.NONE) {
            limitCounters.refused(Limit.SUBSCRIBE_SLOTS);
            subscriber.outbox().send(message("error").put("code", SignalingException.LIMIT_EXCEEDED)
                    .put("reason", Limit.SUBSCRIBE_SLOTS.wireName())
                    .put("message", "track " + track.trackId() + " of " + track.owner().id()
                            + " is not forwarded: the subscribe PeerConnection has used every dynamic payload "
                            + "type on other codec configurations; rejoin to start afresh"));
            return;
        }
        int consumerId = nextConsumer++;
        long ssrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
        // RFC 4588: a retransmission stream of its own per video track.
        boolean rtx = retransmits(track);
        long rtxSsrc = rtx ? ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL) : 0;
        int rtxPayloadType = rtx ? negotiation.payloadTypes().assign("rtx", "apt=" + payloadType) : -1;
        if (rtxPayloadType == PayloadTypes.NONE) {
            rtxSsrc = 0;
        }
        SubscribeSlot slot = negotiation.addSlot(track, consumerId, ssrc, payloadType, rtxSsrc, rtxPayloadType);
        if (red && track.codec() == Codec.OPUS) {
            // Offered on every audio slot; sent once the answer keeps it and the publisher sends RED.
            int redPayloadType = negotiation.payloadTypes().assign("red", payloadType + "/" + payloadType);
            if (redPayloadType != PayloadTypes.NONE) {
                slot.offerRed(redPayloadType);
            }
        }
        room.router().createConsumer(consumerId, track.producerId(), negotiation.transport(), (int) ssrc,
                payloadType, (int) rtxSsrc, rtxPayloadType,
                track.kind().equals("audio") && negotiation.audioLevel() ? SubscribeOffer.AUDIO_LEVEL_EXTENSION_ID : -1);
        events.subscriptionStarted(room.name(), subscriber.id(), track.owner().id(), track.trackId(), track.kind());
    }

    /** A Consumer id no other Consumer of this relay has (the pipes' Consumers take theirs here too). */
    int nextConsumerId() {
        return nextConsumer++;
    }

    boolean retransmissionsEnabled() {
        return retransmissions;
    }

    /** Whether publishers are asked for Opus in RED and subscribers offered it (RFC 2198). */
    boolean redEnabled() {
        return red;
    }

    /**
     * Whether subscribers of {@code track} get retransmissions: video, single-stream or VP8
     * simulcast (the layers other codecs are forwarded at are not tracked), when the relay
     * retransmits (its Producer then keeps a packet cache per stream).
     */
    boolean retransmits(PublishedTrack track) {
        return retransmissions && track.kind().equals("video")
                && (track.layers() == 0 || track.codec() == Codec.VP8);
    }

    /**
     * The track's Producer closed (its Router drops the Consumers with it): the subscriber's slot
     * goes inactive. Returns false if the subscriber did not receive the track.
     */
    boolean trackGone(Participant subscriber, PublishedTrack track) {
        SubscribeSlot slot = subscriber.subscribe().activeSlotFor(track.producerId());
        if (slot == null) {
            return false;
        }
        slot.deactivate();
        events.subscriptionStopped(subscriber.room().name(), subscriber.id(), track.owner().id(), track.trackId(),
                track.kind());
        return true;
    }

    /** The subscriber leaves: every active slot stops and its Consumer closes. */
    void unsubscribeAll(Participant subscriber) {
        Room room = subscriber.room();
        for (SubscribeSlot slot : subscriber.subscribe().slots()) {
            if (slot.isActive()) {
                slot.deactivate();
                room.router().closeConsumer(slot.consumerId());
                PublishedTrack track = slot.track();
                events.subscriptionStopped(room.name(), subscriber.id(), track.owner().id(), track.trackId(),
                        track.kind());
            }
        }
    }

    /**
     * The subscriber's browser refused a track's m-section, typically because it does not decode
     * the publisher's codec (the relay does not transcode): forwarding stops, and the client hears
     * which track and why instead of waiting for media that never comes.
     */
    private void stopRejected(Participant subscriber, SubscribeSlot slot, long version) {
        slot.rejectedByAnswer(version);
        Room room = subscriber.room();
        room.router().closeConsumer(slot.consumerId());
        PublishedTrack track = slot.track();
        events.subscriptionStopped(room.name(), subscriber.id(), track.owner().id(), track.trackId(), track.kind());
        subscriber.outbox().send(message("trackUnsupported").put("participantId", track.owner().id())
                .put("trackId", track.trackId()).put("kind", track.kind()).put("codec", track.codecName())
                .put("message", "your answer rejected the m-section of " + track.kind() + " track " + track.trackId()
                        + " (" + track.codecName() + (track.fmtp().isEmpty() ? "" : " " + track.fmtp())
                        + "): the relay forwards the publisher's codec as is, and this browser did not accept it"));
    }

    /**
     * The subscriber asks for simulcast layer {@code layer} (0 lowest) of a track it receives; a
     * track it does not receive (gone meanwhile, or never) is ignored, as is a single-stream
     * track. The Consumer moves at the layer's next keyframe (docs/quality.md).
     */
    void setLayer(Participant subscriber, String publisherId, String trackId, int layer) {
        for (SubscribeSlot slot : subscriber.subscribe().slots()) {
            PublishedTrack track = slot.track();
            if (slot.isActive() && track.layers() > 0 && track.trackId().equals(trackId)
                    && track.owner().id().equals(publisherId)) {
                int capped = Math.min(layer, track.layers() - 1);
                slot.requestLayer(capped);
                subscriber.room().router().setConsumerLayer(slot.consumerId(), capped);
                return;
            }
        }
    }

    /**
     * The client asks for an ICE restart of its subscribe PeerConnection (docs/signaling.md
     * {@code restartIce}; the relay is the offerer there, so the restart is its to make, RFC 8445
     * §9): new local credentials now, and an offer carrying them, at once or after the outstanding
     * one is answered.
     */
    void restartIce(Participant subscriber) throws SignalingException {
        SubscribeNegotiation negotiation = subscriber.subscribe();
        if (negotiation.transport() == null) {
            throw new SignalingException("bad_state", "no subscribe PeerConnection to restart: nothing offered yet");
        }
        transports.restartIce(negotiation.transport(), false);
        offer(subscriber);
    }

    /** Sends a new subscribe offer, or remembers to once the outstanding one is answered. */
    void offer(Participant subscriber) {
        if (subscriber.hasLeft() || !subscriber.grant().canSubscribe()) {
            return;
        }
        SubscribeNegotiation negotiation = subscriber.subscribe();
        long version = negotiation.beginOffer();
        if (version == SubscribeNegotiation.NO_OFFER) {
            return;
        }
        List<SubscribeOffer.Slot> slots = negotiation.offerSlots(version);
        String sdp = SubscribeOffer.build(slots, transports.describe(negotiation.transport()), sessionId, version);
        subscriber.outbox().send(message("subscribeOffer").put("sdp", sdp).put("version", version));
    }

    /**
     * The browser's answer to the outstanding offer. The first one starts DTLS; a change that came
     * while the offer was outstanding is offered now.
     */
    void answer(Participant subscriber, String answerSdp, long version) throws SignalingException {
        SubscribeNegotiation negotiation = subscriber.subscribe();
        negotiation.checkAnswer(version);
        SubscribeAnswer parsed;
        try {
            parsed = SubscribeOffer.parseAnswer(answerSdp);
        } catch (SdpException e) {
            throw new SignalingException("bad_sdp", e.getMessage());
        }
        if (!negotiation.dtlsStarted()) {
            dtls.start(subscriber, negotiation.transport(), parsed.remote());
            negotiation.markDtlsStarted();
        }
        if (parsed.transportCc() && !negotiation.transportCc()) {
            // Stamped from now on; the browser's feedback drives its downlink estimate (docs/quality.md).
            negotiation.markTransportCc();
            subscriber.room().router().enableSubscriberTransportCc(negotiation.transport(),
                    SubscribeOffer.TRANSPORT_CC_EXTENSION_ID);
        }
        for (SubscribeSlot slot : negotiation.slots()) {
            if (slot.isActive() && parsed.rejectedMids().contains(slot.mid())) {
                stopRejected(subscriber, slot, version);
            }
        }
        for (SubscribeSlot slot : negotiation.slots()) {
            if (slot.isActive() && slot.redPayloadType() >= 0) {
                // RFC 3264 §6.1: a payload type the answer leaves out is not sent.
                subscriber.room().router().setConsumerRedPayloadType(slot.consumerId(),
                        parsed.takesRed(slot.mid(), slot.redPayloadType()) ? slot.redPayloadType() : -1);
            }
        }
        if (!parsed.audioLevel() && negotiation.audioLevel()) {
            // RFC 8285 §5: the browser declined the audio level extension; none is sent from now on.
            negotiation.declineAudioLevel();
            for (SubscribeSlot slot : negotiation.slots()) {
                if (slot.isActive() && slot.track().kind().equals("audio")) {
                    subscriber.room().router().setConsumerAudioLevelExtension(slot.consumerId(), -1);
                }
            }
        }
        if (negotiation.answered()) {
            offer(subscriber);
        }
    }
}
