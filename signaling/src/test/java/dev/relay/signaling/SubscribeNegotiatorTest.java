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
    @CsvSource({"OPUS, 111, opus/48000/2", "VP8, 96, VP8/90000", "H264, 102, H264/90000", "VP9, 98, VP9/90000",
        "AV1, 45, AV1/90000"})
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
        // Video gets a retransmission stream (RFC 4588) with Chromium's payload type, the codec's + 1;
        // audio is offered redundancy too (RFC 2198), under Chromium's payload type for it.
        String formats = kind.equals("video") ? payloadType + " " + (payloadType + 1) : payloadType + " 63";
        assertTrue(sdp.contains("m=" + kind + " 9 UDP/TLS/RTP/SAVPF " + formats + "\r\n"), sdp);
        if (kind.equals("video")) {
            assertTrue(sdp.contains("a=rtcp-fb:" + payloadType + " nack\r\n"), sdp);
            assertTrue(sdp.contains("a=rtpmap:" + (payloadType + 1) + " rtx/90000\r\n"), sdp);
            assertTrue(sdp.contains("a=fmtp:" + (payloadType + 1) + " apt=" + payloadType + "\r\n"), sdp);
            assertTrue(sdp.contains("a=ssrc-group:FID "), sdp);
        } else {
            assertFalse(sdp.contains("rtx"), sdp);
            assertTrue(sdp.contains("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"), sdp);
        }
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
    void shouldStopATrackWhoseSectionTheSubscribersAnswerRejectsAndSayWhich() throws Exception {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        PublishedTrack audio = new PublishedTrack(1, "0", "a", "audio", Codec.OPUS, "", 5, alice);
        PublishedTrack video = new PublishedTrack(2, "1", "v", "video", Codec.AV1, "profile=0", 6, alice);
        fixture.subscriber.subscribe(bob, audio);
        fixture.subscriber.subscribe(bob, video);
        fixture.subscriber.offer(bob);
        fixture.transcript.drain();

        // A browser that does not decode AV1 answers its m-section (mid 1) with port 0.
        String answer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:abcdefghijklmnopqrstuv\r\na=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\n"
                + "a=setup:active\r\na=recvonly\r\na=rtpmap:111 opus/48000/2\r\n"
                + "m=video 0 UDP/TLS/RTP/SAVPF 45\r\na=mid:1\r\na=rtpmap:45 AV1/90000\r\n";
        fixture.subscriber.answer(bob, answer, bob.subscribe().version());

        List<String> lines = fixture.transcript.drain();
        assertTrue(lines.contains("event subscription.stopped r p2 <- p1 v video"), lines.toString());
        assertEquals("trackUnsupported", fixture.lastMessageTo("bob").get("type").asText());
        assertEquals("v", fixture.lastMessageTo("bob").get("trackId").asText());
        assertEquals("AV1", fixture.lastMessageTo("bob").get("codec").asText());
        assertTrue(bob.subscribe().slots().get(0).isActive(), "the audio goes on");
        assertFalse(bob.subscribe().slots().get(1).isActive());
        assertTrue(bob.subscribe().slots().get(1).isRecyclable(), "the browser already agreed to the rejection");
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

    /**
     * A publisher replaces its 16 tracks (the most one publish may carry) 30 times while a
     * subscriber answers each offer: the places of gone tracks are recycled, so the offer stays
     * the size of what is live (before recycling: 30 x 16 m-sections, 6.2 MB for 480 tracks).
     */
    @Test
    void shouldKeepTheSubscribeOfferBoundedOver30Republishes() throws Exception {
        Participant alice = fixture.join("alice", "r");
        Participant bob = fixture.join("bob", "r");
        int producer = 1;
        List<PublishedTrack> live = new java.util.ArrayList<>();
        int firstSize = 0;
        for (int round = 0; round <= 30; round++) {
            for (PublishedTrack gone : live) {
                fixture.subscriber.trackGone(bob, gone);
            }
            live.clear();
            for (int t = 0; t < 16; t++) {
                String kind = t % 2 == 0 ? "audio" : "video";
                PublishedTrack track = new PublishedTrack(producer, "m" + t, "t" + producer, kind,
                        kind.equals("audio") ? Codec.OPUS : Codec.VP8, "", producer, alice);
                producer++;
                fixture.subscriber.subscribe(bob, track);
                live.add(track);
            }
            fixture.subscriber.offer(bob);
            SubscribeNegotiation negotiation = bob.subscribe();
            negotiation.checkAnswer(negotiation.version());
            negotiation.answered();
            if (round == 0) {
                firstSize = fixture.lastMessageTo("bob").get("sdp").asText().length();
            }
        }
        int sections = bob.subscribe().slots().size();
        int size = fixture.lastMessageTo("bob").get("sdp").asText().length();
        System.out.printf("30 republishes of 16 tracks: %d m-sections, offer %d B (first offer %d B)%n", sections,
                size, firstSize);
        assertTrue(sections <= 33, "m-sections after 30 republishes of 16 tracks: " + sections);
    }
}
