package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.signaling.RelayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signaling WebSocket answers bad input with an {@code error} (code + message) and keeps the
 * connection usable (docs/signaling.md "Errors": an error never closes the connection), checked
 * with a plain Java WebSocket against an in-process relay; no browser needed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignalingErrorsTest {

    private static final Duration REPLY = Duration.ofSeconds(5);

    private static RelayServer relay;
    private static URI ws;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = Relays.startLoopback();
        ws = Relays.webSocket(relay);
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void shouldAnswerMalformedFramesWithErrorsAndStillAcceptJoin() throws Exception {
        try (SignalingClient client = SignalingClient.connect(ws, REPLY)) {
            client.send("not json");
            assertError(client.next(REPLY), "bad_json");

            client.send("{\"type\":\"nope\"}");
            assertError(client.next(REPLY), "unknown_type");

            client.send("{\"type\":\"publish\",\"sdp\":\"x\"}");
            JsonNode notJoined = client.next(REPLY);
            assertError(notJoined, "not_joined");
            assertEquals("publish", notJoined.path("requestType").asText(), "error names the request: " + notJoined);

            String room = Relays.uniqueRoom("errors");
            client.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"tester\"}");
            JsonNode joined = client.next(REPLY);
            assertEquals("joined", joined.path("type").asText(), "the same socket can still join: " + joined);
            assertFalse(joined.path("participantId").asText().isEmpty(), "joined carries a participantId: " + joined);
            assertTrue(joined.path("participants").isArray(), "joined lists the others in the room: " + joined);
            assertEquals(0, joined.path("participants").size(), "a fresh room has nobody else: " + joined);

            client.send("{\"type\":\"leave\"}");
            client.next(n -> n.path("type").asText().equals("left"), "'left'", REPLY);
        }
    }

    @Test
    void shouldEchoRequestIdsAndRefuseSecondJoin() throws Exception {
        try (SignalingClient client = SignalingClient.connect(ws, REPLY)) {
            client.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            JsonNode pong = client.next(REPLY);
            assertEquals("pong", pong.path("type").asText(), "ping before join is allowed: " + pong);
            assertEquals("p1", pong.path("id").asText(), "reply echoes the request id: " + pong);

            String room = Relays.uniqueRoom("ids");
            client.send("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "\"}");
            JsonNode joined = client.next(REPLY);
            assertEquals("joined", joined.path("type").asText(), "join without a name: " + joined);
            assertEquals(1, joined.path("id").asInt(), "reply echoes the request id: " + joined);
            assertEquals(room, joined.path("room").asText(), "joined names the room: " + joined);

            client.send("{\"type\":\"join\",\"id\":2,\"room\":\"" + room + "\"}");
            JsonNode again = client.next(n -> n.path("type").asText().equals("error"), "error", REPLY);
            assertError(again, "already_joined");
            assertEquals(2, again.path("id").asInt(), "error echoes the request id: " + again);
        }
    }

    private static void assertError(JsonNode reply, String code) {
        assertEquals("error", reply.path("type").asText(), "expected an error reply, got " + reply);
        assertEquals(code, reply.path("code").asText(), "error code of " + reply);
        assertFalse(reply.path("message").asText().isEmpty(), "error has a human message: " + reply);
    }
}
