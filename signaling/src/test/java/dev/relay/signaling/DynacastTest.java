package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.sfu.Codec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher hears which of its layers anyone takes ({@code publishLayers}, docs/signaling.md):
 * less only once it has held for 3 s, more at once, nothing when nothing changed.
 */
class DynacastTest {
    private static final long SECOND = 1_000_000_000L;

    private final RoomsFixture fixture = new RoomsFixture();
    private final Dynacast dynacast = new Dynacast();

    @AfterEach
    void close() {
        fixture.close();
    }

    private PublishedTrack simulcast(Participant owner) {
        PublishedTrack track = new PublishedTrack(1, "1", "cam", "video", Codec.VP8, "", 0, List.of("q", "h", "f"),
                owner);
        owner.publish().add(track);
        return track;
    }

    private List<String> toAlice() {
        return fixture.transcript.drain().stream().filter(l -> l.startsWith("alice <- {\"type\":\"publishLayers\""))
                .toList();
    }

    @Test
    void shouldStopTheLayersNoSubscriberTakesAndResumeThemWhenOneDoes() {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        PublishedTrack track = simulcast(alice);
        fixture.subscriber.subscribe(bob, track);
        fixture.transcript.drain();

        dynacast.evaluate(alice.room(), 0);
        assertEquals(List.of(), toAlice(), "bob takes the top layer until he asks for less");

        fixture.subscriber.setLayer(bob, alice.id(), "cam", 0);
        dynacast.evaluate(alice.room(), SECOND);
        assertEquals(List.of(), toAlice(), "less demand waits");
        dynacast.evaluate(alice.room(), 4 * SECOND);
        assertEquals(List.of("alice <- {\"type\":\"publishLayers\",\"trackId\":\"cam\",\"layers\":["
                + "{\"rid\":\"q\",\"active\":true},{\"rid\":\"h\",\"active\":false},{\"rid\":\"f\",\"active\":false}]}"),
                toAlice());

        Participant carol = fixture.join("carol", "r");
        fixture.subscriber.subscribe(carol, track);
        fixture.transcript.drain();
        dynacast.evaluate(alice.room(), 4 * SECOND + 1);
        assertEquals(List.of("alice <- {\"type\":\"publishLayers\",\"trackId\":\"cam\",\"layers\":["
                + "{\"rid\":\"q\",\"active\":true},{\"rid\":\"h\",\"active\":true},{\"rid\":\"f\",\"active\":true}]}"),
                toAlice(), "a new subscriber takes the top layer: at once");
        dynacast.evaluate(alice.room(), 10 * SECOND);
        assertEquals(List.of(), toAlice(), "nothing changed: nothing said");
    }

    @Test
    void shouldStopATrackNoOneReceivesAndForgetItOnceGone() {
        Participant alice = fixture.join("alice", "r");
        PublishedTrack camera = new PublishedTrack(2, "1", "cam", "video", Codec.VP8, "", 7, alice);
        alice.publish().add(camera);
        fixture.transcript.drain();

        dynacast.evaluateAll(List.of(alice.room()), 0);
        dynacast.evaluateAll(List.of(alice.room()), 3 * SECOND);
        assertEquals(List.of("alice <- {\"type\":\"publishLayers\",\"trackId\":\"cam\",\"layers\":["
                + "{\"rid\":null,\"active\":false}]}"), toAlice());
        assertEquals(1, dynacast.tracked());

        dynacast.evaluateAll(List.of(), 4 * SECOND);
        assertTrue(dynacast.tracked() == 0, "a room no longer open leaves nothing behind");
    }
}
