package dev.relay.signaling.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks an access token: a compact JWS (RFC 7515) signed with HS256 by the secret of the API
 * key named in {@code iss}, carrying LiveKit's claims ({@code sub}, {@code name}, {@code nbf},
 * {@code exp}, {@code video}). Thread-safe: the HTTP event loops call it during the WebSocket
 * upgrade and the control thread at {@code join}.
 *
 * <p>Order matters: nothing in the payload is believed before the signature checks out, and the
 * signature is computed only for a header that says HS256, so {@code alg: none} or an
 * asymmetric algorithm cannot make the relay accept a token signed some other way (RFC 8725
 * §2.1, §3.1). The library's own claim checks are not used: the time checks are here, on an
 * injected clock, so that each refusal has its own reason.
 */
public final class TokenVerifier {
    /**
     * Refused before parsing: a LiveKit token with every grant is about 500 characters, and the
     * header, base64 and JSON parsers should not be handed megabytes per connection attempt.
     */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** How far the relay's clock and the token issuer's may disagree, for {@code nbf} and {@code exp}. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(10);
    /** The limit {@code join} puts on a display name. */
    static final int MAX_NAME_CHARS = 64;
    static final int MAX_IDENTITY_CHARS = 128;
    private static final String HS256 = "HS256";
    /** An {@code alg} value short and plain enough to quote back in the error message. */
    private static final Pattern QUOTABLE = Pattern.compile("[A-Za-z0-9+_.\\-]{1,16}");

    private final Map<String, Algorithm> algorithms = new HashMap<>();
    private final InstantSource clock;

    public TokenVerifier(ApiKeys keys, InstantSource clock) {
        for (String key : keys.keys()) {
            algorithms.put(key, Algorithm.HMAC256(keys.secret(key)));
        }
        this.clock = clock;
    }

    /** The token's claims, or the reason it is refused. */
    public AccessToken verify(String token) throws TokenRefusedException {
        if (token == null || token.isEmpty()) {
            throw refuse(RefusalReason.MISSING, "no access token: pass ?access_token= or Authorization: Bearer");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw refuse(RefusalReason.OVERSIZED, "token longer than " + MAX_TOKEN_CHARS + " characters");
        }
        DecodedJWT jwt;
        String alg;
        boolean critical;
        String issuer;
        try {
            jwt = JWT.decode(token);
            alg = jwt.getAlgorithm();
            critical = !jwt.getHeaderClaim("crit").isMissing();
            issuer = jwt.getClaim("iss").asString();
        } catch (RuntimeException e) {
            // JWTDecodeException; the DateTimeException of an exp beyond Instant.MAX; the
            // NullPointerException of a header or payload that is JSON null (found by fuzzing).
            throw refuse(RefusalReason.MALFORMED, "not a JWT (base64url header.payload.signature of JSON objects)");
        }
        if (!HS256.equals(alg)) {
            throw refuse(RefusalReason.BAD_ALGORITHM, "alg must be HS256"
                    + (alg != null && QUOTABLE.matcher(alg).matches() ? ", not " + alg : ""));
        }
        if (critical) {
            // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
            throw refuse(RefusalReason.MALFORMED, "the crit header is not supported");
        }
        if (issuer == null || issuer.isEmpty()) {
            throw refuse(RefusalReason.MALFORMED, "no iss claim (the API key that signed the token)");
        }
        Algorithm algorithm = algorithms.get(issuer);
        if (algorithm == null) {
            // The key is not quoted: before the signature checks out, claims are anyone's text.
            throw refuse(RefusalReason.UNKNOWN_KEY, "the token's iss names an API key this relay does not have");
        }
        try {
            algorithm.verify(jwt);
        } catch (JWTVerificationException e) {
            throw refuse(RefusalReason.BAD_SIGNATURE, "signature does not match the API key's secret");
        }
        AccessToken claims = claims(issuer, jwt);
        checkValidity(claims);
        return claims;
    }

    /** The claims of a signed token; a wrong type or a missing required claim is refused. */
    private static AccessToken claims(String issuer, DecodedJWT jwt) throws TokenRefusedException {
        String identity = jwt.getClaim("sub").asString();
        if (identity == null || identity.isBlank() || identity.length() > MAX_IDENTITY_CHARS) {
            throw refuse(RefusalReason.MALFORMED, "sub (the identity) must be a string of 1-" + MAX_IDENTITY_CHARS
                    + " characters");
        }
        String name = optionalString(jwt.getClaim("name"), "name");
        if (name != null && name.length() > MAX_NAME_CHARS) {
            throw refuse(RefusalReason.MALFORMED, "name longer than " + MAX_NAME_CHARS + " characters");
        }
        Instant expiresAt = jwt.getExpiresAtAsInstant();
        if (expiresAt == null) {
            throw refuse(RefusalReason.MALFORMED, "no exp claim: a token must expire");
        }
        Claim video = jwt.getClaim("video");
        if (video.isMissing() || video.isNull()) {
            throw refuse(RefusalReason.MALFORMED, "no video grant");
        }
        Map<String, Object> grant;
        try {
            grant = video.asMap();
        } catch (JWTVerificationException e) {
            grant = null;
        }
        if (grant == null) {
            throw refuse(RefusalReason.MALFORMED, "the video grant must be a JSON object");
        }
        return new AccessToken(issuer, identity, name, VideoGrant.fromClaim(grant), jwt.getNotBeforeAsInstant(),
                expiresAt);
    }

    private static String optionalString(Claim claim, String name) throws TokenRefusedException {
        if (claim.isMissing() || claim.isNull()) {
            return null;
        }
        String value = claim.asString();
        if (value == null) {
            throw refuse(RefusalReason.MALFORMED, name + " must be a string");
        }
        return value;
    }

    /**
     * RFC 7519 §4.1.4 and §4.1.5 with {@link #CLOCK_SKEW} of leeway; checked at the upgrade and
     * again at {@code join}, which may come later on the same socket.
     */
    public void checkValidity(AccessToken token) throws TokenRefusedException {
        Instant now = clock.instant();
        if (!now.isBefore(token.expiresAt().plus(CLOCK_SKEW))) {
            throw refuse(RefusalReason.EXPIRED, "token expired at " + token.expiresAt() + " (relay time " + now
                    + ", " + CLOCK_SKEW.toSeconds() + " s skew allowed)");
        }
        if (token.notBefore() != null && now.plus(CLOCK_SKEW).isBefore(token.notBefore())) {
            throw refuse(RefusalReason.NOT_YET_VALID, "token not valid before " + token.notBefore() + " (relay time "
                    + now + ", " + CLOCK_SKEW.toSeconds() + " s skew allowed)");
        }
    }

    private static TokenRefusedException refuse(RefusalReason reason, String message) {
        return new TokenRefusedException(reason, message);
    }
}
