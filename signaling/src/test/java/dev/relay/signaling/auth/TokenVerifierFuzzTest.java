package dev.relay.signaling.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An access token is peer input, read before anything else of the peer is trusted:
 * {@link TokenVerifier#verify} may refuse it only with a {@link TokenRefusedException} (a reason
 * and a message without the secret), and whatever it accepts must be HS256, signed with the
 * named key's secret, inside its validity period and within the claim limits. Any other
 * exception, or an accepted token that breaks one of these, fails the fuzz test.
 *
 * <p>The first byte picks how the rest becomes a token: 0, as the text of the token (what an
 * attacker sends: it almost never gets past the signature); 1, as {@code header} 0x00
 * {@code payload}, base64url-encoded and signed with the relay's secret, so that the claim
 * checks behind the signature are fuzzed too.
 *
 * <p>Plain {@code mvn test} replays the corpus in
 * {@code src/test/resources/dev/relay/signaling/auth/TokenVerifierFuzzTestInputs/verify/}; to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl signaling test -Dtest='TokenVerifierFuzzTest#verify' -Djazzer.max_duration=60s \
 *     -Djazzer.disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexRoadblocks
 * </pre>
 */
class TokenVerifierFuzzTest {
    private final TokenVerifier verifier = new TokenVerifier(Tokens.KEYS, () -> Tokens.NOW);
    private final AccessControl access = new AccessControl(Tokens.KEYS, OriginPolicy.defaults(), () -> Tokens.NOW);

    @FuzzTest
    @DictionaryEntries({"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "\"alg\"", "\"HS256\"", "\"none\"", "\"HS512\"",
        "\"RS256\"", "\"crit\"", "\"iss\":\"APIk3y\"", "\"iss\":\"APIn3w\"", "\"sub\"", "\"name\"", "\"nbf\"",
        "\"exp\"", "1748779200", "1748779210", "1748779190", "\"video\"", "\"room\":\"r1\"", "\"roomJoin\":true",
        "\"canPublish\"", "\"canSubscribe\"", "\"canPublishData\"", "\"hidden\"", "true", "false", "null",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."})
    void verify(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String token = data[0] == 1 ? signed(Arrays.copyOfRange(data, 1, data.length))
                : new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        AccessToken claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenRefusedException e) {
            assertNotNull(e.reason());
            assertFalse(e.getMessage().isBlank());
            assertFalse(e.getMessage().contains(Tokens.SECRET) || e.getMessage().contains(Tokens.OTHER_SECRET));
            return;
        }
        checkAccepted(token, claims);
        try {
            VideoGrant grant = access.join(claims, "r1");
            assertTrue(grant.roomJoin());
            assertEquals("r1", grant.room());
        } catch (TokenRefusedException e) {
            assertTrue(List.of(RefusalReason.NO_JOIN_GRANT, RefusalReason.WRONG_ROOM).contains(e.reason()),
                    e.reason() + ": the token was valid a moment ago, on the same clock");
        }
    }

    /** What an accepted token must be, checked without the library that parsed it. */
    private static void checkAccepted(String token, AccessToken claims) {
        assertTrue(token.length() <= TokenVerifier.MAX_TOKEN_CHARS);
        String[] parts = token.split("\\.", -1);
        assertEquals(3, parts.length, token);
        assertEquals("HS256", JWT.decode(token).getAlgorithm());
        String secret = claims.apiKey().equals(Tokens.KEY) ? Tokens.SECRET : Tokens.OTHER_SECRET;
        assertTrue(Tokens.KEYS.keys().contains(claims.apiKey()));
        assertArrayEquals(hmac(secret, parts[0] + "." + parts[1]), Base64.getUrlDecoder().decode(parts[2]),
                "accepted a signature the secret did not make");
        assertTrue(Tokens.NOW.isBefore(claims.expiresAt().plus(TokenVerifier.CLOCK_SKEW)), "expired");
        assertTrue(claims.notBefore() == null
                || !Tokens.NOW.plus(TokenVerifier.CLOCK_SKEW).isBefore(claims.notBefore()), "not yet valid");
        assertFalse(claims.identity().isBlank());
        assertTrue(claims.identity().length() <= TokenVerifier.MAX_IDENTITY_CHARS);
        assertTrue(claims.name() == null || claims.name().length() <= TokenVerifier.MAX_NAME_CHARS);
        assertNotNull(claims.video());
    }

    /** {@code header 0x00 payload} as a token signed with {@link Tokens#SECRET}. */
    private static String signed(byte[] rest) {
        int split = 0;
        while (split < rest.length && rest[split] != 0) {
            split++;
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(Arrays.copyOfRange(rest, 0, split)) + "."
                + b64.encodeToString(Arrays.copyOfRange(rest, Math.min(split + 1, rest.length), rest.length));
        return input + "." + b64.encodeToString(hmac(Tokens.SECRET, input));
    }

    private static byte[] hmac(String secret, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
