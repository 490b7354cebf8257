package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;
import static dev.relay.signaling.Messages.withId;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.TokenRefusedException;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a client's message meets the relay (docs/signaling.md): decodes the JSON, checks the
 * request's fields and the connection's state, routes it to the {@link Requests} that does the
 * work, and turns a refusal into the {@code error} reply ("Errors"), counted for metrics. It
 * also owns which participant a connection is (set by {@code join}, cleared by {@code leave} or
 * the socket closing), and checks what the connection's access token grants: the room at
 * {@code join}, {@code canPublish} at {@code publish} (docs/signaling.md "Authentication").
 * Control thread only, except {@link #rejectedMessages}.
 */
final class MessageDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(MessageDispatcher.class);
    /** Larger frames are refused before parsing: no SDP the relay accepts comes near it. */
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_NAME_CHARS = 64;
    /** RFC 6455 §7.4.1 "policy violation": the close code after an {@code unauthorized} error. */
    static final int CLOSE_POLICY_VIOLATION = 1008;

    /** What each request does, once decoded and validated. */
    interface Requests {
        /**
         * Control thread: what must be asked before a join of {@code room} is taken here, or null
         * when nothing (no cluster, or the room is open here). The answer may complete on another
         * thread: normally when the room is this node's, or with a {@link SignalingException}
         * ({@code redirect}, {@code unavailable}); the join then resumes on the control thread.
         */
        default CompletableFuture<Void> admit(String room) {
            return null;
        }

        /** Joins the room with what {@code grant} allows and sends {@code joined}; returns the new participant. */
        Participant join(Connection connection, String room, String name, VideoGrant grant, JsonNode id)
                throws SignalingException;

        void publish(Participant participant, String offerSdp, JsonNode id) throws SignalingException;

        /** {@code publish} with its {@code tracks} field (docs/signaling.md): screen shares, muted tracks. */
        default void publish(Participant participant, String offerSdp, List<TrackOption> tracks,
                             JsonNode id) throws SignalingException {
            publish(participant, offerSdp, id);
        }

        /** The publisher muted or unmuted one of its tracks ({@code mute}). */
        default void mute(Participant participant, String trackId, boolean muted) throws SignalingException {
        }

        /** An ICE restart of the subscribe PeerConnection ({@code restartIce}). */
        default void restartIce(Participant participant) throws SignalingException {
        }

        void subscribeAnswer(Participant participant, String answerSdp, long version) throws SignalingException;

        void leave(Participant participant, LeaveReason reason);

        /**
         * The subscriber wants simulcast layer {@code layer} (0 lowest) of a track it receives
         * (docs/signaling.md {@code setSubscription}); a track it does not receive is ignored.
         */
        void setSubscription(Participant participant, String publisherId, String trackId, int layer);
    }

    /** Longer than any id the relay hands out (a msid track id is at most 64 characters, RFC 8830). */
    static final int MAX_ID_CHARS = 256;

    private final ObjectMapper mapper;
    private final Requests requests;
    private final AccessControl access;
    private final Limits limits;
    private final LimitCounters limitCounters;
    private final LogThrottle warnings = new LogThrottle(LOG, 10_000_000_000L, System::nanoTime);
    private final AtomicLong rejectedMessages = new AtomicLong();
    /** Runs a join on the control thread again once the cluster answered ({@link Requests#admit}). */
    private final Executor control;

    /** Dev mode: no tokens. */
    MessageDispatcher(ObjectMapper mapper, Requests requests) {
        this(mapper, requests, AccessControl.open());
    }

    MessageDispatcher(ObjectMapper mapper, Requests requests, AccessControl access) {
        this(mapper, requests, access, Limits.defaults(), new LimitCounters());
    }

    MessageDispatcher(ObjectMapper mapper, Requests requests, AccessControl access, Limits limits,
                      LimitCounters limitCounters) {
        this(mapper, requests, access, limits, limitCounters, Runnable::run);
    }

    MessageDispatcher(ObjectMapper mapper, Requests requests, AccessControl access, Limits limits,
                      LimitCounters limitCounters, Executor control) {
        this.control = control;
        this.mapper = mapper;
        this.requests = requests;
        this.access = access;
        this.limits = limits;
        this.limitCounters = limitCounters;
    }

    /**
     * A frame, decoded: the JSON object, or why it is not one. Made on the socket's event loop
     * ({@link #decode}), so the control thread never parses a client's bytes.
     */
    record Decoded(JsonNode node, SignalingException error) {
    }

    /** Messages answered with an error, for metrics; any thread. */
    long rejectedMessages() {
        return rejectedMessages.get();
    }

    void onText(Connection connection, String text) {
        onDecoded(connection, decode(text));
    }

    /** Parses a frame; any thread (Jackson's ObjectMapper is thread-safe once configured). */
    Decoded decode(String text) {
        if (text.length() > MAX_MESSAGE_CHARS) {
            return new Decoded(null, new SignalingException("bad_json", "message larger than " + MAX_MESSAGE_CHARS
                    + " characters"));
        }
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return new Decoded(null, new SignalingException("bad_json", "not valid JSON: " + e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            return new Decoded(null, new SignalingException("bad_json", "a message must be a JSON object"));
        }
        return new Decoded(node, null);
    }

    /** Control thread: a decoded frame meets the connection's state. */
    void onDecoded(Connection connection, Decoded decoded) {
        String type = null;
        JsonNode id = null;
        try {
            if (decoded.error() != null) {
                throw decoded.error();
            }
            JsonNode node = decoded.node();
            id = node.get("id");
            JsonNode typeNode = node.get("type");
            if (typeNode == null || !typeNode.isTextual()) {
                throw SignalingException.badRequest("missing string field 'type'");
            }
            type = typeNode.asText();
            dispatch(connection, type, node, id);
        } catch (SignalingException e) {
            reject(connection, type, id, e);
        } catch (RuntimeException e) {
            internalError(connection, type, e);
        }
    }

    /** A fault of ours while handling a request: logged, counted, and answered without details. */
    private void internalError(Connection connection, String type, RuntimeException e) {
        rejectedMessages.incrementAndGet();
        LOG.error("internal error handling {} from {}", type, connection.remote, e);
        connection.outbox.send(message("error").put("code", "internal").put("message", "internal error"));
    }

    /** The {@code error} reply to a refused request (docs/signaling.md "Errors"), counted. */
    private void reject(Connection connection, String type, JsonNode id, SignalingException e) {
        rejectedMessages.incrementAndGet();
        if (e.code().equals(SignalingException.LIMIT_EXCEEDED)) {
            limitCounters.refused(Limit.valueOf(e.reason().toUpperCase(java.util.Locale.ROOT)));
            warnings.warn("limit " + e.reason(), "refused {} from {}: {} ({})", type, connection.remote,
                    e.reason(), e.getMessage());
        }
        ObjectNode error = message("error").put("code", e.code());
        if (e.reason() != null) {
            error.put("reason", e.reason());
        }
        if (e.url() != null) {
            error.put("url", e.url());
        }
        error.put("message", e.getMessage());
        if (type != null) {
            error.put("requestType", type);
        }
        if (id != null) {
            error.set("id", id);
        }
        connection.outbox.send(error);
        if (e.code().equals(Messages.UNAUTHORIZED)) {
            // The one error that ends the connection: it needs a new token, so a new socket.
            connection.outbox.close(CLOSE_POLICY_VIOLATION, Messages.UNAUTHORIZED + ": " + e.reason());
        }
    }

    /** The socket closed or dropped without a {@code leave} (tab closed, network lost). */
    void onClosed(Connection connection) {
        connection.closed = true;
        if (connection.participant != null) {
            requests.leave(connection.participant, LeaveReason.TIMEOUT);
            connection.participant = null;
        }
    }

    private void dispatch(Connection connection, String type, JsonNode node, JsonNode id) throws SignalingException {
        switch (type) {
            case "ping" -> connection.outbox.send(withId(message("pong"), id));
            case "join" -> join(connection, node, id);
            case "publish" -> {
                Participant participant = mayPublish(joined(connection, type));
                requests.publish(participant, sdp(node), trackOptions(node), id);
            }
            case "mute" -> requests.mute(joined(connection, type), boundedText(node, "trackId"),
                    bool(node, "muted"));
            case "restartIce" -> {
                if (!text(node, "pc").equals("subscribe")) {
                    throw SignalingException.badRequest("pc must be 'subscribe'; restart the publish "
                            + "PeerConnection with a new publish offer (RTCPeerConnection.restartIce)");
                }
                requests.restartIce(joined(connection, type));
            }
            case "subscribeAnswer" -> requests.subscribeAnswer(joined(connection, type), sdp(node),
                    integer(node, "version"));
            case "candidate" -> {
                Participant participant = joined(connection, type);
                String pc = checkCandidate(node);
                if (participant.trickledCandidate(pc) > limits.candidatesPerPeerConnection()) {
                    throw SignalingException.limit(Limit.CANDIDATES, "more than "
                            + limits.candidatesPerPeerConnection() + " candidates on the " + pc
                            + " PeerConnection");
                }
            }
            case "setSubscription" -> requests.setSubscription(joined(connection, type), boundedText(node,
                    "participantId"), boundedText(node, "trackId"), quality(node));
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
        if (connection.joining) {
            throw new SignalingException("already_joined", "this connection's join is in progress");
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
        VideoGrant grant;
        try {
            grant = access.join(connection.token, room);
        } catch (TokenRefusedException e) {
            throw new SignalingException(Messages.UNAUTHORIZED, e.reason().wireName(), e.getMessage());
        }
        if (connection.token != null) {
            // The token says who this is; a name in the request cannot override it.
            name = connection.token.displayName();
        }
        CompletableFuture<Void> admitted = requests.admit(room);
        if (admitted == null) {
            finishJoin(connection, room, name, grant, id);
            return;
        }
        // The cluster is asked off this thread (docs/scale-out.md "Redirect"); nothing else of this
        // connection waits, and its other requests meet "not joined" meanwhile.
        connection.joining = true;
        String joinName = name;
        admitted.whenComplete((ok, failure) -> control.execute(() -> resumeJoin(connection, room, joinName, grant,
                id, failure)));
    }

    /** Control thread: the cluster answered a join that {@link #join} left waiting. */
    private void resumeJoin(Connection connection, String room, String name, VideoGrant grant, JsonNode id,
                            Throwable failure) {
        connection.joining = false;
        if (connection.closed) {
            return; // the socket went while the cluster was asked: nothing to join for
        }
        try {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof SignalingException refused) {
                throw refused;
            }
            if (cause != null) {
                throw new SignalingException("unavailable", "the room directory cannot be reached; try again");
            }
            finishJoin(connection, room, name, grant, id);
        } catch (SignalingException e) {
            reject(connection, "join", id, e);
        } catch (RuntimeException e) {
            internalError(connection, "join", e);
        }
    }

    private void finishJoin(Connection connection, String room, String name, VideoGrant grant, JsonNode id)
            throws SignalingException {
        connection.participant = requests.join(connection, room, name, grant, id);
        connection.outbox.joined();
    }

    private static Participant mayPublish(Participant participant) throws SignalingException {
        VideoGrant grant = participant.grant();
        if (!grant.mayPublish()) {
            throw new SignalingException("forbidden", grant.hidden()
                    ? "a hidden participant may not publish: its tracks would announce it"
                    : "the access token does not grant canPublish");
        }
        return participant;
    }

    /**
     * Validated, then ignored: the relay is ICE-lite (RFC 8445 §2.5) and learns the browser's
     * addresses from its checks, so trickled candidates need no action.
     */
    private static String checkCandidate(JsonNode node) throws SignalingException {
        String pc = text(node, "pc");
        if (!pc.equals("publish") && !pc.equals("subscribe")) {
            throw SignalingException.badRequest("pc must be 'publish' or 'subscribe'");
        }
        JsonNode candidate = node.get("candidate");
        if (candidate != null && !candidate.isNull() && !candidate.isObject()) {
            throw SignalingException.badRequest("candidate must be an object or null");
        }
        return pc;
    }

    /**
     * The request's SDP, within the size and m-section caps: bounds what one message costs the
     * control thread to parse and negotiate, before the parser sees it.
     */
    private String sdp(JsonNode node) throws SignalingException {
        String sdp = text(node, "sdp");
        if (sdp.length() > limits.sdpChars()) {
            throw SignalingException.limit(Limit.SDP_SIZE, "SDP of " + sdp.length() + " characters; at most "
                    + limits.sdpChars());
        }
        int sections = sdp.startsWith("m=") ? 1 : 0;
        for (int i = sdp.indexOf("\nm="); i >= 0; i = sdp.indexOf("\nm=", i + 1)) {
            if (++sections > limits.sdpMediaSections()) {
                throw SignalingException.limit(Limit.SDP_MEDIA_SECTIONS, "SDP with more than "
                        + limits.sdpMediaSections() + " m-sections");
            }
        }
        return sdp;
    }

    private static Participant joined(Connection connection, String type) throws SignalingException {
        // A participant removed by the relay (ice_failed) keeps its socket until the close is sent.
        if (connection.participant == null || connection.participant.hasLeft()) {
            throw new SignalingException("not_joined", "join a room before '" + type + "'");
        }
        return connection.participant;
    }

    /** An id the client echoes back (a participantId, a trackId): at most {@link #MAX_ID_CHARS}. */
    private static String boundedText(JsonNode node, String field) throws SignalingException {
        String value = text(node, field);
        if (value.isEmpty() || value.length() > MAX_ID_CHARS) {
            throw SignalingException.badRequest(field + " must be 1-" + MAX_ID_CHARS + " characters");
        }
        return value;
    }

    /**
     * {@code publish}'s optional {@code tracks}: {@code [{trackId, source?, muted?}]}, at most one
     * entry per track the relay takes from one participant; anything else is {@code bad_request}.
     */
    private List<TrackOption> trackOptions(JsonNode node) throws SignalingException {
        JsonNode tracks = node.get("tracks");
        if (tracks == null || tracks.isNull()) {
            return List.of();
        }
        if (!tracks.isArray() || tracks.size() > limits.tracksPerParticipant()) {
            throw SignalingException.badRequest("tracks must be an array of at most "
                    + limits.tracksPerParticipant() + " objects");
        }
        List<TrackOption> options = new ArrayList<>(tracks.size());
        for (JsonNode entry : tracks) {
            if (!entry.isObject()) {
                throw SignalingException.badRequest("each of tracks must be an object");
            }
            String trackId = boundedText(entry, "trackId");
            JsonNode sourceNode = entry.get("source");
            String source = null;
            if (sourceNode != null && !sourceNode.isNull()) {
                if (!sourceNode.isTextual() || !TrackOption.isSource(sourceNode.asText())) {
                    throw SignalingException.badRequest("source must be camera, microphone or screen");
                }
                source = sourceNode.asText();
            }
            JsonNode mutedNode = entry.get("muted");
            if (mutedNode != null && !mutedNode.isNull() && !mutedNode.isBoolean()) {
                throw SignalingException.badRequest("muted must be true or false");
            }
            options.add(new TrackOption(trackId, source, mutedNode != null && mutedNode.asBoolean(false)));
        }
        return options;
    }

    private static boolean bool(JsonNode node, String field) throws SignalingException {
        JsonNode value = node.get(field);
        if (value == null || !value.isBoolean()) {
            throw SignalingException.badRequest("missing boolean field '" + field + "'");
        }
        return value.asBoolean();
    }

    /** {@code quality}: low, medium or high, the simulcast layer 0, 1 or 2 (docs/signaling.md). */
    private static int quality(JsonNode node) throws SignalingException {
        return switch (text(node, "quality")) {
            case "low" -> 0;
            case "medium" -> 1;
            case "high" -> 2;
            default -> throw SignalingException.badRequest("quality must be low, medium or high");
        };
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
