package dev.relay.signaling;

/** A request the relay refuses; becomes an {@code error} reply (docs/signaling.md "Errors"). */
public final class SignalingException extends Exception {
    /** The error code of a request over a limit (docs/signaling.md "Limits"). */
    static final String LIMIT_EXCEEDED = "limit_exceeded";
    /** The error code of a {@code join} while the relay drains before shutting down. */
    static final String DRAINING = "draining";
    /** The error code of a {@code join} whose room another relay node holds (docs/scale-out.md). */
    static final String REDIRECT = "redirect";
    private final String code;
    private final String reason;
    private final String url;

    public SignalingException(String code, String message) {
        this(code, null, message);
    }

    /** @param reason a finer cause for the client, sent as the error's {@code reason}; may be null */
    public SignalingException(String code, String reason, String message) {
        this(code, reason, message, null);
    }

    private SignalingException(String code, String reason, String message, String url) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.url = url;
    }

    /** {@code redirect}: join again at {@code url}, the signaling URL of node {@code nodeId}, which holds {@code room}. */
    static SignalingException redirect(String room, String nodeId, String url) {
        return new SignalingException(REDIRECT, nodeId, "room " + room + " is on relay " + nodeId + "; join it at "
                + url, url);
    }

    /** Where to join instead, for {@code redirect}; null otherwise. */
    public String url() {
        return url;
    }

    public String code() {
        return code;
    }

    /** The finer cause, e.g. {@code expired} for {@code unauthorized}; null if none. */
    public String reason() {
        return reason;
    }

    /** A request over one of the relay's {@link Limits}: code {@code limit_exceeded}, the limit as reason. */
    static SignalingException limit(Limit limit, String message) {
        return new SignalingException(LIMIT_EXCEEDED, limit.wireName(), message);
    }

    static SignalingException badRequest(String message) {
        return new SignalingException("bad_request", message);
    }
}
