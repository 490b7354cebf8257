package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.sfu.Codec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A Consumer the Router paused or resumed reaches its subscriber as {@code streamState}. */
class StreamStateNotifierTest {
    private final RoomsFixture fixture = new RoomsFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldTellTheSubscriberWhichVideoPausedAndResumed() {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        PublishedTrack camera = new PublishedTrack(1, "1", "cam", "video", Codec.VP8, "", 0, List.of("q", "h", "f"),
                alice);
        alice.publish().add(camera);
        fixture.subscriber.subscribe(bob, camera);
        int consumerId = bob.subscribe().slots().get(0).consumerId();
        fixture.transcript.drain();
        StreamStateNotifier notifier = new StreamStateNotifier(fixture.rooms);

        notifier.changed(alice.room(), consumerId, true);
        notifier.changed(alice.room(), consumerId, false);
        notifier.changed(alice.room(), consumerId + 100, true);

        assertEquals(List.of(
                "bob <- {\"type\":\"streamState\",\"participantId\":\"p1\",\"trackId\":\"cam\",\"state\":\"paused\","
                        + "\"reason\":\"bandwidth\"}",
                "bob <- {\"type\":\"streamState\",\"participantId\":\"p1\",\"trackId\":\"cam\",\"state\":\"active\","
                        + "\"reason\":\"bandwidth\"}"),
                fixture.transcript.drain(), "an unknown Consumer (gone meanwhile) is ignored");
    }
}
