package dev.relay.signaling.auth;

import static dev.relay.signaling.auth.Tokens.HS256;
import static dev.relay.signaling.auth.Tokens.KEY;
import static dev.relay.signaling.auth.Tokens.SECRET;
import static dev.relay.signaling.auth.Tokens.T;
import static dev.relay.signaling.auth.Tokens.VIDEO;
import static dev.relay.signaling.auth.Tokens.payload;
import static dev.relay.signaling.auth.Tokens.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a token is passed on the upgrade, the room check at join, and the refusal counts. */
class AccessControlTest {
    private Instant now = Tokens.NOW;
    private final AccessControl access = new AccessControl(Tokens.KEYS, OriginPolicy.defaults(), () -> now);
    private final String token = Tokens.valid(VIDEO);

    @Test
    void shouldTakeTokenFromQueryOrBearerHeader() throws Exception {
        assertEquals("alice", access.admit(List.of(token), null).identity());
        assertEquals("alice", access.admit(List.of(), "Bearer " + token).identity());
        assertEquals("alice", access.admit(List.of(), "bearer " + token).identity());
        assertEquals("alice", access.admit(List.of(token, token), "Bearer " + token).identity(), "the same token twice");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no token at all         | MISSING",
        "Basic credentials       | MALFORMED",
        "two different tokens    | MALFORMED",
        "query and header differ | MALFORMED",
    })
    void shouldRefuseAmbiguousOrMissingToken(String description, RefusalReason reason) {
        String other = Tokens.valid("{\"room\":\"r2\",\"roomJoin\":true}");
        List<String> query = switch (description.strip()) {
            case "two different tokens", "query and header differ" -> description.startsWith("two")
                    ? List.of(token, other) : List.of(token);
            default -> List.of();
        };
        String header = switch (description.strip()) {
            case "Basic credentials" -> "Basic YWxpY2U6c2VjcmV0";
            case "query and header differ" -> "Bearer " + other;
            default -> null;
        };
        TokenRefusedException e = assertThrows(TokenRefusedException.class, () -> access.admit(query, header));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(1, access.refused(reason), "counted once by reason");
    }

    @Test
    void shouldGrantJoinOnlyForTheTokensRoom() throws Exception {
        AccessToken claims = access.admit(List.of(token), null);
        assertEquals(claims.video(), access.join(claims, "r1"));
        TokenRefusedException e = assertThrows(TokenRefusedException.class, () -> access.join(claims, "r2"));
        assertEquals(RefusalReason.WRONG_ROOM, e.reason());
        assertTrue(e.getMessage().contains("'r1'") && e.getMessage().contains("'r2'"), e.getMessage());
        assertEquals(1, access.refused(RefusalReason.WRONG_ROOM));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"room\":\"r1\"}",
        "{\"room\":\"r1\",\"roomJoin\":false}",
        "{\"roomJoin\":true}",
        "{\"room\":\"\",\"roomJoin\":true}",
    })
    void shouldRefuseJoinWithoutRoomJoinGrant(String video) throws Exception {
        AccessToken claims = access.admit(List.of(Tokens.valid(video)), null);
        assertEquals(RefusalReason.NO_JOIN_GRANT,
                assertThrows(TokenRefusedException.class, () -> access.join(claims, "r1")).reason());
    }

    @Test
    void shouldRefuseJoinOnceTokenExpiredAfterUpgrade() throws Exception {
        AccessToken claims = access.admit(List.of(sign(HS256, payload(KEY, "alice", T - 60, T + 30, VIDEO, ""),
                SECRET)), null);
        now = now.plusSeconds(41);
        assertEquals(RefusalReason.EXPIRED, assertThrows(TokenRefusedException.class,
                () -> access.join(claims, "r1")).reason());
        assertEquals(1, access.refused(RefusalReason.EXPIRED));
    }

    @Test
    void shouldRefuseJoinWithoutAdmittedToken() {
        assertEquals(RefusalReason.MISSING, assertThrows(TokenRefusedException.class,
                () -> access.join(null, "r1")).reason());
    }

    @Test
    void shouldNeitherRequireNorReadTokensInDevMode() throws Exception {
        AccessControl dev = new AccessControl(ApiKeys.none(), OriginPolicy.defaults(), () -> now);
        assertFalse(dev.tokensRequired());
        assertNull(dev.admit(List.of(), null));
        assertNull(dev.admit(List.of("garbage"), "Basic x"), "a token is not looked at: there is no secret");
        assertEquals(VideoGrant.unrestricted("any"), dev.join(null, "any"));
        for (RefusalReason reason : RefusalReason.values()) {
            assertEquals(0, dev.refused(reason));
        }
    }

    @Test
    void shouldCountRefusedOrigins() {
        assertTrue(access.allowsOrigin(null, "relay:8080"));
        assertTrue(access.allowsOrigin("http://relay:8080", "relay:8080"));
        assertFalse(access.allowsOrigin("https://evil.example", "relay:8080"));
        assertFalse(access.allowsOrigin("null", "relay:8080"));
        assertEquals(2, access.originsRefused());
    }
}
