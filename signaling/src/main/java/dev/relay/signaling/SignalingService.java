package dev.relay.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.Codec;
import dev.relay.sfu.MediaWorkers;
import dev.relay.sfu.RouterStats;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySample;
import dev.relay.signaling.events.QualitySampler;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.signaling.sdp.LocalTransportInfo;
import dev.relay.signaling.sdp.PublishNegotiation;
import dev.relay.signaling.sdp.RemoteTransportInfo;
import dev.relay.signaling.sdp.SdpException;
import dev.relay.signaling.sdp.SubscribeOffer;
import dev.relay.signaling.sdp.TrackOffer;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsSession;
import dev.relay.transport.srtp.SrtpKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling protocol (docs/signaling.md). Every method that touches rooms runs on one
 * control thread, so rooms and participants need no locks; Netty threads only enqueue.
 */
public final class SignalingService {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int PT_OPUS = 111;
    private static final int PT_VP8 = 96;
    private static final int PT_H264 = 102;

    private final ObjectMapper mapper = new ObjectMapper();
    private final ScheduledExecutorService control;
    private final ExecutorService dtlsExecutor;
    private final MediaWorkers workers;
    private final TransportRegistry registry;
    private final DtlsCertificate certificate;
    private final List<String> advertisedAddresses;
    private final int mediaPort;
    private final SessionEvents events;
    private final Duration iceTimeout;
    private final Duration qualityInterval;
    private final Map<String, Room> rooms = new HashMap<>();
    /** Per-room quality state, while the room is open. */
    private final Map<Room, QualitySampler> samplers = new IdentityHashMap<>();
    private final long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private long nextParticipant = 1;
    private int nextProducer = 1;
    private int nextConsumer = 1;
    private final AtomicLong rejectedMessages = new AtomicLong();
    private volatile int roomCount;
    private volatile int participantCount;

    /**
     * @param iceTimeout      a participant whose established Transport gets no valid STUN check for
     *                        this long is removed ({@code ice_failed}); RFC 7675 consent expiry is 30 s
     * @param qualityInterval how often quality samples are emitted; zero: never
     */
    public SignalingService(ScheduledExecutorService control, ExecutorService dtlsExecutor, MediaWorkers workers,
                            TransportRegistry registry, DtlsCertificate certificate,
                            List<String> advertisedAddresses, int mediaPort, SessionEvents events,
                            Duration iceTimeout, Duration qualityInterval) {
        this.control = control;
        this.dtlsExecutor = dtlsExecutor;
        this.workers = workers;
        this.registry = registry;
        this.certificate = certificate;
        this.advertisedAddresses = List.copyOf(advertisedAddresses);
        this.mediaPort = mediaPort;
        this.events = events;
        this.iceTimeout = iceTimeout;
        this.qualityInterval = qualityInterval;
    }

    /** Starts the periodic control-thread tasks: the ICE consent check and quality samples. */
    void start() {
        // Check often enough that a failure is noticed within about 1/6 of the timeout after it.
        long checkMillis = Math.max(100, Math.min(5_000, iceTimeout.toMillis() / 6));
        control.scheduleWithFixedDelay(guarded("ICE consent check", this::checkIceConsent), checkMillis, checkMillis,
                TimeUnit.MILLISECONDS);
        if (!qualityInterval.isZero()) {
            long millis = qualityInterval.toMillis();
            control.scheduleAtFixedRate(guarded("quality sampling", this::requestQualitySamples), millis, millis,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** A periodic task that logs instead of dying: an exception would cancel every later run. */
    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} failed", what, e);
            }
        };
    }

    ObjectMapper mapper() {
        return mapper;
    }

    public int roomCount() {
        return roomCount;
    }

    public int participantCount() {
        return participantCount;
    }

    /** Messages answered with an error, for metrics. */
    public long rejectedMessages() {
        return rejectedMessages.get();
    }

    // ---- called from Netty threads ----

    void onText(Connection connection, String text) {
        control.execute(() -> process(connection, text));
    }

    void onClosed(Connection connection) {
        control.execute(() -> {
            if (connection.participant != null) {
                // The socket closed or dropped without a 'leave' (tab closed, network lost).
                leave(connection.participant, LeaveReason.TIMEOUT);
                connection.participant = null;
            }
        });
    }

    // ---- control thread ----

    private void process(Connection connection, String text) {
        String type = null;
        JsonNode id = null;
        try {
            if (text.length() > MAX_MESSAGE_CHARS) {
                throw new SignalingException("bad_json", "message larger than " + MAX_MESSAGE_CHARS + " characters");
            }
            JsonNode node;
            try {
                node = mapper.readTree(text);
            } catch (JsonProcessingException e) {
                throw new SignalingException("bad_json", "not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new SignalingException("bad_json", "a message must be a JSON object");
            }
            id = node.get("id");
            JsonNode typeNode = node.get("type");
            if (typeNode == null || !typeNode.isTextual()) {
                throw SignalingException.badRequest("missing string field 'type'");
            }
            type = typeNode.asText();
            dispatch(connection, type, node, id);
        } catch (SignalingException e) {
            rejectedMessages.incrementAndGet();
            ObjectNode error = message("error").put("code", e.code()).put("message", e.getMessage());
            if (type != null) {
                error.put("requestType", type);
            }
            if (id != null) {
                error.set("id", id);
            }
            connection.outbox.send(error);
        } catch (RuntimeException e) {
            rejectedMessages.incrementAndGet();
            LOG.error("internal error handling {} from {}", type, connection.remote, e);
            connection.outbox.send(message("error").put("code", "internal").put("message", "internal error"));
        }
    }

    private void dispatch(Connection connection, String type, JsonNode node, JsonNode id) throws SignalingException {
        switch (type) {
            case "ping" -> connection.outbox.send(withId(message("pong"), id));
            case "join" -> join(connection, node, id);
            case "publish" -> publish(joined(connection, type), text(node, "sdp"), id);
            case "subscribeAnswer" -> subscribeAnswer(joined(connection, type), text(node, "sdp"),
                    integer(node, "version"));
            case "candidate" -> candidate(joined(connection, type), node);
            case "leave" -> {
                Participant participant = joined(connection, type);
                leave(participant, LeaveReason.LEFT);
                connection.participant = null;
                connection.outbox.send(withId(message("left"), id));
                connection.outbox.close();
            }
            default -> throw new SignalingException("unknown_type", "unknown message type '" + type + "'");
        }
    }

    private void join(Connection connection, JsonNode node, JsonNode id) throws SignalingException {
        if (connection.participant != null) {
            throw new SignalingException("already_joined", "this connection already joined room "
                    + connection.participant.room().name());
        }
        String roomName = text(node, "room");
        if (!ROOM_NAME.matcher(roomName).matches()) {
            throw SignalingException.badRequest("room must be 1-64 characters of A-Z a-z 0-9 _ . -");
        }
        JsonNode nameNode = node.get("name");
        String name = nameNode == null || nameNode.isNull() ? "" : nameNode.asText();
        if (name.length() > 64) {
            throw SignalingException.badRequest("name longer than 64 characters");
        }
        Room room = rooms.get(roomName);
        if (room == null) {
            room = new Room(roomName, workers.newRouter());
            rooms.put(roomName, room);
            samplers.put(room, new QualitySampler(System.nanoTime()));
            roomCount = rooms.size();
            events.roomCreated(roomName);
        }
        String participantId = "p" + nextParticipant++;
        Participant participant = new Participant(participantId, name.isEmpty() ? participantId : name, room,
                connection.outbox);
        ObjectNode joined = withId(message("joined"), id).put("participantId", participantId).put("room", roomName);
        ArrayNode list = joined.putArray("participants");
        for (Participant other : room.others(null)) {
            ObjectNode entry = list.addObject().put("participantId", other.id()).put("name", other.name());
            ArrayNode tracks = entry.putArray("tracks");
            for (PublishedTrack track : other.publish().tracks()) {
                tracks.addObject().put("trackId", track.trackId()).put("kind", track.kind());
            }
        }
        room.add(participant);
        participantCount++;
        connection.participant = participant;
        connection.outbox.send(joined);
        events.participantJoined(roomName, participantId, participant.name());
        for (Participant other : room.others(participant)) {
            ObjectNode event = message("participantJoined");
            event.putObject("participant").put("participantId", participantId).put("name", participant.name());
            other.outbox().send(event);
            for (PublishedTrack track : other.publish().tracks()) {
                addSlot(participant, track);
            }
        }
        renegotiateSubscriber(participant);
        LOG.info("{} ({}) joined room {} ({} participants)", participantId, connection.remote, roomName, room.size());
    }

    private void publish(Participant participant, String offerSdp, JsonNode id) throws SignalingException {
        Room room = participant.room();
        PublishState state = participant.publish();
        boolean firstOffer = state.transport() == null;
        if (firstOffer) {
            state.transport(registry.create());
            room.router().attachTransport(state.transport());
        }
        Transport transport = state.transport();
        PublishNegotiation negotiation;
        try {
            negotiation = PublishNegotiation.answer(offerSdp, localInfo(transport), sessionId,
                    state.nextAnswerVersion());
        } catch (SdpException e) {
            throw new SignalingException("bad_sdp", e.getMessage());
        }
        if (firstOffer) {
            startDtls(participant, transport, negotiation.remote());
        }
        List<PublishedTrack> added = new ArrayList<>();
        List<String> offeredMids = new ArrayList<>();
        for (TrackOffer offer : negotiation.tracks()) {
            offeredMids.add(offer.mid());
            PublishedTrack existing = state.track(offer.mid());
            if (existing != null && existing.ssrc() == offer.ssrc()) {
                continue;
            }
            if (existing != null) {
                unpublish(participant, existing);
            }
            Codec codec = Codec.valueOf(offer.codecName().toUpperCase(java.util.Locale.ROOT));
            PublishedTrack track = new PublishedTrack(nextProducer++, offer.mid(), offer.trackId(), offer.kind(),
                    codec, offer.fmtp(), offer.ssrc(), participant);
            room.router().createProducer(track.producerId(), transport, codec, (int) offer.ssrc(),
                    offer.payloadType());
            state.add(track);
            added.add(track);
        }
        for (PublishedTrack track : List.copyOf(state.tracks())) {
            if (!offeredMids.contains(track.mid())) {
                unpublish(participant, track);
            }
        }
        participant.outbox().send(withId(message("publishAnswer"), id).put("sdp", negotiation.answerSdp()));
        for (PublishedTrack track : added) {
            events.trackPublished(room.name(), participant.id(), track.trackId(), track.kind(),
                    track.codecName());
            for (Participant other : room.others(participant)) {
                other.outbox().send(message("trackPublished").put("participantId", participant.id())
                        .put("trackId", track.trackId()).put("kind", track.kind()));
                addSlot(other, track);
                renegotiateSubscriber(other);
            }
        }
    }

    private void unpublish(Participant participant, PublishedTrack track) {
        Room room = participant.room();
        participant.publish().remove(track);
        room.router().closeProducer(track.producerId());
        // Events mirror the start order: subscriptions stop before their track is unpublished.
        List<Participant> renegotiate = new ArrayList<>();
        for (Participant other : room.others(participant)) {
            SubscribeSlot slot = other.subscribe().activeSlotFor(track.producerId());
            if (slot != null) {
                slot.deactivate();
                events.subscriptionStopped(room.name(), other.id(), participant.id(), track.trackId(), track.kind());
                renegotiate.add(other);
            }
        }
        events.trackUnpublished(room.name(), participant.id(), track.trackId(), track.kind());
        for (Participant other : room.others(participant)) {
            other.outbox().send(message("trackUnpublished").put("participantId", participant.id())
                    .put("trackId", track.trackId()));
            if (renegotiate.contains(other)) {
                renegotiateSubscriber(other);
            }
        }
    }

    private void addSlot(Participant subscriber, PublishedTrack track) {
        Room room = subscriber.room();
        SubscribeNegotiation negotiation = subscriber.subscribe();
        if (negotiation.transport() == null) {
            negotiation.transport(registry.create());
            room.router().attachTransport(negotiation.transport());
        }
        int consumerId = nextConsumer++;
        long ssrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
        int pt = switch (track.codec()) {
            case OPUS -> PT_OPUS;
            case H264 -> PT_H264;
            default -> PT_VP8;
        };
        negotiation.addSlot(track, consumerId, ssrc, pt);
        room.router().createConsumer(consumerId, track.producerId(), negotiation.transport(), (int) ssrc, pt);
        events.subscriptionStarted(room.name(), subscriber.id(), track.owner().id(), track.trackId(), track.kind());
    }

    /** Sends a new subscribe offer, or remembers to once the outstanding one is answered. */
    private void renegotiateSubscriber(Participant subscriber) {
        if (subscriber.hasLeft()) {
            return;
        }
        SubscribeNegotiation negotiation = subscriber.subscribe();
        long version = negotiation.beginOffer();
        if (version == SubscribeNegotiation.NO_OFFER) {
            return;
        }
        List<SubscribeOffer.Slot> slots = new ArrayList<>();
        for (SubscribeSlot slot : negotiation.slots()) {
            slots.add(slot.toOfferSlot());
        }
        String sdp = SubscribeOffer.build(slots, localInfo(negotiation.transport()), sessionId, version);
        subscriber.outbox().send(message("subscribeOffer").put("sdp", sdp).put("version", version));
    }

    private void subscribeAnswer(Participant participant, String answerSdp, long version) throws SignalingException {
        SubscribeNegotiation negotiation = participant.subscribe();
        negotiation.checkAnswer(version);
        RemoteTransportInfo remote;
        try {
            remote = SubscribeOffer.parseAnswer(answerSdp);
        } catch (SdpException e) {
            throw new SignalingException("bad_sdp", e.getMessage());
        }
        if (negotiation.startDtlsOnce()) {
            startDtls(participant, negotiation.transport(), remote);
        }
        if (negotiation.answered()) {
            renegotiateSubscriber(participant);
        }
    }

    private void candidate(Participant participant, JsonNode node) throws SignalingException {
        String pc = text(node, "pc");
        if (!pc.equals("publish") && !pc.equals("subscribe")) {
            throw SignalingException.badRequest("pc must be 'publish' or 'subscribe'");
        }
        JsonNode candidate = node.get("candidate");
        if (candidate != null && !candidate.isNull() && !candidate.isObject()) {
            throw SignalingException.badRequest("candidate must be an object or null");
        }
        // ICE-lite (RFC 8445 §2.5): the relay learns the browser's addresses from its checks,
        // so trickled candidates need no action.
    }

    private void leave(Participant participant, LeaveReason reason) {
        if (!participant.leave()) {
            return;
        }
        Room room = participant.room();
        for (PublishedTrack track : List.copyOf(participant.publish().tracks())) {
            unpublish(participant, track);
        }
        for (SubscribeSlot slot : participant.subscribe().slots()) {
            if (slot.isActive()) {
                slot.deactivate();
                room.router().closeConsumer(slot.consumerId());
                events.subscriptionStopped(room.name(), participant.id(), slot.track().owner().id(),
                        slot.track().trackId(), slot.track().kind());
            }
        }
        for (Transport transport : new Transport[] {participant.publish().transport(),
                participant.subscribe().transport()}) {
            if (transport != null) {
                room.router().detachTransport(transport);
                transport.close();
            }
        }
        room.remove(participant);
        participantCount--;
        for (Participant other : room.others(participant)) {
            other.outbox().send(message("participantLeft").put("participantId", participant.id()));
        }
        events.participantLeft(room.name(), participant.id(), reason);
        if (room.isEmpty()) {
            rooms.remove(room.name());
            samplers.remove(room);
            roomCount = rooms.size();
            events.roomClosed(room.name());
        }
        LOG.info("{} left room {} ({})", participant.id(), room.name(), reason.wireName());
    }

    /**
     * ICE consent (RFC 7675 §5.1): a browser keeps checking a working pair every few seconds, so an
     * established Transport with no valid check for {@link #iceTimeout} has lost its path (network
     * change, the PeerConnection closed) even if the WebSocket still stands. The participant is
     * removed as if it had left, and told why.
     */
    private void checkIceConsent() {
        long now = System.nanoTime();
        long timeoutNanos = iceTimeout.toNanos();
        List<Participant> failed = new ArrayList<>();
        for (Room room : rooms.values()) {
            for (Participant participant : room.others(null)) {
                if (consentExpired(participant.publish().transport(), now, timeoutNanos)
                        || consentExpired(participant.subscribe().transport(), now, timeoutNanos)) {
                    failed.add(participant);
                }
            }
        }
        for (Participant participant : failed) {
            LOG.warn("{} in room {}: no valid ICE check for {} ms, removing it", participant.id(),
                    participant.room().name(), iceTimeout.toMillis());
            participant.outbox().send(message("error").put("code", "ice_failed")
                    .put("message", "no ICE connectivity check from this client for " + iceTimeout.toSeconds()
                            + " s; rejoin to continue"));
            leave(participant, LeaveReason.ICE_FAILED);
            participant.outbox().close();
        }
    }

    private static boolean consentExpired(Transport transport, long now, long timeoutNanos) {
        if (transport == null || transport.isClosed()) {
            return false;
        }
        long last = transport.ice().lastRequestNanos();
        return last != 0 && now - last > timeoutNanos;
    }

    /** Asks every Router for a stats snapshot; each answer comes back to the control thread. */
    private void requestQualitySamples() {
        for (Room room : rooms.values()) {
            long requestedNanos = System.nanoTime();
            room.router().requestStats(stats -> {
                // Media worker thread: only hand the snapshot over.
                try {
                    control.execute(() -> onRouterStats(room, stats, requestedNanos));
                } catch (RejectedExecutionException e) {
                    // shutting down
                }
            });
        }
    }

    private void onRouterStats(Room room, RouterStats stats, long sampledNanos) {
        QualitySampler sampler = samplers.get(room);
        if (sampler == null || rooms.get(room.name()) != room) {
            return;
        }
        List<QualitySampler.ParticipantMedia> media = new ArrayList<>();
        for (Participant participant : room.others(null)) {
            int[] producers = participant.publish().tracks().stream().mapToInt(PublishedTrack::producerId).toArray();
            int[] consumers = participant.subscribe().slots().stream().filter(SubscribeSlot::isActive)
                    .mapToInt(SubscribeSlot::consumerId).toArray();
            media.add(new QualitySampler.ParticipantMedia(participant.id(), producers, consumers));
        }
        for (QualitySample sample : sampler.sample(stats, media, sampledNanos)) {
            events.participantQuality(room.name(), sample);
        }
    }

    private void startDtls(Participant participant, Transport transport, RemoteTransportInfo remote) {
        Room room = participant.room();
        transport.startDtls(certificate, remote.fingerprintAlgorithm(), remote.fingerprint(), dtlsExecutor,
                new DtlsSession.Listener() {
                    @Override
                    public void onHandshakeComplete(SrtpKeys keys) {
                        LOG.info("{} DTLS established for {} ({})", transport, participant.id(), keys.profile());
                        room.router().transportConnected(transport, keys);
                    }

                    @Override
                    public void onFailure(String reason, Throwable cause) {
                        LOG.warn("{} DTLS failed for {}: {}", transport, participant.id(), reason);
                    }
                });
    }

    private LocalTransportInfo localInfo(Transport transport) {
        return new LocalTransportInfo(transport.localCredentials().ufrag(), transport.localCredentials().pwd(),
                certificate.fingerprintSha256(), advertisedAddresses, mediaPort);
    }

    private Participant joined(Connection connection, String type) throws SignalingException {
        // A participant removed by the relay (ice_failed) keeps its socket until the close is sent.
        if (connection.participant == null || connection.participant.hasLeft()) {
            throw new SignalingException("not_joined", "join a room before '" + type + "'");
        }
        return connection.participant;
    }

    private ObjectNode message(String type) {
        return mapper.createObjectNode().put("type", type);
    }

    private static ObjectNode withId(ObjectNode message, JsonNode id) {
        if (id != null) {
            message.set("id", id);
        }
        return message;
    }

    private static String text(JsonNode node, String field) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw SignalingException.badRequest("missing string field '" + field + "'");
        }
        return value.asText();
    }

    private static long integer(JsonNode node, String field) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw SignalingException.badRequest("missing integer field '" + field + "'");
        }
        return value.asLong();
    }

    /** Closes every participant (shutdown). */
    void closeAll() {
        for (Room room : new ArrayList<>(rooms.values())) {
            for (Participant participant : room.others(null)) {
                leave(participant, LeaveReason.SHUTDOWN);
            }
        }
    }
}
