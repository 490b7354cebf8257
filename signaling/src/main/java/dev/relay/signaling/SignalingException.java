package dev.relay.signaling;

/** A request the relay refuses; becomes an {@code error} reply (docs/signaling.md "Errors"). */
public final class SignalingException extends Exception {
    private final String code;

    public SignalingException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    static SignalingException badRequest(String message) {
        return new SignalingException("bad_request", message);
    }
}
