package dev.relay.loadgen;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Access tokens for the synthetic peers when the relay has API keys: what an application's
 * backend would mint, a LiveKit-style HS256 JWT per peer for its room (docs/signaling.md
 * "Authentication"). The load generator is an outside client of the relay, so it signs with the
 * JWT library itself rather than the relay's code. {@link #toString} never shows the secret.
 */
final class PeerTokens {
    /** Longer than any run (at most 300 s plus warm-up and connecting). */
    static final Duration TTL = Duration.ofHours(1);

    private final String apiKey;
    private final String secret;
    private final Algorithm algorithm;

    private PeerTokens(String apiKey, String secret) {
        this.apiKey = apiKey;
        this.secret = secret;
        this.algorithm = Algorithm.HMAC256(secret);
    }

    /** Null when neither is set (a dev-mode relay); both or neither. */
    static PeerTokens of(String apiKey, String secret) {
        if (apiKey == null && secret == null) {
            return null;
        }
        if (apiKey == null || secret == null) {
            throw new IllegalArgumentException("--api-key and --api-secret (RELAY_API_KEY, RELAY_API_SECRET) go together");
        }
        return new PeerTokens(apiKey, secret);
    }

    /** A token for {@code identity} to join {@code room} with every grant. */
    String forPeer(String identity, String room) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return JWT.create().withIssuer(apiKey).withSubject(identity).withNotBefore(now).withExpiresAt(now.plus(TTL))
                .withClaim("video", Map.of("room", room, "roomJoin", true)).sign(algorithm);
    }

    /** For a child relay's environment: it then requires the tokens this class signs. */
    Map<String, String> relayEnvironment() {
        return Map.of("RELAY_API_KEY", apiKey, "RELAY_API_SECRET", secret);
    }

    @Override
    public String toString() {
        return "PeerTokens[" + apiKey + "]";
    }
}
