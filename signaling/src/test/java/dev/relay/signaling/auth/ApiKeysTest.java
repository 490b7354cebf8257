package dev.relay.signaling.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {
    private static final String SECRET_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:with-colon";
    private static final String SECRET_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    @TempDir
    Path dir;

    @Test
    void shouldReadKeysFileForRotation() throws Exception {
        Path file = dir.resolve("keys.yaml");
        Files.write(file, List.of("# old key, drop after 2025-07-01", "APIold: " + SECRET_A, "", "  APInew:" + SECRET_B));
        ApiKeys keys = ApiKeys.fromFile(file);
        assertEquals(Set.of("APIold", "APInew"), keys.keys());
        assertEquals(SECRET_A, keys.secret("APIold"), "the secret is everything after the first colon");
        assertEquals(SECRET_B, keys.secret("APInew"));
        assertNull(keys.secret("APIother"));
    }

    @Test
    void shouldNeverShowSecretsInToString() throws Exception {
        ApiKeys keys = ApiKeys.of("APIa", SECRET_A).and(ApiKeys.of("APIb", SECRET_B));
        assertEquals("ApiKeys[APIa, APIb]", keys.toString());
        String config = new dev.relay.signaling.AccessConfig(keys, OriginPolicy.defaults(), null,
                java.util.OptionalInt.empty()).toString();
        assertFalse(config.contains(SECRET_A) || config.contains(SECRET_B), config);
    }

    @ParameterizedTest
    @ValueSource(strings = {"APIa short", "APIa:", "no colon here", "bad key!: " + SECRET_B, ": " + SECRET_B})
    void shouldRefuseBadLineWithoutEchoingIt(String line) throws Exception {
        Path file = dir.resolve("bad");
        Files.write(file, List.of("APIok: " + SECRET_B, line));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.fromFile(file));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET_B), e.getMessage());
    }

    @Test
    void shouldRefuseSecretShorterThan256Bits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.of("APIa", "x".repeat(ApiKeys.MIN_SECRET_BYTES - 1)));
        assertFalse(e.getMessage().contains("x".repeat(31)), e.getMessage());
        ApiKeys.of("APIa", "x".repeat(ApiKeys.MIN_SECRET_BYTES));
    }

    @Test
    void shouldRefuseSameKeyWithTwoSecrets() throws Exception {
        Path file = dir.resolve("dup");
        Files.write(file, List.of("APIa: " + SECRET_A, "APIa: " + SECRET_B));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.fromFile(file));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.of("APIa", SECRET_A).and(ApiKeys.of("APIa", SECRET_B)));
        assertEquals(Set.of("APIa"), ApiKeys.of("APIa", SECRET_A).and(ApiKeys.of("APIa", SECRET_A)).keys());
    }

    @Test
    void shouldRefuseEmptyKeysFile() throws Exception {
        Path file = dir.resolve("empty");
        Files.write(file, List.of("# nothing yet"));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.fromFile(file));
    }
}
