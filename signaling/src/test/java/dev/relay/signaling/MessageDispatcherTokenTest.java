package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.AccessToken;
import dev.relay.signaling.auth.ApiKeys;
import dev.relay.signaling.auth.OriginPolicy;
import dev.relay.signaling.auth.RefusalReason;
import dev.relay.signaling.auth.TokenIssuer;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher on a relay with API keys: {@code join} needs the token's room and takes the
 * participant's name from the token; {@code publish} needs {@code canPublish}; an
 * {@code unauthorized} error closes the socket with 1008, {@code forbidden} does not.
 */
class MessageDispatcherTokenTest {
    private static final ApiKeys KEYS = ApiKeys.of("APIk", "0123456789abcdef0123456789abcdef");
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private final List<String> replies = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final AccessControl access = new AccessControl(KEYS, OriginPolicy.defaults(), () -> NOW);
    private final MessageDispatcher dispatcher = new MessageDispatcher(new ObjectMapper(), new Requests(), access);

    private final class Requests implements MessageDispatcher.Requests {
        @Override
        public Participant join(Connection joining, String room, String name, VideoGrant grant, JsonNode id) {
            calls.add("join " + room + " '" + name + "' " + grant);
            return new Participant("p1", name, new Room(room, null, null), joining.outbox, grant);
        }

        @Override
        public void publish(Participant participant, String offerSdp, JsonNode id) {
            calls.add("publish " + participant.id());
        }

        @Override
        public void subscribeAnswer(Participant participant, String answerSdp, long version) {
            calls.add("subscribeAnswer");
        }

        @Override
        public void leave(Participant participant, LeaveReason reason) {
            calls.add("leave");
        }

        @Override
        public void setSubscription(Participant participant, String publisherId, String trackId, int layer) {
            calls.add("setSubscription");
        }
    }

    private Connection connect(VideoGrant grant, String name) throws Exception {
        String token = TokenIssuer.forKey(KEYS, null, () -> NOW).issue("alice-id", name, grant, Duration.ofHours(1));
        AccessToken claims = access.admit(List.of(token), null);
        return new Connection(new Outbox() {
            @Override
            public void send(ObjectNode message) {
                replies.add(message.toString());
            }

            @Override
            public void close() {
                replies.add("closed");
            }

            @Override
            public void close(int statusCode, String reason) {
                replies.add("closed " + statusCode + " " + reason);
            }
        }, "test", claims);
    }

    @Test
    void shouldJoinTheTokensRoomUnderTheTokensName() throws Exception {
        Connection connection = connect(new VideoGrant("r1", true, false, true, true, false), "Alice");
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"r1\",\"name\":\"Mallory\"}");
        assertEquals(List.of("join r1 'Alice' VideoGrant[room=r1, roomJoin=true, canPublish=false, canSubscribe=true, "
                + "canPublishData=true, hidden=false]"), calls);
        assertEquals(List.of(), replies);
    }

    @Test
    void shouldNameParticipantByIdentityWithoutNameClaim() throws Exception {
        Connection connection = connect(VideoGrant.unrestricted("r1"), null);
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"r1\"}");
        assertEquals("join r1 'alice-id' " + VideoGrant.unrestricted("r1"), calls.get(0));
    }

    @Test
    void shouldRefuseJoinToAnotherRoomAndClose() throws Exception {
        Connection connection = connect(VideoGrant.unrestricted("r1"), "Alice");
        dispatcher.onText(connection, "{\"type\":\"join\",\"id\":4,\"room\":\"r2\"}");
        assertEquals(List.of(), calls);
        assertEquals(List.of("{\"type\":\"error\",\"code\":\"unauthorized\",\"reason\":\"wrong_room\",\"message\":"
                + "\"the token is for room 'r1', not 'r2'\",\"requestType\":\"join\",\"id\":4}",
                "closed 1008 unauthorized: wrong_room"), replies);
        assertEquals(1, access.refused(RefusalReason.WRONG_ROOM));
    }

    @Test
    void shouldRefuseJoinOnConnectionWithoutToken() {
        Connection connection = new Connection(new Outbox() {
            @Override
            public void send(ObjectNode message) {
                replies.add(message.path("code").asText() + " " + message.path("reason").asText());
            }

            @Override
            public void close() {
                replies.add("closed");
            }
        }, "test");
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"r1\"}");
        assertEquals(List.of("unauthorized missing", "closed"), replies);
        assertEquals(List.of(), calls);
    }

    @Test
    void shouldRefusePublishWithoutCanPublishAndKeepTheConnection() throws Exception {
        Connection connection = connect(new VideoGrant("r1", true, false, true, true, false), "Viewer");
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"r1\"}");
        calls.clear();

        dispatcher.onText(connection, "{\"type\":\"publish\",\"id\":7,\"sdp\":\"v=0\"}");
        dispatcher.onText(connection, "{\"type\":\"ping\"}");

        assertEquals(List.of(), calls);
        assertEquals(List.of("{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"the access token does not "
                + "grant canPublish\",\"requestType\":\"publish\",\"id\":7}", "{\"type\":\"pong\"}"), replies);
    }

    @Test
    void shouldRefusePublishOfHiddenParticipant() throws Exception {
        Connection connection = connect(new VideoGrant("r1", true, true, true, true, true), "Recorder");
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"r1\"}");
        calls.clear();
        dispatcher.onText(connection, "{\"type\":\"publish\",\"sdp\":\"v=0\"}");
        assertEquals(List.of(), calls);
        assertEquals("{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"a hidden participant may not publish: "
                + "its tracks would announce it\",\"requestType\":\"publish\"}", replies.get(0));
    }

    @Test
    void shouldLetPublisherPublish() throws Exception {
        Connection connection = connect(VideoGrant.unrestricted("r1"), "Alice");
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"r1\"}");
        dispatcher.onText(connection, "{\"type\":\"publish\",\"sdp\":\"v=0\"}");
        assertEquals("publish p1", calls.get(1));
    }
}
