package dev.relay.signaling.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys a relay accepts tokens from: key (a token's {@code iss}) -> secret. Several keys
 * let a deployment rotate: add the new key, move token issuers to it, then drop the old one.
 * Empty means dev mode: tokens are not required.
 *
 * <p>Secrets leave this class only as HMAC keys; {@link #toString} names the keys alone, so a
 * config record that holds this can be logged.
 */
public final class ApiKeys {
    /**
     * RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits. A
     * secret is used as its UTF-8 bytes, as LiveKit does, so 32 bytes of them.
     */
    public static final int MIN_SECRET_BYTES = 32;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");
    private static final ApiKeys NONE = new ApiKeys(Map.of());

    private final Map<String, String> secrets;

    private ApiKeys(Map<String, String> secrets) {
        this.secrets = Collections.unmodifiableMap(secrets);
    }

    /** No keys: dev mode. */
    public static ApiKeys none() {
        return NONE;
    }

    /** One key and its secret, as from {@code RELAY_API_KEY} / {@code RELAY_API_SECRET}. */
    public static ApiKeys of(String key, String secret) {
        Map<String, String> map = new LinkedHashMap<>();
        put(map, key, secret, "--api-key");
        return new ApiKeys(map);
    }

    /**
     * Reads a keys file: one {@code key: secret} a line (LiveKit's format); blank lines and lines
     * starting with {@code #} are skipped. Errors name the line, never its content.
     */
    public static ApiKeys fromFile(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = file + " line " + (i + 1);
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": expected 'key: secret'");
            }
            put(map, line.substring(0, colon).strip(), line.substring(colon + 1).strip(), where);
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no 'key: secret' line");
        }
        return new ApiKeys(map);
    }

    /** Both sets; a key in both must have the same secret. */
    public ApiKeys and(ApiKeys other) {
        Map<String, String> map = new LinkedHashMap<>(secrets);
        for (Map.Entry<String, String> e : other.secrets.entrySet()) {
            String known = map.putIfAbsent(e.getKey(), e.getValue());
            if (known != null && !known.equals(e.getValue())) {
                throw new IllegalArgumentException("API key '" + e.getKey() + "' is given twice with different secrets");
            }
        }
        return new ApiKeys(map);
    }

    private static void put(Map<String, String> map, String key, String secret, String where) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(where + ": an API key is 1-128 characters of A-Z a-z 0-9 _ . -");
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(where + ": the secret of API key '" + key + "' is shorter than "
                    + MIN_SECRET_BYTES + " bytes (HS256 needs 256 bits; e.g. openssl rand -base64 32)");
        }
        if (map.putIfAbsent(key, secret) != null) {
            throw new IllegalArgumentException(where + ": API key '" + key + "' is given twice");
        }
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    public Set<String> keys() {
        return secrets.keySet();
    }

    /** The secret of {@code key}, or null if this relay has no such key. */
    String secret(String key) {
        return key == null ? null : secrets.get(key);
    }

    /** Key names only: secrets never reach a log line. */
    @Override
    public String toString() {
        return "ApiKeys" + secrets.keySet();
    }
}
