package dev.relay.signaling.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;

/** Signs access tokens the way LiveKit's server SDKs do; what {@code relay token} prints. */
public final class TokenIssuer {
    private final String apiKey;
    private final Algorithm algorithm;
    private final InstantSource clock;

    private TokenIssuer(String apiKey, Algorithm algorithm, InstantSource clock) {
        this.apiKey = apiKey;
        this.algorithm = algorithm;
        this.clock = clock;
    }

    /**
     * Signs with {@code apiKey}'s secret, or with the only key when {@code apiKey} is null.
     *
     * @throws IllegalArgumentException if there is no such key, or several and none was chosen
     */
    public static TokenIssuer forKey(ApiKeys keys, String apiKey, InstantSource clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no API key: set RELAY_API_KEY and RELAY_API_SECRET, "
                    + "or --api-key and --api-secret, or --keys-file");
        }
        String key = apiKey;
        if (key == null) {
            if (keys.keys().size() > 1) {
                throw new IllegalArgumentException("there are " + keys.keys().size() + " API keys " + keys.keys()
                        + ": choose one with --api-key");
            }
            key = keys.keys().iterator().next();
        }
        String secret = keys.secret(key);
        if (secret == null) {
            throw new IllegalArgumentException("no secret for API key '" + key + "'");
        }
        return new TokenIssuer(key, Algorithm.HMAC256(secret), clock);
    }

    /**
     * A token for {@code identity}, valid from now (second resolution, as JWT times are) for
     * {@code ttl}.
     *
     * @param name display name; null to let others see the identity
     */
    public String issue(String identity, String name, VideoGrant grant, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JWTCreator.Builder builder = JWT.create()
                .withIssuer(apiKey)
                .withSubject(identity)
                .withNotBefore(now)
                .withExpiresAt(now.plus(ttl))
                .withClaim("video", grant.toClaim());
        if (name != null && !name.isEmpty()) {
            builder.withClaim("name", name);
        }
        return builder.sign(algorithm);
    }
}
