package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of what a WebSocket client sends (docs/signaling.md): any text must
 * end as a request handed on or as an {@code error} reply with a code the protocol documents,
 * never as an exception out of the dispatcher or an {@code internal} error. The requests behind
 * the dispatcher are a fake that accepts everything, so the dispatcher's own decoding and
 * validation are what is fuzzed. Seeds in
 * {@code src/test/resources/dev/relay/signaling/MessageDispatcherFuzzTestInputs/dispatch/}; to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl signaling test -Dtest='MessageDispatcherFuzzTest#dispatch' -Djazzer.max_duration=600s
 * </pre>
 */
class MessageDispatcherFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CODES = List.of("bad_json", "bad_request", "unknown_type", "not_joined",
            "already_joined", "bad_sdp", "bad_state", "limit_exceeded", "rate_limited", "unauthorized", "forbidden");

    @FuzzTest
    @DictionaryEntries({"{\"type\":", "\"join\"", "\"publish\"", "\"subscribeAnswer\"", "\"candidate\"",
        "\"leave\"", "\"ping\"", "\"setSubscription\"", "\"quality\":", "\"high\"", "\"trackId\":", "\"room\":", "\"name\":", "\"sdp\":", "\"version\":", "\"pc\":", "\"publish\"",
        "\"subscribe\"", "\"candidate\":", "\"id\":", "null", "true", "[]", "{}"})
    void dispatch(byte[] data) {
        List<ObjectNode> replies = new ArrayList<>();
        Connection connection = new Connection(new Outbox() {
            @Override
            public void send(ObjectNode message) {
                replies.add(message);
            }

            @Override
            public void close() {
            }
        }, "fuzz");
        MessageDispatcher dispatcher = new MessageDispatcher(JSON, new AcceptingRequests());
        // Two messages per input: the second one meets whatever state the first left behind.
        String text = new String(data, StandardCharsets.UTF_8);
        int cut = text.indexOf('\n');
        dispatcher.onText(connection, cut < 0 ? text : text.substring(0, cut));
        if (cut >= 0) {
            dispatcher.onText(connection, text.substring(cut + 1));
        }
        for (ObjectNode reply : replies) {
            assertTrue(reply.path("type").isTextual(), reply.toString());
            if (reply.path("type").asText().equals("error")) {
                String code = reply.path("code").asText();
                assertFalse(code.equals("internal"), reply.toString());
                assertTrue(CODES.contains(code), "undocumented code " + reply);
                assertTrue(reply.path("message").isTextual(), reply.toString());
            }
        }
        assertEquals(replies.stream().filter(r -> r.path("type").asText().equals("error")).count(),
                dispatcher.rejectedMessages(), "every error reply is counted");
    }

    /** Accepts every request; a join makes a participant so later messages reach the joined paths. */
    private static final class AcceptingRequests implements MessageDispatcher.Requests {
        @Override
        public Participant join(Connection joining, String room, String name, VideoGrant grant, JsonNode id) {
            return new Participant("p1", name, new Room(room, null, null), joining.outbox, grant);
        }

        @Override
        public void publish(Participant participant, String offerSdp, JsonNode id) {
        }

        @Override
        public void subscribeAnswer(Participant participant, String answerSdp, long version) {
        }

        @Override
        public void leave(Participant participant, LeaveReason reason) {
            participant.leave();
        }

        @Override
        public void setSubscription(Participant participant, String publisherId, String trackId, int layer) {
        }
    }
}
