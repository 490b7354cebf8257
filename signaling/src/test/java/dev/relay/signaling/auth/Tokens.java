package dev.relay.signaling.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test tokens built by hand (base64url JSON and the JDK's HMAC), not by the library under test,
 * so a test can write any header and payload, including ones no JWT library would produce.
 */
final class Tokens {
    static final String KEY = "APIk3y";
    static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-0001";
    static final String OTHER_KEY = "APIn3w";
    static final String OTHER_SECRET = "an0ther-s3cret-an0ther-s3cret-an0ther-s3";
    static final ApiKeys KEYS = ApiKeys.of(KEY, SECRET).and(ApiKeys.of(OTHER_KEY, OTHER_SECRET));
    /** "now" for every test: 2025-06-01T12:00:00Z, second 1748779200. */
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final long T = NOW.getEpochSecond();
    static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    static final String VIDEO = "{\"room\":\"r1\",\"roomJoin\":true}";

    private Tokens() {
    }

    /** A payload with LiveKit's claims; {@code extra} is spliced in before the closing brace. */
    static String payload(String iss, String sub, long nbf, long exp, String video, String extra) {
        return "{\"iss\":\"" + iss + "\",\"sub\":\"" + sub + "\",\"nbf\":" + nbf + ",\"exp\":" + exp
                + ",\"video\":" + video + extra + "}";
    }

    /** A valid token for room r1 from {@link #KEY}, with the given video grant. */
    static String valid(String video) {
        return sign(HS256, payload(KEY, "alice", T - 60, T + 3600, video, ""), SECRET);
    }

    static String sign(String header, String payload, String secret) {
        String signingInput = b64(header) + "." + b64(payload);
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                hmac("HmacSHA256", secret, signingInput));
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(String algorithm, String secret, String input) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
