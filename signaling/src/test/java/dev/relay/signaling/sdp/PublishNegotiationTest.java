package dev.relay.signaling.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Answers to Chromium 156's real offers (fixtures/chromium-156, copied into test resources). */
class PublishNegotiationTest {
    private static final LocalTransportInfo LOCAL = new LocalTransportInfo("relayUfr", "relayPasswordRelayPasswd",
            "AA:BB:CC", List.of("127.0.0.1"), 10000);

    static String fixture(String name) throws IOException {
        try (InputStream in = PublishNegotiationTest.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldAcceptOpusAndVp8FromChromiumOffer() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("offer-audio-video.sdp"), LOCAL, 1, 2);

        assertEquals(2, negotiation.tracks().size());
        TrackOffer audio = negotiation.tracks().get(0);
        assertEquals("0", audio.mid());
        assertEquals("opus", audio.codecName());
        assertEquals(111, audio.payloadType());
        assertEquals(3405982569L, audio.ssrc());
        assertEquals("c3549946-efd9-4d14-88a3-51aca1ef7c13", audio.trackId());
        TrackOffer video = negotiation.tracks().get(1);
        assertEquals("video", video.kind());
        assertEquals("VP8", video.codecName());
        assertEquals(96, video.payloadType());

        RemoteTransportInfo remote = negotiation.remote();
        assertEquals("2swx", remote.iceUfrag());
        assertEquals("0/8owlkb6sboX1t9zq69wVMu", remote.icePwd());
        assertEquals("sha-256", remote.fingerprintAlgorithm());
        assertTrue(remote.fingerprint().startsWith("D0:56:99:1D"));
    }

    @Test
    void shouldAnswerIceLitePassiveBundleWithOneCodecPerSection() throws Exception {
        String answer = PublishNegotiation.answer(fixture("offer-audio-video.sdp"), LOCAL, 1, 2).answerSdp();
        SessionDescription sdp = SessionDescription.parse(answer);

        assertEquals("BUNDLE 0 1", sdp.attribute("group"));
        assertTrue(answer.contains("a=ice-lite\r\n"));
        assertEquals(2, sdp.media().size());
        for (MediaDescription m : sdp.media()) {
            assertEquals("recvonly", m.direction());
            assertEquals("passive", m.attribute("setup"));
            assertEquals("relayUfr", m.attribute("ice-ufrag"));
            assertEquals("sha-256 AA:BB:CC", m.attribute("fingerprint"));
            assertEquals("1 1 udp 2130706431 127.0.0.1 10000 typ host", m.attribute("candidate"));
            assertTrue(m.hasAttribute("rtcp-mux"));
            assertEquals(1, m.formats().size());
        }
        assertEquals(List.of("111"), sdp.media().get(0).formats());
        assertEquals("VP8/90000", sdp.media().get(1).rtpmaps().get(96));
        assertEquals(List.of("nack pli", "ccm fir"), sdp.media().get(1).rtcpFeedback(96));
        // The MID extension keeps the publisher's id (RFC 8285 §6: the answer uses the offer's ids).
        assertEquals(4, sdp.media().get(0).extmaps().get("urn:ietf:params:rtp-hdrext:sdes:mid"));
    }

    @Test
    void shouldRejectSimulcastOfferClearlyUntilRidBindingExists() throws Exception {
        SdpException e = assertThrows(SdpException.class,
                () -> PublishNegotiation.answer(fixture("offer-simulcast-3-layers.sdp"), LOCAL, 1, 2));
        assertTrue(e.getMessage().contains("simulcast"), e.getMessage());
    }

    @Test
    void shouldRejectOfferWithoutBundle() throws Exception {
        String offer = fixture("offer-audio-video.sdp").replaceAll("a=group:BUNDLE 0 1\\r?\n", "");
        SdpException e = assertThrows(SdpException.class, () -> PublishNegotiation.answer(offer, LOCAL, 1, 2));
        assertTrue(e.getMessage().contains("BUNDLE"), e.getMessage());
    }

    @Test
    void shouldRejectOfferWithoutRtcpMux() throws Exception {
        String offer = fixture("offer-audio-video.sdp").replaceAll("a=rtcp-mux\\r?\n", "");
        SdpException e = assertThrows(SdpException.class, () -> PublishNegotiation.answer(offer, LOCAL, 1, 2));
        assertTrue(e.getMessage().contains("rtcp-mux"), e.getMessage());
    }

    @Test
    void shouldRejectPassiveOfferBecauseTheRelayIsTheDtlsServer() throws Exception {
        String offer = fixture("offer-audio-video.sdp").replace("a=setup:actpass", "a=setup:passive");
        assertThrows(SdpException.class, () -> PublishNegotiation.answer(offer, LOCAL, 1, 2));
    }

    @Test
    void shouldRejectSectionsWithoutForwardableCodec() throws Exception {
        String offer = fixture("offer-audio-video.sdp").replace("opus/48000/2", "speex/48000/2");
        PublishNegotiation negotiation = PublishNegotiation.answer(offer, LOCAL, 1, 2);
        assertEquals(1, negotiation.tracks().size());
        assertTrue(negotiation.answerSdp().contains("m=audio 0 "));
        assertFalse(negotiation.answerSdp().contains("a=group:BUNDLE 0 1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''",
        "hello",
        "v=0\nm=audio",
        "v=0\nm=audio x UDP 1",
        "v=1\n",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
        // Found by review of the fuzz target: an encoding name that is only a slash.
        "v=0\na=group:BUNDLE 0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:0\na=rtcp-mux\na=ice-ufrag:u\na=ice-pwd:p\na=fingerprint:sha-256 AA\na=setup:actpass\na=rtpmap:111 /\na=ssrc:1 cname:c",
    })
    void shouldRejectMalformedSdp(String sdp) {
        assertThrows(SdpException.class, () -> PublishNegotiation.answer(sdp.replace("\\n", "\n"), LOCAL, 1, 2));
    }
}
