package dev.relay.signaling;

/** A request the relay refuses; becomes an {@code error} reply (docs/signaling.md "Errors"). */
public final class SignalingException extends Exception {
    private final String code;
    private final String reason;

    public SignalingException(String code, String message) {
        this(code, null, message);
    }

    /** @param reason a finer cause for the client, sent as the error's {@code reason}; may be null */
    public SignalingException(String code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    public String code() {
        return code;
    }

    /** The finer cause, e.g. {@code expired} for {@code unauthorized}; null if none. */
    public String reason() {
        return reason;
    }

    static SignalingException badRequest(String message) {
        return new SignalingException("bad_request", message);
    }
}
