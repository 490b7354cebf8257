package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A join of a room the cluster must be asked about (docs/scale-out.md "Redirect"): the control
 * thread does not wait for the answer; the join resumes on it when the answer comes, as a
 * {@code joined}, a {@code redirect} or an {@code unavailable}, and not at all for a socket that
 * closed meanwhile. "The control thread" here is a queue the test runs by hand.
 */
class MessageDispatcherAdmitTest {
    private final List<String> replies = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final Queue<Runnable> control = new ArrayDeque<>();
    private CompletableFuture<Void> answer = new CompletableFuture<>();

    private final MessageDispatcher.Requests requests = new MessageDispatcher.Requests() {
        @Override
        public CompletableFuture<Void> admit(String room) {
            calls.add("admit " + room);
            return room.startsWith("local") ? null : answer;
        }

        @Override
        public Participant join(Connection joining, String room, String name, VideoGrant grant, JsonNode id) {
            calls.add("join " + room);
            return new Participant("p1", name, new Room(room, null, null), joining.outbox, grant);
        }

        @Override
        public void publish(Participant participant, String offerSdp, JsonNode id) {
            calls.add("publish");
        }

        @Override
        public void subscribeAnswer(Participant participant, String answerSdp, long version) {
        }

        @Override
        public void leave(Participant participant, LeaveReason reason) {
            calls.add("leave " + reason.wireName());
        }

        @Override
        public void setSubscription(Participant participant, String publisherId, String trackId, int layer) {
        }
    };

    private final MessageDispatcher dispatcher = new MessageDispatcher(new ObjectMapper(), requests,
            AccessControl.open(), Limits.defaults(), new LimitCounters(), control::add);
    private final Connection connection = new Connection(new RecordingOutbox(replies), "test");

    private void runControl() {
        while (!control.isEmpty()) {
            control.poll().run();
        }
    }

    @Test
    void shouldJoinWhenTheClusterSaysTheRoomIsHereWithoutHoldingTheThreadMeanwhile() {
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"standup\",\"id\":1}");
        assertEquals(List.of("admit standup"), calls, "asked, not joined yet");
        assertNull(connection.participant);

        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"standup\",\"id\":2}");
        dispatcher.onText(connection, "{\"type\":\"publish\",\"sdp\":\"v=0\",\"id\":3}");
        assertEquals(List.of(
                "{\"type\":\"error\",\"code\":\"already_joined\",\"message\":\"this connection's join is in progress\","
                        + "\"requestType\":\"join\",\"id\":2}",
                "{\"type\":\"error\",\"code\":\"not_joined\",\"message\":\"join a room before 'publish'\","
                        + "\"requestType\":\"publish\",\"id\":3}"), replies);

        answer.complete(null);
        assertEquals(List.of("admit standup"), calls, "resumed on the control thread, not the answering one");
        runControl();
        assertEquals(List.of("admit standup", "join standup"), calls);
        assertEquals("standup", connection.participant.room().name());
    }

    @Test
    void shouldReplyWithTheClustersRefusal() {
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"standup\",\"id\":7}");
        answer.completeExceptionally(new CompletionException(
                SignalingException.redirect("standup", "relay-b", "wss://b.example/ws")));
        runControl();
        assertEquals(List.of("{\"type\":\"error\",\"code\":\"redirect\",\"reason\":\"relay-b\",\"url\":\"wss://b.example/ws\","
                + "\"message\":\"room standup is on relay relay-b; join it at wss://b.example/ws\",\"requestType\":\"join\","
                + "\"id\":7}"), replies);
        assertNull(connection.participant);

        answer = new CompletableFuture<>();
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"standup\",\"id\":8}");
        answer.completeExceptionally(new IllegalStateException("redis: connection refused"));
        runControl();
        assertEquals("{\"type\":\"error\",\"code\":\"unavailable\",\"message\":\"the room directory cannot be reached; "
                + "try again\",\"requestType\":\"join\",\"id\":8}", replies.get(1), "a failed lookup is unavailable");
        assertEquals(List.of("admit standup", "admit standup"), calls, "and nothing joined");
    }

    @Test
    void shouldNotJoinForASocketThatClosedWhileTheClusterWasAsked() {
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"standup\"}");
        dispatcher.onClosed(connection);
        answer.complete(null);
        runControl();
        assertEquals(List.of("admit standup"), calls);
        assertEquals(List.of(), replies);
        assertNull(connection.participant);
    }

    @Test
    void shouldJoinAtOnceWhenNothingNeedsAsking() {
        dispatcher.onText(connection, "{\"type\":\"join\",\"room\":\"local-room\"}");
        assertEquals(List.of("admit local-room", "join local-room"), calls);
        assertEquals("local-room", connection.participant.room().name());
        assertEquals(0, control.size());
    }
}
