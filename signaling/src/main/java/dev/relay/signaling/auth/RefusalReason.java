package dev.relay.signaling.auth;

import java.util.Locale;

/**
 * Why a token was refused: the {@code reason} of an {@code unauthorized} error
 * (docs/signaling.md "Authentication") and the label of {@code relay_auth_refused_total}.
 */
public enum RefusalReason {
    /** No {@code access_token} and no {@code Authorization: Bearer}. */
    MISSING,
    /** Longer than {@link TokenVerifier#MAX_TOKEN_CHARS}; refused before parsing. */
    OVERSIZED,
    /** Not a compact JWS, not JSON, or a required claim is missing or of the wrong type. */
    MALFORMED,
    /** The header's {@code alg} is not HS256 ({@code none}, HS512, RS256, ...). */
    BAD_ALGORITHM,
    /** {@code iss} names no API key this relay has. */
    UNKNOWN_KEY,
    /** The HMAC does not match: another secret, or the token was changed. */
    BAD_SIGNATURE,
    /** {@code exp} has passed (beyond the allowed clock skew). */
    EXPIRED,
    /** {@code nbf} is still ahead (beyond the allowed clock skew). */
    NOT_YET_VALID,
    /** The token has no {@code video.roomJoin} grant, or no {@code video.room}. */
    NO_JOIN_GRANT,
    /** {@code video.room} is not the room asked for in {@code join}. */
    WRONG_ROOM;

    /** The lower-case name used on the wire and in metrics. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
