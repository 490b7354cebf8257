package dev.relay.signaling.auth;

import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Who may use the signaling WebSocket (docs/signaling.md "Authentication"): the Origin check and
 * the token check at the upgrade, the room check at {@code join}, each refusal counted by
 * reason for {@code /metrics}. With no API keys (dev mode) tokens are not required and not
 * looked at: there is no secret to check them against. Thread-safe.
 */
public final class AccessControl {
    private static final String BEARER = "bearer ";

    private final TokenVerifier verifier;
    private final OriginPolicy origins;
    private final AtomicLongArray refused = new AtomicLongArray(RefusalReason.values().length);
    private final AtomicLong originsRefused = new AtomicLong();

    public AccessControl(ApiKeys keys, OriginPolicy origins, InstantSource clock) {
        this.verifier = keys.isEmpty() ? null : new TokenVerifier(keys, clock);
        this.origins = origins;
    }

    /** Dev mode, default origins. */
    public static AccessControl open() {
        return new AccessControl(ApiKeys.none(), OriginPolicy.defaults(), InstantSource.system());
    }

    public boolean tokensRequired() {
        return verifier != null;
    }

    /** The upgrade's {@code Origin}; a refusal is counted. */
    public boolean allowsOrigin(String origin, String host) {
        if (origins.allows(origin, host)) {
            return true;
        }
        originsRefused.incrementAndGet();
        return false;
    }

    /**
     * The token of a WebSocket upgrade, from {@code ?access_token=} or {@code Authorization:
     * Bearer}; the two may both be given only if they agree.
     *
     * @param queryTokens   the {@code access_token} query parameters (usually none or one)
     * @param authorization the {@code Authorization} header, or null
     * @return the verified claims; null in dev mode
     */
    public AccessToken admit(List<String> queryTokens, String authorization) throws TokenRefusedException {
        if (verifier == null) {
            return null;
        }
        try {
            return verifier.verify(token(queryTokens, authorization));
        } catch (TokenRefusedException e) {
            refused.incrementAndGet(e.reason().ordinal());
            throw e;
        }
    }

    private static String token(List<String> queryTokens, String authorization) throws TokenRefusedException {
        String token = null;
        for (String t : queryTokens) {
            if (token != null && !token.equals(t)) {
                throw new TokenRefusedException(RefusalReason.MALFORMED, "several different access_token parameters");
            }
            token = t;
        }
        if (authorization != null) {
            if (authorization.length() <= BEARER.length()
                    || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
                throw new TokenRefusedException(RefusalReason.MALFORMED, "the Authorization header is not 'Bearer <token>'");
            }
            String bearer = authorization.substring(BEARER.length()).strip();
            if (token != null && !token.equals(bearer)) {
                throw new TokenRefusedException(RefusalReason.MALFORMED,
                        "access_token and the Authorization header carry different tokens");
            }
            token = bearer;
        }
        return token;
    }

    /**
     * What a participant joining {@code room} may do: the token's grant if it is for that room
     * and still valid (a socket may join long after its upgrade), everything in dev mode.
     *
     * @param token what {@link #admit} returned for this socket
     */
    public VideoGrant join(AccessToken token, String room) throws TokenRefusedException {
        if (verifier == null) {
            return VideoGrant.unrestricted(room);
        }
        try {
            if (token == null) {
                throw new TokenRefusedException(RefusalReason.MISSING, "no access token on this connection");
            }
            VideoGrant grant = token.video();
            if (!grant.roomJoin() || grant.room() == null || grant.room().isEmpty()) {
                throw new TokenRefusedException(RefusalReason.NO_JOIN_GRANT,
                        "the token does not grant roomJoin for a room");
            }
            if (!grant.room().equals(room)) {
                throw new TokenRefusedException(RefusalReason.WRONG_ROOM,
                        "the token is for room '" + grant.room() + "', not '" + room + "'");
            }
            verifier.checkValidity(token);
            return grant;
        } catch (TokenRefusedException e) {
            refused.incrementAndGet(e.reason().ordinal());
            throw e;
        }
    }

    /** Tokens refused for {@code reason}, at the upgrade and at join; any thread. */
    public long refused(RefusalReason reason) {
        return refused.get(reason.ordinal());
    }

    /** WebSocket upgrades refused for their Origin; any thread. */
    public long originsRefused() {
        return originsRefused.get();
    }

    @Override
    public String toString() {
        return "tokens " + (verifier == null ? "not required" : "required") + "; origins: " + origins;
    }
}
