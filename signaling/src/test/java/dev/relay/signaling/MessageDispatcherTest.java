package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dispatcher alone, with recording {@link MessageDispatcher.Requests}: what reaches which
 * request with which fields, and the {@code error} reply of everything refused before that
 * (docs/signaling.md "Errors"): code, message, and the {@code id}/{@code requestType} echo.
 */
class MessageDispatcherTest {
    private final List<String> replies = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final FakeRequests requests = new FakeRequests();
    private final MessageDispatcher dispatcher = new MessageDispatcher(new ObjectMapper(), requests);
    private final Connection connection = new Connection(new RecordingOutbox(replies), "test");

    /** Records each request; {@link #failure} makes the next one throw. */
    private final class FakeRequests implements MessageDispatcher.Requests {
        Exception failure;

        @Override
        public Participant join(Connection joining, String room, String name, VideoGrant grant, JsonNode id) {
            calls.add("join " + room + " '" + name + "' " + id);
            return new Participant("p1", name, new Room(room, null, null), joining.outbox, grant);
        }

        @Override
        public void publish(Participant participant, String offerSdp, JsonNode id) throws SignalingException {
            calls.add("publish " + participant.id() + " " + offerSdp + " " + id);
            fail();
        }

        @Override
        public void subscribeAnswer(Participant participant, String answerSdp, long version)
                throws SignalingException {
            calls.add("subscribeAnswer " + participant.id() + " " + answerSdp + " " + version);
            fail();
        }

        @Override
        public void leave(Participant participant, LeaveReason reason) {
            calls.add("leave " + participant.id() + " " + reason.wireName());
            participant.leave();
        }

        @Override
        public void setSubscription(Participant participant, String publisherId, String trackId, int layer) {
            calls.add("setSubscription " + participant.id() + " " + publisherId + " " + trackId + " " + layer);
        }

        private void fail() throws SignalingException {
            Exception e = failure;
            failure = null;
            if (e instanceof SignalingException refused) {
                throw refused;
            }
            if (e != null) {
                throw (RuntimeException) e;
            }
        }
    }

    private void receive(String text) {
        dispatcher.onText(connection, text);
    }

    private void join() {
        receive("{\"type\":\"join\",\"room\":\"r\"}");
        replies.clear();
        calls.clear();
    }

    /** Refused requests: {input, whether to join first, the reply}. */
    static Stream<Arguments> badRequests() {
        String longName = "n".repeat(65);
        return Stream.of(
                Arguments.of("not json", false, "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"not valid JSON: "
                        + "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', "
                        + "'true' or 'false')\"}"),
                Arguments.of("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(MessageDispatcher.MAX_MESSAGE_CHARS) + "\"}",
                        false, "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"message larger than 65536 "
                                + "characters\"}"),
                Arguments.of("[1,2]", false, "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"a message must "
                        + "be a JSON object\"}"),
                Arguments.of("", false, "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"a message must "
                        + "be a JSON object\"}"),
                Arguments.of("{\"id\":3}", false, "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":"
                        + "\"missing string field 'type'\",\"id\":3}"),
                Arguments.of("{\"type\":5,\"id\":\"a\"}", false, "{\"type\":\"error\",\"code\":\"bad_request\","
                        + "\"message\":\"missing string field 'type'\",\"id\":\"a\"}"),
                Arguments.of("{\"type\":\"nope\",\"id\":{\"k\":1}}", false, "{\"type\":\"error\",\"code\":"
                        + "\"unknown_type\",\"message\":\"unknown message type 'nope'\",\"requestType\":\"nope\","
                        + "\"id\":{\"k\":1}}"),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\"}", false, notJoined("publish", "")),
                Arguments.of("{\"type\":\"subscribeAnswer\"}", false, notJoined("subscribeAnswer", "")),
                Arguments.of("{\"type\":\"candidate\"}", false, notJoined("candidate", "")),
                Arguments.of("{\"type\":\"leave\",\"id\":9}", false, notJoined("leave", ",\"id\":9")),
                Arguments.of("{\"type\":\"join\"}", false, badRequest("join", "missing string field 'room'")),
                Arguments.of("{\"type\":\"join\",\"room\":5}", false, badRequest("join", "missing string field 'room'")),
                Arguments.of("{\"type\":\"join\",\"room\":\"a b\"}", false,
                        badRequest("join", "room must be 1-64 characters of A-Z a-z 0-9 _ . -")),
                Arguments.of("{\"type\":\"join\",\"room\":\"\"}", false,
                        badRequest("join", "room must be 1-64 characters of A-Z a-z 0-9 _ . -")),
                Arguments.of("{\"type\":\"join\",\"room\":\"r\",\"name\":\"" + longName + "\"}", false,
                        badRequest("join", "name longer than 64 characters")),
                Arguments.of("{\"type\":\"join\",\"room\":\"s\",\"id\":2}", true, "{\"type\":\"error\",\"code\":"
                        + "\"already_joined\",\"message\":\"this connection already joined room r\",\"requestType\":"
                        + "\"join\",\"id\":2}"),
                Arguments.of("{\"type\":\"join\"}", true, "{\"type\":\"error\",\"code\":\"already_joined\","
                        + "\"message\":\"this connection already joined room r\",\"requestType\":\"join\"}"),
                Arguments.of("{\"type\":\"publish\"}", true, badRequest("publish", "missing string field 'sdp'")),
                Arguments.of("{\"type\":\"subscribeAnswer\",\"version\":1}", true,
                        badRequest("subscribeAnswer", "missing string field 'sdp'")),
                Arguments.of("{\"type\":\"subscribeAnswer\",\"sdp\":\"x\"}", true,
                        badRequest("subscribeAnswer", "missing integer field 'version'")),
                Arguments.of("{\"type\":\"subscribeAnswer\",\"sdp\":\"x\",\"version\":\"1\"}", true,
                        badRequest("subscribeAnswer", "missing integer field 'version'")),
                Arguments.of("{\"type\":\"candidate\"}", true, badRequest("candidate", "missing string field 'pc'")),
                Arguments.of("{\"type\":\"candidate\",\"pc\":\"other\"}", true,
                        badRequest("candidate", "pc must be 'publish' or 'subscribe'")),
                Arguments.of("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"x\"}", true,
                        badRequest("candidate", "candidate must be an object or null")),
                Arguments.of("{\"type\":\"mute\",\"trackId\":\"t\"}", false, notJoined("mute", "")),
                Arguments.of("{\"type\":\"mute\",\"muted\":true}", true, badRequest("mute", "missing string field 'trackId'")),
                Arguments.of("{\"type\":\"mute\",\"trackId\":\"" + "t".repeat(257) + "\",\"muted\":true}", true,
                        badRequest("mute", "trackId must be 1-256 characters")),
                Arguments.of("{\"type\":\"mute\",\"trackId\":\"t\",\"muted\":\"yes\"}", true,
                        badRequest("mute", "missing boolean field 'muted'")),
                Arguments.of("{\"type\":\"restartIce\"}", true, badRequest("restartIce", "missing string field 'pc'")),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\",\"tracks\":{}}", true,
                        badRequest("publish", "tracks must be an array of at most 16 objects")),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\",\"tracks\":[{\"trackId\":\"t0\"},{\"trackId\":\"t1\"},{\"trackId\":\"t2\"},{\"trackId\":\"t3\"},{\"trackId\":\"t4\"},{\"trackId\":\"t5\"},{\"trackId\":\"t6\"},{\"trackId\":\"t7\"},{\"trackId\":\"t8\"},{\"trackId\":\"t9\"},{\"trackId\":\"t10\"},{\"trackId\":\"t11\"},{\"trackId\":\"t12\"},{\"trackId\":\"t13\"},{\"trackId\":\"t14\"},{\"trackId\":\"t15\"},{\"trackId\":\"t16\"}]}", true,
                        badRequest("publish", "tracks must be an array of at most 16 objects")),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\",\"tracks\":[5]}", true,
                        badRequest("publish", "each of tracks must be an object")),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\",\"tracks\":[{\"trackId\":\"t\",\"source\":\"window\"}]}",
                        true, badRequest("publish", "source must be camera, microphone or screen")),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\",\"tracks\":[{\"trackId\":\"t\",\"muted\":1}]}",
                        true, badRequest("publish", "muted must be true or false")),
                Arguments.of("{\"type\":\"publish\",\"sdp\":\"x\",\"tracks\":[{\"source\":\"screen\"}]}",
                        true, badRequest("publish", "missing string field 'trackId'")));
    }

    private static String notJoined(String type, String idField) {
        return "{\"type\":\"error\",\"code\":\"not_joined\",\"message\":\"join a room before '" + type
                + "'\",\"requestType\":\"" + type + "\"" + idField + "}";
    }

    private static String badRequest(String type, String message) {
        return "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"" + message
                + "\",\"requestType\":\"" + type + "\"}";
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void shouldAnswerABadRequestWithOneErrorAndNotPassItOn(String request, boolean joinFirst, String reply) {
        if (joinFirst) {
            join();
        }

        receive(request);

        assertEquals(List.of(reply), replies);
        assertEquals(List.of(), calls);
        assertEquals(1, dispatcher.rejectedMessages());
    }

    /** {request, the call it makes}. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"type\":\"publish\",\"sdp\":\"v=0\",\"id\":\"x\"}         | publish p1 v=0 \"x\"",
        "{\"type\":\"publish\",\"sdp\":\"v=0\"}                  | publish p1 v=0 null",
        "{\"type\":\"subscribeAnswer\",\"sdp\":\"a\",\"version\":3,\"id\":1} | subscribeAnswer p1 a 3",
        "{\"type\":\"subscribeAnswer\",\"sdp\":\"a\",\"version\":9007199254740993} | subscribeAnswer p1 a 9007199254740993"})
    void shouldPassAValidRequestOnWithItsFields(String request, String call) {
        join();

        receive(request);

        assertEquals(List.of(call), calls);
        assertEquals(List.of(), replies, "the request's class replies, not the dispatcher");
        assertEquals(0, dispatcher.rejectedMessages());
    }

    /** {join request, the call it makes}: no name or a null one is passed on as "". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"type\":\"join\",\"room\":\"a-Z_0.9\",\"name\":\"ann\",\"id\":1} | join a-Z_0.9 'ann' 1",
        "{\"type\":\"join\",\"room\":\"r\"}                         | join r '' null",
        "{\"type\":\"join\",\"room\":\"r\",\"name\":null}             | join r '' null",
        "{\"type\":\"join\",\"room\":\"r\",\"name\":7}                | join r '7' null"})
    void shouldJoinAndRememberTheParticipant(String request, String call) {
        receive(request);

        assertEquals(List.of(call), calls);
        assertEquals("p1", connection.participant.id());
        assertEquals(0, dispatcher.rejectedMessages());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":{\"candidate\":\"\",\"sdpMid\":\"0\"}}",
        "{\"type\":\"candidate\",\"pc\":\"subscribe\",\"candidate\":null}",
        "{\"type\":\"candidate\",\"pc\":\"subscribe\"}"})
    void shouldAcceptTrickledCandidatesSilently(String request) {
        join();

        receive(request);

        assertEquals(List.of(), replies);
        assertEquals(List.of(), calls, "ICE-lite: nothing to do with a candidate");
        assertEquals(0, dispatcher.rejectedMessages());
    }

    @ParameterizedTest
    @CsvSource({"0, pong", "1, error"})
    void shouldAcceptAMessageOfExactlyTheSizeLimit(int over, String reply) throws Exception {
        String start = "{\"type\":\"ping\",\"pad\":\"";
        String pad = "x".repeat(MessageDispatcher.MAX_MESSAGE_CHARS - start.length() - 2 + over);

        receive(start + pad + "\"}");

        assertEquals(reply, new ObjectMapper().readTree(replies.get(0)).get("type").asText(), replies.get(0));
    }

    @Test
    void shouldAnswerPingWithPongBeforeAndAfterJoin() {
        receive("{\"type\":\"ping\",\"id\":\"p\"}");
        assertEquals(List.of("{\"type\":\"pong\",\"id\":\"p\"}"), replies);
        join();
        receive("{\"type\":\"ping\"}");

        assertEquals(List.of("{\"type\":\"pong\"}"), replies);
        assertEquals(0, dispatcher.rejectedMessages());
    }

    @Test
    void shouldTurnARefusalIntoAnErrorEchoingTheRequest() {
        join();
        requests.failure = new SignalingException("bad_sdp", "the offer has no m-sections");

        receive("{\"type\":\"publish\",\"sdp\":\"v=0\",\"id\":7}");

        assertEquals(List.of("{\"type\":\"error\",\"code\":\"bad_sdp\",\"message\":\"the offer has no "
                + "m-sections\",\"requestType\":\"publish\",\"id\":7}"), replies);
        assertEquals(1, dispatcher.rejectedMessages());
        assertEquals("p1", connection.participant.id(), "an error never affects the room");
    }

    @Test
    void shouldAnswerAnUnexpectedFaultWithInternalAndNoDetails() {
        join();
        requests.failure = new IllegalStateException("bug");

        receive("{\"type\":\"subscribeAnswer\",\"sdp\":\"a\",\"version\":1,\"id\":8}");

        assertEquals(List.of("{\"type\":\"error\",\"code\":\"internal\",\"message\":\"internal error\"}"),
                replies);
        assertEquals(1, dispatcher.rejectedMessages());
    }

    @Test
    void shouldLeaveReplyAndCloseThenTreatTheSocketAsNotJoined() {
        join();

        receive("{\"type\":\"leave\",\"id\":4}");
        assertEquals(List.of("leave p1 left"), calls);
        assertEquals(List.of("{\"type\":\"left\",\"id\":4}", "closed"), replies);
        assertNull(connection.participant);

        replies.clear();
        receive("{\"type\":\"publish\",\"sdp\":\"v=0\"}");
        assertEquals(List.of(notJoined("publish", "")), replies);
        dispatcher.onClosed(connection);
        assertEquals(List.of("leave p1 left"), calls, "nobody left to remove when the socket closes");
    }

    @Test
    void shouldPassASubscriptionChangeWithItsLayer() {
        join();
        calls.clear();

        receive("{\"type\":\"setSubscription\",\"participantId\":\"p2\",\"trackId\":\"t\",\"quality\":\"high\"}");
        receive("{\"type\":\"setSubscription\",\"participantId\":\"p2\",\"trackId\":\"t\",\"quality\":\"low\"}");

        assertEquals(List.of("setSubscription p1 p2 t 2", "setSubscription p1 p2 t 0"), calls);
        assertEquals(List.of(), replies, "no reply: the layer changes at the next keyframe");
    }

    @Test
    void shouldRefuseASubscriptionChangeWithABadQualityOrId() {
        join();
        calls.clear();

        receive("{\"type\":\"setSubscription\",\"participantId\":\"p2\",\"trackId\":\"t\",\"quality\":\"ultra\"}");
        receive("{\"type\":\"setSubscription\",\"participantId\":\"" + "x".repeat(257)
                + "\",\"trackId\":\"t\",\"quality\":\"low\"}");

        assertEquals(List.of(), calls);
        assertEquals(2, replies.size());
        assertTrue(replies.get(0).contains("quality must be low, medium or high"), replies.get(0));
        assertTrue(replies.get(1).contains("participantId must be 1-256 characters"), replies.get(1));
    }

    @Test
    void shouldRemoveTheParticipantWhenTheSocketCloses() {
        join();

        dispatcher.onClosed(connection);
        dispatcher.onClosed(connection);

        assertEquals(List.of("leave p1 timeout"), calls);
        assertNull(connection.participant);
        assertEquals(List.of(), replies);
    }

    @Test
    void shouldRefuseRequestsFromAParticipantTheRelayRemoved() {
        join();
        connection.participant.leave(); // as ConsentMonitor does on ice_failed; the socket is still open

        receive("{\"type\":\"subscribeAnswer\",\"sdp\":\"a\",\"version\":1}");
        receive("{\"type\":\"join\",\"room\":\"r\"}");

        assertEquals(List.of(notJoined("subscribeAnswer", ""), "{\"type\":\"error\",\"code\":\"already_joined\","
                + "\"message\":\"this connection already joined room r\",\"requestType\":\"join\"}"), replies);
        assertEquals(List.of(), calls);
        assertEquals(2, dispatcher.rejectedMessages());
    }
}
