package dev.relay.signaling.auth;

import static dev.relay.signaling.auth.Tokens.HS256;
import static dev.relay.signaling.auth.Tokens.KEY;
import static dev.relay.signaling.auth.Tokens.OTHER_KEY;
import static dev.relay.signaling.auth.Tokens.OTHER_SECRET;
import static dev.relay.signaling.auth.Tokens.SECRET;
import static dev.relay.signaling.auth.Tokens.T;
import static dev.relay.signaling.auth.Tokens.VIDEO;
import static dev.relay.signaling.auth.Tokens.b64;
import static dev.relay.signaling.auth.Tokens.payload;
import static dev.relay.signaling.auth.Tokens.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TokenVerifier} as a table: each row a token as an attacker or a careless issuer might
 * send it, and the one outcome allowed (docs/signaling.md "Authentication"). Tokens are built by
 * hand ({@link Tokens}), so the table also holds what no JWT library would write.
 */
class TokenVerifierTest {
    private final TokenVerifier verifier = new TokenVerifier(Tokens.KEYS, () -> Tokens.NOW);

    static Stream<Arguments> refused() throws Exception {
        String claims = payload(KEY, "alice", T - 60, T + 3600, VIDEO, "");
        String valid = sign(HS256, claims, SECRET);
        String[] parts = valid.split("\\.");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair pair = rsa.generateKeyPair();
        String rs256 = JWT.create().withIssuer(KEY).withSubject("alice").withExpiresAt(Instant.ofEpochSecond(T + 3600))
                .withClaim("video", java.util.Map.of("room", "r1", "roomJoin", true))
                .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
        String hs512 = b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + b64(claims) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(
                        Tokens.hmac("HmacSHA512", SECRET, b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + b64(claims)));
        return Stream.of(
                Arguments.of("no token", null, RefusalReason.MISSING),
                Arguments.of("empty token", "", RefusalReason.MISSING),
                Arguments.of("not a JWT", "hello", RefusalReason.MALFORMED),
                Arguments.of("two parts", parts[0] + "." + parts[1], RefusalReason.MALFORMED),
                Arguments.of("header not base64url", "!!!." + parts[1] + "." + parts[2], RefusalReason.MALFORMED),
                Arguments.of("payload not JSON", parts[0] + "." + b64("not json") + "." + parts[2],
                        RefusalReason.MALFORMED),
                Arguments.of("header is JSON null", sign("null", claims, SECRET), RefusalReason.MALFORMED),
                Arguments.of("payload is JSON null", sign(HS256, "null", SECRET), RefusalReason.MALFORMED),
                Arguments.of("exp beyond Instant.MAX", sign(HS256, payload(KEY, "alice", T, Long.MAX_VALUE, VIDEO, ""),
                        SECRET), RefusalReason.MALFORMED),
                Arguments.of("exp not a number", sign(HS256, claims.replace("\"exp\":" + (T + 3600), "\"exp\":\"soon\""),
                        SECRET), RefusalReason.MALFORMED),
                Arguments.of("oversized", sign(HS256, payload(KEY, "alice", T, T + 60, VIDEO,
                        ",\"pad\":\"" + "x".repeat(4000) + "\""), SECRET), RefusalReason.OVERSIZED),
                Arguments.of("alg none, no signature", b64("{\"alg\":\"none\"}") + "." + b64(claims) + ".",
                        RefusalReason.BAD_ALGORITHM),
                Arguments.of("alg none, HS256 signature kept", b64("{\"alg\":\"none\"}") + "." + parts[1] + "."
                        + parts[2], RefusalReason.BAD_ALGORITHM),
                Arguments.of("alg NONE", b64("{\"alg\":\"NONE\"}") + "." + b64(claims) + ".", RefusalReason.BAD_ALGORITHM),
                Arguments.of("no alg", sign("{\"typ\":\"JWT\"}", claims, SECRET), RefusalReason.BAD_ALGORITHM),
                Arguments.of("HS512 with the right secret", hs512, RefusalReason.BAD_ALGORITHM),
                Arguments.of("RS256", rs256, RefusalReason.BAD_ALGORITHM),
                Arguments.of("crit header", sign("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", claims, SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("no iss", sign(HS256, claims.replace("\"iss\":\"" + KEY + "\",", ""), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("unknown key", sign(HS256, payload("APIgone", "alice", T - 60, T + 3600, VIDEO, ""), SECRET),
                        RefusalReason.UNKNOWN_KEY),
                Arguments.of("wrong secret", sign(HS256, claims, "wrong-wrong-wrong-wrong-wrong-wrong-wrong"),
                        RefusalReason.BAD_SIGNATURE),
                Arguments.of("other key's secret", sign(HS256, claims, OTHER_SECRET), RefusalReason.BAD_SIGNATURE),
                Arguments.of("payload changed after signing", parts[0] + "."
                        + b64(claims.replace("\"roomJoin\":true", "\"roomJoin\":true,\"canPublish\":true")) + "."
                        + parts[2], RefusalReason.BAD_SIGNATURE),
                Arguments.of("signature truncated", valid.substring(0, valid.length() - 2), RefusalReason.BAD_SIGNATURE),
                Arguments.of("no signature", parts[0] + "." + parts[1] + ".", RefusalReason.BAD_SIGNATURE),
                Arguments.of("expired 11 s ago", sign(HS256, payload(KEY, "alice", T - 600, T - 11, VIDEO, ""), SECRET),
                        RefusalReason.EXPIRED),
                Arguments.of("expires now minus the 10 s skew", sign(HS256, payload(KEY, "alice", T - 600, T - 10, VIDEO,
                        ""), SECRET), RefusalReason.EXPIRED),
                Arguments.of("not valid for 11 s", sign(HS256, payload(KEY, "alice", T + 11, T + 600, VIDEO, ""), SECRET),
                        RefusalReason.NOT_YET_VALID),
                Arguments.of("no exp", sign(HS256, claims.replace(",\"exp\":" + (T + 3600), ""), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("no sub", sign(HS256, claims.replace("\"sub\":\"alice\",", ""), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("sub a number", sign(HS256, claims.replace("\"sub\":\"alice\"", "\"sub\":7"), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("name a number", sign(HS256, payload(KEY, "alice", T, T + 60, VIDEO, ",\"name\":7"), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("name of 65 characters", sign(HS256, payload(KEY, "alice", T, T + 60, VIDEO,
                        ",\"name\":\"" + "n".repeat(65) + "\""), SECRET), RefusalReason.MALFORMED),
                Arguments.of("no video grant", sign(HS256, claims.replace(",\"video\":" + VIDEO, ""), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("video grant a string", sign(HS256, payload(KEY, "alice", T, T + 60, "\"r1\"", ""), SECRET),
                        RefusalReason.MALFORMED),
                Arguments.of("canPublish a string", sign(HS256, payload(KEY, "alice", T, T + 60,
                        "{\"room\":\"r1\",\"roomJoin\":true,\"canPublish\":\"no\"}", ""), SECRET), RefusalReason.MALFORMED),
                Arguments.of("room a number", sign(HS256, payload(KEY, "alice", T, T + 60, "{\"room\":1,\"roomJoin\":true}",
                        ""), SECRET), RefusalReason.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void shouldRefuseWithReason(String description, String token, RefusalReason reason) {
        TokenRefusedException e = assertThrows(TokenRefusedException.class, () -> verifier.verify(token), description);
        assertEquals(reason, e.reason(), description + ": " + e.getMessage());
        assertFalse(e.getMessage().isBlank());
        assertFalse(e.getMessage().contains(SECRET) || e.getMessage().contains(OTHER_SECRET), "no secret in " + e);
    }

    @Test
    void shouldAcceptValidTokenWithLiveKitDefaults() throws Exception {
        AccessToken token = verifier.verify(sign(HS256, payload(KEY, "alice", T - 60, T + 3600, VIDEO,
                ",\"name\":\"Alice\""), SECRET));
        assertEquals(KEY, token.apiKey());
        assertEquals("alice", token.identity());
        assertEquals("Alice", token.displayName());
        assertEquals(Instant.ofEpochSecond(T + 3600), token.expiresAt());
        assertEquals(Instant.ofEpochSecond(T - 60), token.notBefore());
        // LiveKit: absent canPublish/canSubscribe/canPublishData mean true, absent hidden false.
        assertEquals(new VideoGrant("r1", true, true, true, true, false), token.video());
    }

    @Test
    void shouldNameParticipantByIdentityWhenTokenHasNoName() throws Exception {
        assertEquals("alice", verifier.verify(Tokens.valid(VIDEO)).displayName());
    }

    @Test
    void shouldReadGrantsThatWithholdPermissions() throws Exception {
        VideoGrant grant = verifier.verify(Tokens.valid("{\"room\":\"r1\",\"roomJoin\":true,\"canPublish\":false,"
                + "\"canSubscribe\":false,\"canPublishData\":false,\"hidden\":true,\"roomAdmin\":true}")).video();
        assertEquals(new VideoGrant("r1", true, false, false, false, true), grant);
        assertFalse(grant.mayPublish());
        assertFalse(new VideoGrant("r1", true, true, true, true, true).mayPublish(), "hidden never publishes");
    }

    @Test
    void shouldAcceptEveryKeyOfTheRotation() throws Exception {
        String token = sign(HS256, payload(OTHER_KEY, "bob", T - 60, T + 60, VIDEO, ""), OTHER_SECRET);
        assertEquals(OTHER_KEY, verifier.verify(token).apiKey());
    }

    @Test
    void shouldAllowTenSecondsOfClockSkew() throws Exception {
        verifier.verify(sign(HS256, payload(KEY, "alice", T - 600, T - 9, VIDEO, ""), SECRET));
        verifier.verify(sign(HS256, payload(KEY, "alice", T + 10, T + 600, VIDEO, ""), SECRET));
        verifier.verify(sign(HS256, payload(KEY, "alice", T + 9, T + 600, VIDEO, ""), SECRET));
    }

    @Test
    void shouldAcceptTokenWithoutNbf() throws Exception {
        AccessToken token = verifier.verify(sign(HS256,
                "{\"iss\":\"" + KEY + "\",\"sub\":\"a\",\"exp\":" + (T + 60) + ",\"video\":" + VIDEO + "}", SECRET));
        assertNull(token.notBefore());
    }

    @Test
    void shouldRefuseFirstTokenOverSizeLimitAndAcceptTheOneBelow() throws Exception {
        String below = null;
        for (int pad = 2000; ; pad++) {
            String token = sign(HS256, payload(KEY, "alice", T, T + 60, VIDEO, ",\"pad\":\"" + "x".repeat(pad) + "\""),
                    SECRET);
            if (token.length() > TokenVerifier.MAX_TOKEN_CHARS) {
                TokenRefusedException e = assertThrows(TokenRefusedException.class, () -> verifier.verify(token));
                assertEquals(RefusalReason.OVERSIZED, e.reason());
                break;
            }
            below = token;
        }
        assertTrue(below.length() <= TokenVerifier.MAX_TOKEN_CHARS && below.length() > 4090, "length " + below.length());
        verifier.verify(below);
    }

    @Test
    void shouldVerifyWhatTheIssuerSigns() throws Exception {
        TokenIssuer issuer = TokenIssuer.forKey(Tokens.KEYS, OTHER_KEY, () -> Tokens.NOW);
        String token = issuer.issue("carol", "Carol", new VideoGrant("r2", true, false, true, true, false),
                Duration.ofMinutes(5));
        AccessToken claims = verifier.verify(token);
        assertEquals(OTHER_KEY, claims.apiKey());
        assertEquals("carol", claims.identity());
        assertEquals("Carol", claims.name());
        assertEquals(new VideoGrant("r2", true, false, true, true, false), claims.video());
        assertEquals(Tokens.NOW.plusSeconds(300), claims.expiresAt());
        assertEquals(Tokens.NOW, claims.notBefore());
        TokenVerifier later = new TokenVerifier(Tokens.KEYS, () -> Tokens.NOW.plusSeconds(311));
        assertEquals(RefusalReason.EXPIRED, assertThrows(TokenRefusedException.class, () -> later.verify(token)).reason());
    }

    @Test
    void shouldMakeIssuerChooseAmongSeveralKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenIssuer.forKey(Tokens.KEYS, null, () -> Tokens.NOW));
        assertTrue(e.getMessage().contains("--api-key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenIssuer.forKey(ApiKeys.none(), null, () -> Tokens.NOW));
        assertThrows(IllegalArgumentException.class, () -> TokenIssuer.forKey(Tokens.KEYS, "APIgone", () -> Tokens.NOW));
    }
}
