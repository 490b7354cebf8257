package dev.relay.signaling.auth;

/**
 * A token the relay does not accept. The message goes to the client as is, so it never holds a
 * secret, and names what was wrong without echoing unverified claims.
 */
public final class TokenRefusedException extends Exception {
    private final RefusalReason reason;

    public TokenRefusedException(RefusalReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RefusalReason reason() {
        return reason;
    }
}
