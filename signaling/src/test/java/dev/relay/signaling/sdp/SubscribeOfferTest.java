package dev.relay.signaling.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscribeOfferTest {
    private static final String FINGERPRINT =
            "D0:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19:99:92:05:83:DF:EB:41:B4:2B:5B:01:F0:63:0B:37:CF";
    private static final LocalTransportInfo LOCAL = new LocalTransportInfo("relayUfr", "relayPasswordRelayPasswd",
            "AA:BB:CC", List.of("127.0.0.1", "::1"), 10000);

    @Test
    void shouldOfferOneSendonlySectionPerSlotWithMsidOfThePublisher() throws Exception {
        String offer = SubscribeOffer.build(List.of(
                new SubscribeOffer.Slot("0", "audio", "opus", 111, "minptime=10;useinbandfec=1", 1234, "p1", "a1", true),
                new SubscribeOffer.Slot("1", "video", "VP8", 96, "", 5678, "p1", "v1", true),
                new SubscribeOffer.Slot("2", "video", "VP8", 96, "", 9999, "p2", "v2", false)), LOCAL, 7, 3);
        SessionDescription sdp = SessionDescription.parse(offer);

        assertEquals("BUNDLE 0 1 2", sdp.attribute("group"));
        assertEquals(3, sdp.media().size());
        MediaDescription audio = sdp.media().get(0);
        assertEquals("sendonly", audio.direction());
        assertEquals("actpass", audio.attribute("setup"));
        assertEquals("p1 a1", audio.attribute("msid"));
        assertEquals(List.of(1234L), audio.ssrcs());
        assertEquals(2, audio.attributes("candidate").size());
        assertEquals("opus/48000/2", audio.rtpmaps().get(111));
        MediaDescription inactive = sdp.media().get(2);
        assertEquals("inactive", inactive.direction());
        assertTrue(inactive.ssrcs().isEmpty());
        assertFalse(offer.contains("9999"));
    }

    @Test
    void shouldAcceptActiveAnswerAndRejectPassive() throws Exception {
        String answer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:0123456789012345678901\r\na=fingerprint:sha-256 " + FINGERPRINT + "\r\na=setup:active\r\n"
                + "a=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
        RemoteTransportInfo remote = SubscribeOffer.parseAnswer(answer).remote();
        assertEquals("abcd", remote.iceUfrag());
        assertEquals(FINGERPRINT, remote.fingerprint());

        SdpException e = assertThrows(SdpException.class,
                () -> SubscribeOffer.parseAnswer(answer.replace("setup:active", "setup:passive")));
        assertTrue(e.getMessage().contains("DTLS server"), e.getMessage());
    }

    /** Real answers to a relay offer (audio mid 0, video mid 1) from the other stacks in docs/interop.md. */
    @ParameterizedTest
    @ValueSource(strings = {"firefox-153-subscribe-answer.sdp",
        "webrtcbin-1.22-subscribe-answer.sdp"})
    void shouldTakeTheAnswersOfOtherStacks(String fixture) throws Exception {
        SubscribeAnswer answer = SubscribeOffer.parseAnswer(PublishNegotiationTest.fixture(fixture));

        assertEquals("active", answer.remote().setup());
        assertEquals("sha-256", answer.remote().fingerprintAlgorithm());
        assertFalse(answer.remote().iceUfrag().isBlank());
        assertTrue(answer.rejectedMids().isEmpty(), answer.rejectedMids().toString());
    }

    @Test
    void shouldListTheMidsAnAnswerRejects() throws Exception {
        String firefox = PublishNegotiationTest.fixture("firefox-153-subscribe-answer.sdp");
        String rejectingVideo = firefox.replace("m=video 9 ", "m=video 0 ");
        assertEquals(Set.of("1"), SubscribeOffer.parseAnswer(rejectingVideo).rejectedMids());
    }

    @Test
    void shouldOfferTheAudioLevelAndSeeWhetherTheAnswerKeptIt() throws Exception {
        String offer = SubscribeOffer.build(List.of(new SubscribeOffer.Slot("0", "audio", "opus", 111, "", 5, "p1", "t",
                true)), LOCAL, 1, 1);
        assertTrue(offer.contains("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"), offer);

        String answer = PublishNegotiationTest.fixture("firefox-153-subscribe-answer.sdp");
        assertFalse(SubscribeOffer.parseAnswer(answer).audioLevel(), "this answer has no such extmap");
        String kept = answer.replaceFirst("a=mid:0", "a=mid:0\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
        assertTrue(SubscribeOffer.parseAnswer(kept).audioLevel());
    }

    @Test
    void shouldOfferRedAndSeeWhetherTheAnswerKeptIt() throws Exception {
        String offer = SubscribeOffer.build(List.of(new SubscribeOffer.Slot("0", "audio", "opus", 111, "", 5, "p1", "t",
                true, false, 0, -1, 63)), LOCAL, 1, 1);
        assertTrue(offer.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\n"), offer);
        assertTrue(offer.contains("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"), offer);

        // Firefox ESR 153 answers without RED: the relay sends it the Opus inside.
        String answer = PublishNegotiationTest.fixture("firefox-153-subscribe-answer.sdp");
        assertFalse(SubscribeOffer.parseAnswer(answer).takesRed("0", 63));
        String kept = answer.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio 9 UDP/TLS/RTP/SAVPF 111 63")
                .replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/48000/2\na=rtpmap:63 red/48000/2");
        assertTrue(SubscribeOffer.parseAnswer(kept).takesRed("0", 63));
        assertFalse(SubscribeOffer.parseAnswer(kept).takesRed("0", 100), "only the payload type offered");
        assertFalse(SubscribeOffer.parseAnswer(kept).takesRed("1", 63), "only the audio section");
        // GStreamer 1.22 webrtcbin keeps one codec per section; RED alone cannot be decoded.
        String redOnly = kept.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111 63", "m=audio 9 UDP/TLS/RTP/SAVPF 63")
                .replace("a=rtpmap:111 opus/48000/2\n", "");
        assertFalse(SubscribeOffer.parseAnswer(redOnly).takesRed("0", 63), redOnly);
    }
}
