package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.Codec;
import org.junit.jupiter.api.Test;

/** {@code activeSpeakers} (docs/signaling.md): to everyone on a change, and to each newcomer at once. */
class ActiveSpeakerAnnouncerTest {

    @Test
    void shouldTellANewcomerWhoIsAlreadySpeaking() {
        try (RoomsFixture fixture = new RoomsFixture()) {
            Participant alice = fixture.join("alice", "r");
            fixture.join("bob", "r");
            alice.publish().add(new PublishedTrack(41, "0", "a", "audio", Codec.OPUS, "", 11, alice));
            ActiveSpeakerAnnouncer speakers = new ActiveSpeakerAnnouncer(fixture.rooms);

            speakers.announce(alice.room(), new int[] {41});
            assertEquals("[\"p1\"]", speakersIn(fixture.lastMessageTo("bob")));

            // The Router announces only changes: carol, joining while alice talks, is told on joining.
            Participant carol = fixture.join("carol", "r");
            speakers.greet(carol);
            assertEquals("[\"p1\"]", speakersIn(fixture.lastMessageTo("carol")));
        }
    }

    @Test
    void shouldTellANewcomerNothingWhenNobodySpeaks() {
        try (RoomsFixture fixture = new RoomsFixture()) {
            Participant alice = fixture.join("alice", "r");
            ActiveSpeakerAnnouncer speakers = new ActiveSpeakerAnnouncer(fixture.rooms);
            speakers.announce(alice.room(), new int[0]);
            Participant bob = fixture.join("bob", "r");
            speakers.greet(bob);
            assertNotEquals("activeSpeakers", fixture.lastMessageTo("bob").get("type").asText());
        }
    }

    private static String speakersIn(ObjectNode message) {
        assertEquals("activeSpeakers", message.get("type").asText());
        return message.get("speakers").toString();
    }
}
