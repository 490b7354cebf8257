package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.Codec;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each cap of {@link Limits} (docs/signaling.md "Limits"): the request one over it is refused with
 * {@code limit_exceeded} and the limit's name, nothing changes, the refusal is counted, and the
 * request at the cap is still taken.
 */
class LimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String offer() throws IOException {
        try (InputStream in = LimitsTest.class.getResourceAsStream("/sdp/offer-audio-video.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldRefuseJoinsWhileDrainingAndKeepWhoIsIn() throws Exception {
        try (RoomsFixture fixture = new RoomsFixture()) {
            fixture.join("a", "r");
            fixture.transcript.drain();
            fixture.rooms.drain();
            assertTrue(fixture.rooms.draining());
            SignalingException refused = assertThrows(SignalingException.class,
                    () -> fixture.tryJoin("b", "r", VideoGrant.unrestricted("r")));
            assertEquals("draining", refused.code());
            assertThrows(SignalingException.class, () -> fixture.tryJoin("c", "new", VideoGrant.unrestricted("new")));
            assertEquals(List.of(), fixture.transcript.drain(), "a refused join tells nobody anything");
            assertEquals(1, fixture.rooms.participantCount());
            assertEquals(1, fixture.rooms.roomCount());
        }
    }

    @Test
    void shouldRefuseANegativeDrainTimeout() {
        assertThrows(IllegalArgumentException.class, () -> Limits.defaults().withDrainTimeout(Duration.ofSeconds(-1)));
        assertEquals(Duration.ZERO, Limits.defaults().drainTimeout(), "no drain unless asked");
    }

    @Test
    void shouldRefuseARoomBeyondTheRoomCap() throws Exception {
        try (RoomsFixture fixture = new RoomsFixture(Limits.defaults().withRooms(2))) {
            fixture.join("a", "r1");
            fixture.join("b", "r2");
            fixture.join("c", "r2"); // an open room takes newcomers at the cap
            SignalingException e = assertThrows(SignalingException.class,
                    () -> fixture.tryJoin("d", "r3", VideoGrant.unrestricted("r3")));
            assertEquals("limit_exceeded", e.code());
            assertEquals("rooms", e.reason());
            assertEquals(2, fixture.rooms.roomCount());
            assertEquals(3, fixture.rooms.participantCount());
        }
    }

    @Test
    void shouldRefuseAParticipantBeyondTheRoomCapUntilOneLeaves() throws Exception {
        try (RoomsFixture fixture = new RoomsFixture(Limits.defaults().withParticipantsPerRoom(2))) {
            Participant a = fixture.join("a", "r");
            fixture.join("b", "r");
            fixture.transcript.drain();
            SignalingException e = assertThrows(SignalingException.class,
                    () -> fixture.tryJoin("c", "r", VideoGrant.unrestricted("r")));
            assertEquals("participants_per_room", e.reason());
            assertEquals("room r has 2 participants, the most this relay allows", e.getMessage());
            assertEquals(List.of(), fixture.transcript.drain(), "a refused join tells nobody anything");

            fixture.rooms.leave(a, LeaveReason.LEFT);
            fixture.join("c", "r");
            assertEquals(2, fixture.rooms.participantCount());
        }
    }

    @Test
    void shouldRefuseAPublishWithMoreTracksThanTheCap() throws Exception {
        try (RoomsFixture fixture = new RoomsFixture(Limits.defaults().withTracksPerParticipant(1))) {
            Participant alice = fixture.join("alice", "r");
            fixture.join("bob", "r");
            fixture.transcript.drain();
            SignalingException e = assertThrows(SignalingException.class,
                    () -> fixture.publisher.publish(alice, offer(), null));
            assertEquals("tracks_per_participant", e.reason());
            assertEquals("the offer has 2 tracks; at most 1 per participant", e.getMessage());
            assertEquals(0, alice.publish().tracks().size());
            assertEquals(List.of(), fixture.transcript.drain(), "no answer, no track announced");
        }
    }

    @Test
    void shouldStopAddingSubscribeSlotsAtTheCapAndSaySo() {
        try (RoomsFixture fixture = new RoomsFixture(Limits.defaults().withSubscribeSlots(3))) {
            Participant alice = fixture.join("alice", "r");
            Participant bob = fixture.join("bob", "r");
            for (int i = 1; i <= 5; i++) {
                fixture.subscriber.subscribe(bob, new PublishedTrack(i, "0", "t" + i, "audio", Codec.OPUS, "", i,
                        alice));
            }
            assertEquals(3, bob.subscribe().slots().size());
            assertEquals(2, fixture.limitCounters.get(Limit.SUBSCRIBE_SLOTS));
            List<String> errors = fixture.transcript.drain().stream().filter(l -> l.contains("limit_exceeded"))
                    .toList();
            assertEquals(List.of("bob <- {\"type\":\"error\",\"code\":\"limit_exceeded\",\"reason\":\"subscribe_slots\","
                    + "\"message\":\"track t4 of p1 is not forwarded: the subscribe PeerConnection has 3 m-sections, "
                    + "the most this relay offers; rejoin to start afresh\"}",
                    "bob <- {\"type\":\"error\",\"code\":\"limit_exceeded\",\"reason\":\"subscribe_slots\","
                    + "\"message\":\"track t5 of p1 is not forwarded: the subscribe PeerConnection has 3 m-sections, "
                    + "the most this relay offers; rejoin to start afresh\"}"), errors);
        }
    }

    // ---- caps the dispatcher applies before any negotiation ----

    private final List<String> replies = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final LimitCounters counters = new LimitCounters();

    private MessageDispatcher dispatcher(Limits limits) {
        MessageDispatcher.Requests requests = new MessageDispatcher.Requests() {
            @Override
            public Participant join(Connection connection, String room, String name, VideoGrant grant, JsonNode id) {
                return new Participant("p1", name, new Room(room, null, null), connection.outbox, grant);
            }

            @Override
            public void publish(Participant participant, String offerSdp, JsonNode id) {
                calls.add("publish " + offerSdp.length());
            }

            @Override
            public void subscribeAnswer(Participant participant, String answerSdp, long version) {
                calls.add("subscribeAnswer " + answerSdp.length());
            }

            @Override
            public void leave(Participant participant, LeaveReason reason) {
            }

            @Override
            public void setSubscription(Participant participant, String publisherId, String trackId, int layer) {
            }
        };
        return new MessageDispatcher(JSON, requests, AccessControl.open(), limits, counters);
    }

    private final Connection connection = new Connection(new Outbox() {
        @Override
        public void send(ObjectNode message) {
            replies.add(message.get("code") == null ? message.get("type").asText()
                    : message.get("code").asText() + " " + message.path("reason").asText() + ": "
                    + message.get("message").asText());
        }

        @Override
        public void close() {
            replies.add("closed");
        }
    }, "test");

    private static String sdpWithSections(int sections, int padTo) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
        for (int i = 0; i < sections; i++) {
            sdp.append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:").append(i).append("\r\n");
        }
        if (padTo > sdp.length()) {
            String pad = "x".repeat(padTo - sdp.length() - 4);
            sdp.append("a=").append(pad).append("\r\n");
        }
        return sdp.toString();
    }

    private void send(MessageDispatcher dispatcher, ObjectNode message) {
        dispatcher.onText(connection, message.toString());
    }

    @Test
    void shouldRefuseAnSdpOverTheSizeOrSectionCapBeforeNegotiating() {
        MessageDispatcher dispatcher = dispatcher(Limits.defaults().withSdp(2000, 3));
        send(dispatcher, JSON.createObjectNode().put("type", "join").put("room", "r"));
        replies.clear();

        send(dispatcher, JSON.createObjectNode().put("type", "publish").put("sdp", sdpWithSections(3, 2000)));
        send(dispatcher, JSON.createObjectNode().put("type", "publish").put("sdp", sdpWithSections(3, 2001)));
        send(dispatcher, JSON.createObjectNode().put("type", "publish").put("sdp", sdpWithSections(4, 0)));
        send(dispatcher, JSON.createObjectNode().put("type", "subscribeAnswer").put("version", 1)
                .put("sdp", sdpWithSections(4, 0)));

        assertEquals(List.of("publish 2000"), calls);
        assertEquals(List.of(
                "limit_exceeded sdp_size: SDP of 2001 characters; at most 2000",
                "limit_exceeded sdp_media_sections: SDP with more than 3 m-sections",
                "limit_exceeded sdp_media_sections: SDP with more than 3 m-sections"), replies);
        assertEquals(1, counters.get(Limit.SDP_SIZE));
        assertEquals(2, counters.get(Limit.SDP_MEDIA_SECTIONS));
    }

    @Test
    void shouldRefuseCandidatesBeyondTheCapPerPeerConnection() {
        MessageDispatcher dispatcher = dispatcher(Limits.defaults().withCandidatesPerPeerConnection(2));
        send(dispatcher, JSON.createObjectNode().put("type", "join").put("room", "r"));
        replies.clear();
        for (int i = 0; i < 3; i++) {
            send(dispatcher, JSON.createObjectNode().put("type", "candidate").put("pc", "publish").putNull("candidate"));
        }
        send(dispatcher, JSON.createObjectNode().put("type", "candidate").put("pc", "subscribe").putNull("candidate"));

        assertEquals(List.of("limit_exceeded candidates: more than 2 candidates on the publish PeerConnection"),
                replies, "the third on publish is refused; subscribe has its own count");
        assertEquals(1, counters.get(Limit.CANDIDATES));
    }

    @Test
    void shouldParseOffTheControlThreadAndKeepTheErrorForIt() {
        MessageDispatcher dispatcher = dispatcher(Limits.defaults());
        MessageDispatcher.Decoded decoded = dispatcher.decode("{not json");
        assertTrue(decoded.node() == null && decoded.error().code().equals("bad_json"));
        dispatcher.onDecoded(connection, decoded);
        assertTrue(replies.get(0).startsWith("bad_json"), replies.toString());
    }
}
