package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.sfu.Codec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Slots, payload types and offers of the subscribe PeerConnection, with real Rooms and a real Router. */
class SubscribeNegotiatorTest {
    private final RoomsFixture fixture = new RoomsFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    /** {codec, payload type, the offer's rtpmap}. */
    @ParameterizedTest
    @CsvSource({"OPUS, 111, opus/48000/2", "VP8, 96, VP8/90000", "H264, 102, H264/90000"})
    void shouldOfferEachCodecWithItsPayloadType(Codec codec, int payloadType, String rtpmap) {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        String kind = codec == Codec.OPUS ? "audio" : "video";
        fixture.transcript.drain();

        fixture.subscriber.subscribe(bob, new PublishedTrack(1, "0", "t", kind, codec, "x=1", 5, alice));
        fixture.subscriber.offer(bob);

        List<String> lines = fixture.transcript.drain();
        assertEquals("event subscription.started r p2 <- p1 t " + kind, lines.get(0));
        assertEquals("bob <- {\"type\":\"subscribeOffer\",\"sdp\":\"" + kind + " 0 sendonly p1 t\",\"version\":1}",
                lines.get(1));
        String sdp = fixture.lastMessageTo("bob").get("sdp").asText();
        assertTrue(sdp.contains("m=" + kind + " 9 UDP/TLS/RTP/SAVPF " + payloadType + "\r\n"), sdp);
        assertTrue(sdp.contains("a=rtpmap:" + payloadType + " " + rtpmap + "\r\n"), sdp);
        assertTrue(sdp.contains("a=fmtp:" + payloadType + " x=1\r\n"), sdp);
    }

    @Test
    void shouldStopOnlyTheSlotsOfTheTrackThatWent() {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        PublishedTrack audio = new PublishedTrack(1, "0", "a", "audio", Codec.OPUS, "", 5, alice);
        PublishedTrack video = new PublishedTrack(2, "1", "v", "video", Codec.VP8, "", 6, alice);
        fixture.subscriber.subscribe(bob, audio);
        fixture.subscriber.subscribe(bob, video);
        fixture.transcript.drain();

        assertTrue(fixture.subscriber.trackGone(bob, audio));
        assertFalse(fixture.subscriber.trackGone(bob, audio), "already stopped");
        assertFalse(fixture.subscriber.trackGone(alice, video), "alice does not receive her own track");

        assertEquals(List.of("event subscription.stopped r p2 <- p1 a audio"), fixture.transcript.drain());
        assertFalse(bob.subscribe().slots().get(0).isActive());
        assertTrue(bob.subscribe().slots().get(1).isActive());
    }

    @Test
    void shouldSendNoOfferToAParticipantThatLeft() {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        fixture.subscriber.subscribe(bob, new PublishedTrack(1, "0", "a", "audio", Codec.OPUS, "", 5, alice));
        bob.leave();
        fixture.transcript.drain();

        fixture.subscriber.offer(bob);

        assertEquals(List.of(), fixture.transcript.drain());
    }
}
