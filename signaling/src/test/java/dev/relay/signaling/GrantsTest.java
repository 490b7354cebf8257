package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an access token's grants change in a room (docs/signaling.md "Authentication"), with real
 * Rooms, negotiators and Transports: {@code canSubscribe: false} gets no subscribe offers and no
 * Consumers, {@code hidden} is never announced. ({@code canPublish} is refused by the dispatcher:
 * MessageDispatcherTokenTest.)
 */
class GrantsTest {
    private static final VideoGrant NO_SUBSCRIBE = new VideoGrant("r", true, true, false, true, false);
    private static final VideoGrant HIDDEN = new VideoGrant("r", true, false, true, true, true);

    private final RoomsFixture fixture = new RoomsFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldSendNoSubscribeOfferWithoutCanSubscribe() throws Exception {
        Participant alice = fixture.join("alice", "r");
        fixture.publisher.publish(alice, offer(), null);
        fixture.transcript.drain();

        Participant viewer = fixture.join("viewer", "r", NO_SUBSCRIBE);
        Participant bob = fixture.join("bob", "r");
        fixture.publisher.publish(bob, offer(), null);

        List<String> lines = fixture.transcript.drain();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("viewer <- {\"type\":\"joined\"")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("viewer <- {\"type\":\"trackPublished\"")),
                "it still hears about tracks: " + lines);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("viewer <- {\"type\":\"subscribeOffer\"")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("event subscription.started r p2")), lines.toString());
        assertTrue(viewer.subscribe().slots().isEmpty(), "no slot, so no Consumer");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("bob <- {\"type\":\"subscribeOffer\"")),
                "the others still get theirs: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("viewer <- {\"type\":\"joined\"") && l.contains(
                "\"permissions\":{\"canPublish\":true,\"canSubscribe\":false,")), lines.toString());
    }

    @Test
    void shouldNeverAnnounceHiddenParticipant() throws Exception {
        Participant alice = fixture.join("alice", "r");
        fixture.publisher.publish(alice, offer(), null);
        fixture.transcript.drain();

        Participant recorder = fixture.join("recorder", "r", HIDDEN);
        fixture.join("bob", "r");
        fixture.rooms.leave(recorder, LeaveReason.LEFT);

        List<String> lines = fixture.transcript.drain();
        for (String line : lines) {
            if (line.startsWith("alice <- ") || line.startsWith("bob <- ")) {
                assertFalse(line.contains("\"p2\"") || line.contains("recorder"), "announced: " + line);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("recorder <- {\"type\":\"subscribeOffer\"")),
                "a hidden participant still receives: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("recorder <- {\"type\":\"participantJoined\"")
                && l.contains("bob")), "and sees the others: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("bob <- {\"type\":\"joined\"")
                && l.contains("\"participants\":[{\"participantId\":\"p1\"") && !l.contains("\"p2\"")),
                "bob's list has alice only: " + lines);
        assertEquals(2, fixture.rooms.participantCount());
    }

    /** Chromium's audio + video offer. */
    private static String offer() throws IOException {
        try (InputStream in = GrantsTest.class.getResourceAsStream("/sdp/offer-audio-video.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
