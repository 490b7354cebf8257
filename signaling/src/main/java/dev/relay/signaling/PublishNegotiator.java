package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;
import static dev.relay.signaling.Messages.withId;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.Codec;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.signaling.sdp.PublishNegotiation;
import dev.relay.signaling.sdp.SdpException;
import dev.relay.signaling.sdp.TrackOffer;
import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The publish PeerConnection (docs/signaling.md): answers a participant's {@code publish} offer,
 * turns the offered tracks into Producers (diffed against what it already publishes), and tells
 * the room about tracks that come and go. The state is the participant's {@link PublishState}.
 * Control thread only.
 */
final class PublishNegotiator {
    private final TransportFactory transports;
    private final DtlsStarter dtls;
    private final SubscribeNegotiator subscriber;
    private final SessionEvents events;
    private final long sessionId;
    private final int maxTracks;
    private int nextProducer = 1;
    private RoomListener listener = RoomListener.NONE;

    PublishNegotiator(TransportFactory transports, DtlsStarter dtls, SubscribeNegotiator subscriber,
                      SessionEvents events, long sessionId) {
        this(transports, dtls, subscriber, events, sessionId, Limits.DEFAULT_TRACKS_PER_PARTICIPANT);
    }

    /** @param maxTracks the most tracks one participant may publish (m-sections of its offer) */
    PublishNegotiator(TransportFactory transports, DtlsStarter dtls, SubscribeNegotiator subscriber,
                      SessionEvents events, long sessionId, int maxTracks) {
        this.maxTracks = maxTracks;
        this.transports = transports;
        this.dtls = dtls;
        this.subscriber = subscriber;
        this.events = events;
        this.sessionId = sessionId;
    }

    /** Who hears of tracks published and unpublished here (the pipes to other nodes). */
    void listener(RoomListener roomListener) {
        listener = roomListener;
    }

    /** A Producer id no other Producer of this relay has (the pipes' Producers take theirs here too). */
    int nextProducerId() {
        return nextProducer++;
    }

    /**
     * Answers an offer ({@code publishAnswer}). A track whose mid is new, or whose SSRC changed,
     * becomes a new Producer (replacing the old one); a published mid missing from the offer is
     * unpublished. Tracks that went away are announced before the answer, new ones after it.
     */
    void publish(Participant participant, String offerSdp, JsonNode id) throws SignalingException {
        publish(participant, offerSdp, List.of(), id);
    }

    /**
     * As {@link #publish(Participant, String, JsonNode)}, with what the client says about its
     * tracks ({@code tracks}: screen share, muted at start). An offer whose ICE ufrag differs from
     * the last accepted one is an ICE restart (RFC 8839 §4.4.1.1.1, RFC 8445 §9): the relay's
     * Transport gets new credentials and the answer carries them; DTLS and SRTP go on as they were.
     */
    void publish(Participant participant, String offerSdp, List<TrackOption> options, JsonNode id)
            throws SignalingException {
        Room room = participant.room();
        PublishState state = participant.publish();
        if (state.transport() == null) {
            state.transport(transports.open(room.router()));
        }
        Transport transport = state.transport();
        long version = state.nextAnswerVersion();
        PublishNegotiation negotiation = negotiate(offerSdp, transport, version);
        String ufrag = negotiation.remote().iceUfrag();
        if (state.remoteUfrag() != null && !state.remoteUfrag().equals(ufrag)) {
            transports.restartIce(transport, true);
            negotiation = negotiate(offerSdp, transport, version);
        }
        if (negotiation.tracks().size() > maxTracks) {
            // Each track is a Producer here and an m-section in every other participant's offer.
            throw SignalingException.limit(Limit.TRACKS_PER_PARTICIPANT, "the offer has "
                    + negotiation.tracks().size() + " tracks; at most " + maxTracks + " per participant");
        }
        if (!state.dtlsStarted()) {
            dtls.start(participant, transport, negotiation.remote());
            state.markDtlsStarted();
        }
        state.remoteUfrag(ufrag);
        int transportCc = negotiation.extensionId(PublishNegotiation.TRANSPORT_CC_EXTENSION);
        if (transportCc > 0) {
            room.router().enableTransportCc(transport, transportCc);
        }
        List<PublishedTrack> added = new ArrayList<>();
        List<String> offeredMids = new ArrayList<>();
        for (TrackOffer offer : negotiation.tracks()) {
            offeredMids.add(offer.mid());
            PublishedTrack existing = state.track(offer.mid());
            if (existing != null && existing.ssrc() == offer.ssrc() && existing.layers() == offer.rids().size()) {
                continue;
            }
            if (existing != null) {
                unpublish(participant, existing);
            }
            Codec codec = Codec.valueOf(offer.codecName().toUpperCase(Locale.ROOT));
            PublishedTrack track = new PublishedTrack(nextProducer++, offer.mid(), offer.trackId(), offer.kind(),
                    codec, offer.fmtp(), offer.ssrc(), offer.rids(), participant);
            if (offer.simulcast()) {
                room.router().createSimulcastProducer(track.producerId(), transport, codec, offer.mid(), offer.rids(),
                        negotiation.extensionId(PublishNegotiation.MID_EXTENSION),
                        negotiation.extensionId(PublishNegotiation.RID_EXTENSION), subscriber.retransmits(track),
                        offer.payloadType(),
                        offer.repaired() ? negotiation.extensionId(PublishNegotiation.REPAIRED_RID_EXTENSION) : -1);
            } else {
                room.router().createProducer(track.producerId(), transport, codec, (int) offer.ssrc(),
                        offer.payloadType(), subscriber.retransmits(track), (int) offer.rtxSsrc());
            }
            if (offer.red()) {
                room.router().setRedPayloadType(track.producerId(), offer.redPayloadType());
            }
            int audioLevel = negotiation.extensionId(PublishNegotiation.AUDIO_LEVEL_EXTENSION);
            if (offer.kind().equals("audio") && audioLevel > 0) {
                room.router().setAudioLevelExtension(track.producerId(), audioLevel);
            }
            state.add(track);
            state.media(track, new PublishState.TrackMedia(offer.payloadType(), offer.red() ? offer.redPayloadType() : -1,
                    offer.kind().equals("audio") && audioLevel > 0 ? audioLevel : -1));
            added.add(track);
        }
        for (PublishedTrack track : List.copyOf(state.tracks())) {
            if (!offeredMids.contains(track.mid())) {
                unpublish(participant, track);
            }
        }
        for (PublishedTrack track : added) {
            for (TrackOption option : options) {
                if (option.trackId().equals(track.trackId())) {
                    if (option.source() != null) {
                        state.source(track.trackId(), option.source());
                    }
                    state.mute(track.trackId(), option.muted());
                }
            }
            if (track.kind().equals("video") && TrackOption.SCREEN.equals(state.source(track))) {
                room.router().setScreenShare(track.producerId(), true);
            }
        }
        ObjectNode answer = withId(message("publishAnswer"), id).put("sdp", negotiation.answerSdp());
        if (!negotiation.rejected().isEmpty()) {
            // docs/signaling.md: each m-section the relay turned down, so the client can say why.
            ArrayNode rejected = answer.putArray("rejected");
            for (PublishNegotiation.Rejection r : negotiation.rejected()) {
                rejected.addObject().put("mid", r.mid()).put("kind", r.kind()).put("reason", r.reason());
            }
        }
        participant.outbox().send(answer);
        announce(participant, added);
    }

    /**
     * Tells the room of tracks {@code participant} added: {@code trackPublished} and a subscription
     * for each of the others here, then one offer each; then the pipes to other nodes. A
     * participant of another node ({@link Participant#isRemote}) has its tracks announced here
     * this way as they arrive over its pipe; its own node emits their session events.
     */
    void announce(Participant participant, List<PublishedTrack> added) {
        Room room = participant.room();
        PublishState state = participant.publish();
        for (PublishedTrack track : added) {
            if (!participant.isRemote()) {
                events.trackPublished(room.name(), participant.id(), track.trackId(), track.kind(), track.codecName());
            }
            for (Participant other : room.others(participant)) {
                other.outbox().send(message("trackPublished").put("participantId", participant.id())
                        .put("trackId", track.trackId()).put("kind", track.kind())
                        .put("source", state.source(track)).put("muted", state.muted(track)));
                subscriber.subscribe(other, track);
            }
        }
        if (!added.isEmpty()) {
            // One offer carries every track of this publish: an offer per track would cost each
            // subscriber a round trip per track (one offer outstanding at a time).
            for (Participant other : room.others(participant)) {
                subscriber.offer(other);
            }
        }
        for (PublishedTrack track : added) {
            listener.trackPublished(track);
        }
    }

    private PublishNegotiation negotiate(String offerSdp, Transport transport, long version)
            throws SignalingException {
        try {
            return PublishNegotiation.answer(offerSdp, transports.describe(transport), sessionId, version, true,
                    subscriber.retransmissionsEnabled(), subscriber.redEnabled());
        } catch (SdpException e) {
            throw new SignalingException("bad_sdp", e.getMessage());
        }
    }

    /**
     * The publisher muted or unmuted one of its tracks (docs/signaling.md {@code mute}); the others
     * hear {@code trackMuted}. A client that mutes stops sending that track's media itself.
     */
    void mute(Participant participant, String trackId, boolean muted) throws SignalingException {
        PublishState state = participant.publish();
        PublishedTrack track = state.trackById(trackId);
        if (track == null) {
            throw SignalingException.badRequest("no published track " + trackId);
        }
        if (!state.mute(trackId, muted)) {
            return;
        }
        for (Participant other : participant.room().others(participant)) {
            other.outbox().send(message("trackMuted").put("participantId", participant.id())
                    .put("trackId", trackId).put("kind", track.kind()).put("muted", muted));
        }
        listener.trackMuted(track, muted);
    }

    /** Every track the participant publishes goes away (it is leaving). */
    void unpublishAll(Participant participant) {
        for (PublishedTrack track : List.copyOf(participant.publish().tracks())) {
            unpublish(participant, track);
        }
    }

    /**
     * Closes the track's Producer and tells the room. Events mirror the start order
     * (docs/events.md): subscriptions stop before their track is unpublished.
     */
    void unpublish(Participant participant, PublishedTrack track) {
        Room room = participant.room();
        participant.publish().remove(track);
        room.router().closeProducer(track.producerId());
        List<Participant> renegotiate = new ArrayList<>();
        for (Participant other : room.others(participant)) {
            if (subscriber.trackGone(other, track)) {
                renegotiate.add(other);
            }
        }
        if (!participant.isRemote()) {
            events.trackUnpublished(room.name(), participant.id(), track.trackId(), track.kind());
        }
        for (Participant other : room.others(participant)) {
            other.outbox().send(message("trackUnpublished").put("participantId", participant.id())
                    .put("trackId", track.trackId()));
            if (renegotiate.contains(other)) {
                subscriber.offer(other);
            }
        }
        listener.trackUnpublished(track);
    }
}
