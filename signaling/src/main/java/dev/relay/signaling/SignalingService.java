package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;
import static dev.relay.signaling.Messages.withId;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.MediaWorkers;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling protocol (docs/signaling.md): decodes each message on the one control thread and
 * hands it to the class whose job it is: {@link Rooms} (join, leave), {@link PublishNegotiator},
 * {@link SubscribeNegotiator}. Rooms and participants need no locks because only the control
 * thread touches them; Netty threads only enqueue.
 */
public final class SignalingService {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_NAME_CHARS = 64;

    private final ObjectMapper mapper = new ObjectMapper();
    private final ScheduledExecutorService control;
    private final Duration qualityInterval;
    private final Rooms rooms;
    private final PublishNegotiator publisher;
    private final SubscribeNegotiator subscriber;
    private final AtomicLong rejectedMessages = new AtomicLong();
    private final ConsentMonitor consent;
    private final QualityMonitor quality;

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
        this.qualityInterval = qualityInterval;
        // The o= session id of every SDP this relay sends (RFC 8866 §5.2).
        long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        TransportFactory transports = new TransportFactory(registry, certificate, advertisedAddresses, mediaPort);
        DtlsStarter dtls = new DtlsStarter(certificate, dtlsExecutor);
        this.subscriber = new SubscribeNegotiator(transports, dtls, events, sessionId);
        this.publisher = new PublishNegotiator(transports, dtls, subscriber, events, sessionId);
        this.rooms = new Rooms(workers, transports, publisher, subscriber, events);
        this.consent = new ConsentMonitor(rooms, iceTimeout, System::nanoTime);
        this.quality = new QualityMonitor(rooms, events, control);
    }

    /** Starts the periodic control-thread tasks: the ICE consent check and quality samples. */
    void start() {
        long checkMillis = consent.checkIntervalMillis();
        control.scheduleWithFixedDelay(guarded("ICE consent check", consent::check), checkMillis, checkMillis,
                TimeUnit.MILLISECONDS);
        if (!qualityInterval.isZero()) {
            long millis = qualityInterval.toMillis();
            control.scheduleAtFixedRate(guarded("quality sampling", quality::requestSamples), millis, millis,
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
        return rooms.roomCount();
    }

    public int participantCount() {
        return rooms.participantCount();
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
                rooms.leave(connection.participant, LeaveReason.TIMEOUT);
                connection.participant = null;
            }
        });
    }

    /** Closes every participant (shutdown). */
    void closeAll() {
        rooms.closeAll();
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
            case "publish" -> publisher.publish(joined(connection, type), text(node, "sdp"), id);
            case "subscribeAnswer" -> subscriber.answer(joined(connection, type), text(node, "sdp"),
                    integer(node, "version"));
            case "candidate" -> {
                joined(connection, type);
                checkCandidate(node);
            }
            case "leave" -> {
                Participant participant = joined(connection, type);
                rooms.leave(participant, LeaveReason.LEFT);
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
        String room = text(node, "room");
        if (!ROOM_NAME.matcher(room).matches()) {
            throw SignalingException.badRequest("room must be 1-64 characters of A-Z a-z 0-9 _ . -");
        }
        JsonNode nameNode = node.get("name");
        String name = nameNode == null || nameNode.isNull() ? "" : nameNode.asText();
        if (name.length() > MAX_NAME_CHARS) {
            throw SignalingException.badRequest("name longer than " + MAX_NAME_CHARS + " characters");
        }
        connection.participant = rooms.join(connection, room, name, id);
    }

    /**
     * Validated, then ignored: the relay is ICE-lite (RFC 8445 §2.5) and learns the browser's
     * addresses from its checks, so trickled candidates need no action.
     */
    private static void checkCandidate(JsonNode node) throws SignalingException {
        String pc = text(node, "pc");
        if (!pc.equals("publish") && !pc.equals("subscribe")) {
            throw SignalingException.badRequest("pc must be 'publish' or 'subscribe'");
        }
        JsonNode candidate = node.get("candidate");
        if (candidate != null && !candidate.isNull() && !candidate.isObject()) {
            throw SignalingException.badRequest("candidate must be an object or null");
        }
    }

    private static Participant joined(Connection connection, String type) throws SignalingException {
        // A participant removed by the relay (ice_failed) keeps its socket until the close is sent.
        if (connection.participant == null || connection.participant.hasLeft()) {
            throw new SignalingException("not_joined", "join a room before '" + type + "'");
        }
        return connection.participant;
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
}
