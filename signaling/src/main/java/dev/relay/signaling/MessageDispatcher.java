package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;
import static dev.relay.signaling.Messages.withId;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.signaling.events.LeaveReason;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a client's message meets the relay (docs/signaling.md): decodes the JSON, checks the
 * request's fields and the connection's state, routes it to the {@link Requests} that does the
 * work, and turns a refusal into the {@code error} reply ("Errors"), counted for metrics. It
 * also owns which participant a connection is (set by {@code join}, cleared by {@code leave} or
 * the socket closing). Control thread only, except {@link #rejectedMessages}.
 */
final class MessageDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(MessageDispatcher.class);
    /** Larger frames are refused before parsing: no SDP the relay accepts comes near it. */
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_NAME_CHARS = 64;

    /** What each request does, once decoded and validated. */
    interface Requests {
        /** Joins the room and sends {@code joined}; returns the new participant. */
        Participant join(Connection connection, String room, String name, JsonNode id);

        void publish(Participant participant, String offerSdp, JsonNode id) throws SignalingException;

        void subscribeAnswer(Participant participant, String answerSdp, long version) throws SignalingException;

        void leave(Participant participant, LeaveReason reason);
    }

    private final ObjectMapper mapper;
    private final Requests requests;
    private final AtomicLong rejectedMessages = new AtomicLong();

    MessageDispatcher(ObjectMapper mapper, Requests requests) {
        this.mapper = mapper;
        this.requests = requests;
    }

    /** Messages answered with an error, for metrics; any thread. */
    long rejectedMessages() {
        return rejectedMessages.get();
    }

    void onText(Connection connection, String text) {
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

    /** The socket closed or dropped without a {@code leave} (tab closed, network lost). */
    void onClosed(Connection connection) {
        if (connection.participant != null) {
            requests.leave(connection.participant, LeaveReason.TIMEOUT);
            connection.participant = null;
        }
    }

    private void dispatch(Connection connection, String type, JsonNode node, JsonNode id) throws SignalingException {
        switch (type) {
            case "ping" -> connection.outbox.send(withId(message("pong"), id));
            case "join" -> join(connection, node, id);
            case "publish" -> requests.publish(joined(connection, type), text(node, "sdp"), id);
            case "subscribeAnswer" -> requests.subscribeAnswer(joined(connection, type), text(node, "sdp"),
                    integer(node, "version"));
            case "candidate" -> {
                joined(connection, type);
                checkCandidate(node);
            }
            case "leave" -> {
                Participant participant = joined(connection, type);
                requests.leave(participant, LeaveReason.LEFT);
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
        connection.participant = requests.join(connection, room, name, id);
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
