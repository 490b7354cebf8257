package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.signaling.turn.TurnConfig;
import dev.relay.signaling.turn.TurnCredentials;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code joined.iceServers} (docs/signaling.md "TURN"): each participant's own credentials, or none. */
class TurnJoinTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);

    @Test
    void shouldHandEachParticipantItsOwnTimeLimitedTurnCredentials() {
        TurnCredentials turn = new TurnCredentials(new TurnConfig(List.of("turns:turn.example.com:443?transport=tcp"),
                "a-shared-secret-of-some-length", Duration.ofHours(2)), InstantSource.fixed(NOW));
        try (RoomsFixture fixture = new RoomsFixture(Limits.defaults(), turn)) {
            fixture.join("alice", "r");
            ObjectNode alice = fixture.lastMessageTo("alice");
            fixture.join("bob", "r2");
            ObjectNode bob = fixture.lastMessageTo("bob");

            assertEquals("joined", alice.get("type").asText());
            JsonNode server = alice.get("iceServers").get(0);
            assertEquals("turns:turn.example.com:443?transport=tcp", server.get("urls").get(0).asText());
            assertEquals((NOW.getEpochSecond() + 7200) + ":" + alice.get("participantId").asText() + "@r",
                    server.get("username").asText());
            assertEquals(NOW.getEpochSecond() + 7200, alice.get("iceServersExpire").asLong());
            assertNotEquals(server.get("credential").asText(), bob.get("iceServers").get(0).get("credential").asText(),
                    "credentials of one participant are not another's");
        }
    }

    @Test
    void shouldHandOutNoServersWithoutTurn() {
        try (RoomsFixture fixture = new RoomsFixture()) {
            fixture.join("alice", "r");
            ObjectNode alice = fixture.lastMessageTo("alice");
            assertEquals("joined", alice.get("type").asText());
            assertFalse(alice.has("iceServers"));
        }
    }
}
