package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Janus API messages the load generator sends, and Janus's replies as it reads them. */
class JanusApiTest {

    @Test
    void shouldCreateARoomWithoutCapsForOpusAndVp8() {
        ObjectNode body = JanusApi.createRoom(42_001, 201);
        assertEquals("create", body.get("request").asText());
        assertEquals(42_001, body.get("room").asLong());
        assertEquals(201, body.get("publishers").asInt());
        assertEquals(0, body.get("bitrate").asInt(), "no bitrate cap");
        assertEquals("opus", body.get("audiocodec").asText());
        assertEquals("vp8", body.get("videocodec").asText());
        assertTrue(!body.get("notify_joined").asBoolean());
        assertTrue(!body.get("permanent").asBoolean());
    }

    @Test
    void shouldWrapAPublishOfferInAMessage() {
        ObjectNode m = JanusApi.message("t1", JanusApi.joinAndConfigure(7, 1003, "r0-pub"), "offer", "v=0\r\n");
        assertEquals("message", m.get("janus").asText());
        assertEquals("t1", m.get("transaction").asText());
        JsonNode body = m.get("body");
        assertEquals("joinandconfigure", body.get("request").asText());
        assertEquals("publisher", body.get("ptype").asText());
        assertEquals(1003, body.get("id").asLong());
        assertEquals("offer", m.get("jsep").get("type").asText());
        assertEquals("v=0\r\n", m.get("jsep").get("sdp").asText());
    }

    @Test
    void shouldSubscribeToEveryFeedInOneJoin() {
        ObjectNode body = JanusApi.subscribe(7, List.of(1000L, 1002L));
        assertEquals("subscriber", body.get("ptype").asText());
        assertEquals(2, body.get("streams").size());
        assertEquals(1002, body.get("streams").get(1).get("feed").asLong());
        ObjectNode m = JanusApi.message("t2", body, null, null);
        assertTrue(!m.has("jsep"), "a subscriber's join carries no JSEP: Janus offers");
    }

    @Test
    void shouldEndTrickleWithCompleted() {
        ObjectNode m = JanusApi.trickleCompleted("t3");
        assertEquals("trickle", m.get("janus").asText());
        assertTrue(m.get("candidate").get("completed").asBoolean());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "create|create",
        "keepalive|keepalive",
        "destroy|destroy"})
    void shouldNameTheCoreRequest(String expected, String which) {
        ObjectNode m = switch (which) {
            case "create" -> JanusApi.create("x");
            case "keepalive" -> JanusApi.keepalive("x");
            default -> JanusApi.destroy("x");
        };
        assertEquals(expected, m.get("janus").asText());
        assertEquals("x", m.get("transaction").asText());
    }

    @Test
    void shouldReadASessionOrHandleId() {
        JanusApi.Reply reply = JanusApi.readOne("{\"janus\":\"success\",\"transaction\":\"t\",\"data\":{\"id\":8817}}");
        assertEquals("success", reply.janus());
        assertEquals(8817, reply.id());
        assertNull(reply.error());
    }

    @Test
    void shouldReadAnAttachedEventWithItsOfferAndStreams() {
        String event = "{\"janus\":\"event\",\"session_id\":1,\"transaction\":\"lg9\",\"sender\":55,"
                + "\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":{\"videoroom\":\"attached\","
                + "\"room\":7,\"streams\":[{\"type\":\"audio\",\"active\":true,\"mid\":\"0\",\"mindex\":0,"
                + "\"feed_id\":1000,\"feed_mid\":\"0\"},{\"type\":\"video\",\"active\":true,\"mid\":\"1\","
                + "\"mindex\":1,\"feed_id\":1000,\"feed_mid\":\"1\"}]}},"
                + "\"jsep\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}}";
        JanusApi.Reply reply = JanusApi.readOne(event);
        assertEquals("event", reply.janus());
        assertEquals("lg9", reply.transaction());
        assertEquals(55, reply.sender());
        assertEquals("attached", reply.videoroom());
        assertEquals("offer", reply.jsepType());
        assertEquals("v=0\r\n", reply.jsepSdp());
        assertEquals(1000, reply.feedOfMid("1"));
        assertEquals(-1, reply.feedOfMid("2"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"janus\":\"error\",\"transaction\":\"t\",\"error\":{\"code\":458,\"reason\":\"No such session 1\"}}|458: No such session 1",
        "{\"janus\":\"event\",\"transaction\":\"t\",\"plugindata\":{\"data\":{\"videoroom\":\"event\",\"error_code\":428,\"error\":\"No such feed (9)\"}}}|428: No such feed (9)"})
    void shouldReadCoreAndPluginErrors(String json, String expected) {
        assertEquals(expected, JanusApi.readOne(json).error());
    }

    @Test
    void shouldReadALongPollsArrayOfEvents() {
        List<JanusApi.Reply> events = JanusApi.readEvents("[{\"janus\":\"webrtcup\",\"sender\":3},"
                + "{\"janus\":\"media\",\"sender\":3,\"type\":\"video\",\"receiving\":true}]");
        assertEquals(2, events.size());
        assertEquals("webrtcup", events.get(0).janus());
        assertNull(events.get(0).transaction(), "events Janus sends on its own answer no request");
        assertEquals(3, events.get(1).sender());
    }

    @Test
    void shouldRefuseWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> JanusApi.readEvents("<html>502</html>"));
        assertThrows(IllegalArgumentException.class, () -> JanusApi.readOne("[]"));
    }

    @Test
    void shouldMapFeedsToPublisherIndexes() {
        assertEquals(1007, JanusPeer.feedOf(7));
        assertEquals(7, JanusPeer.publisherOfFeed(1007));
        assertEquals(-1, JanusPeer.publisherOfFeed(3), "a feed we did not create");
    }
}
