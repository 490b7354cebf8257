package dev.relay.signaling.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared-secret TURN credentials (draft-uberti-behave-turn-rest-00, coturn use-auth-secret). */
class TurnCredentialsTest {
    private static final String SECRET = "north-wind-secret-0123";

    @Test
    void shouldMakeTheUsernameFromTheExpiryAndThePasswordFromTheSecret() {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        TurnCredentials turn = new TurnCredentials(new TurnConfig(List.of("turns:turn.example.com:443?transport=tcp"),
                SECRET, Duration.ofHours(12)), InstantSource.fixed(now));

        TurnCredentials.IceServer server = turn.issue("p1@room");

        assertEquals("1700043200:p1@room", server.username(), "expiry 12 h from now, in Unix seconds");
        // echo -n "1700043200:p1@room" | openssl dgst -sha1 -hmac "north-wind-secret-0123" -binary | base64
        assertEquals("hlNOXktURIXHw8gBN2XjKXQQeSw=", server.credential());
        assertEquals(Instant.ofEpochSecond(1_700_043_200L), server.expires());
        assertEquals(List.of("turns:turn.example.com:443?transport=tcp"), server.urls());
    }

    @Test
    void shouldGiveEveryJoinItsOwnCredentials() {
        Instant[] now = {Instant.ofEpochSecond(1_700_000_000L)};
        TurnCredentials turn = new TurnCredentials(new TurnConfig(List.of("turn:192.0.2.1:3478"), SECRET,
                Duration.ofMinutes(10)), () -> now[0]);
        TurnCredentials.IceServer first = turn.issue("p1@room");
        now[0] = now[0].plusSeconds(60);
        TurnCredentials.IceServer later = turn.issue("p1@room");
        assertFalse(first.username().equals(later.username()));
        assertFalse(first.credential().equals(later.credential()));
        assertFalse(turn.issue("p2@room").credential().equals(later.credential()), "per participant");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "turns:turn.example.com:443?transport=tcp | turn.example.com",
        "turn:192.0.2.1:3478                      | 192.0.2.1",
        "turn:192.0.2.1?transport=udp             | 192.0.2.1",
        "turns:[2001:db8::1]:443                  | 2001:db8::1",
        "turn:turn.example.com                    | turn.example.com",
    })
    void shouldFindTheHostOfEachUrl(String url, String host) {
        assertEquals(host, TurnConfig.host(url));
    }

    @Test
    void shouldRefuseWhatCannotWork() {
        assertThrows(IllegalArgumentException.class,
                () -> new TurnConfig(List.of("turns:t.example.com:443"), "short", Duration.ofHours(1)), "weak secret");
        assertThrows(IllegalArgumentException.class,
                () -> new TurnConfig(List.of("stun:t.example.com"), SECRET, Duration.ofHours(1)), "not TURN");
        assertThrows(IllegalArgumentException.class,
                () -> new TurnConfig(List.of("turn:t.example.com"), SECRET, Duration.ZERO), "no lifetime");
        assertFalse(TurnConfig.none().enabled());
        assertTrue(new TurnConfig(List.of("turn:t.example.com"), SECRET, Duration.ofHours(1)).enabled());
        assertFalse(new TurnConfig(List.of("turn:t.example.com"), SECRET, Duration.ofHours(1)).toString()
                .contains(SECRET), "the secret never reaches a log line");
    }
}
