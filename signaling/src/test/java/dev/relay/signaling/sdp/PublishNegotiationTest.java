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
    void shouldOfferPassiveIceTcpCandidatesAfterTheUdpOnesWithLowerPriority() throws Exception {
        LocalTransportInfo withTcp = new LocalTransportInfo("relayUfr", "relayPasswordRelayPasswd", "AA:BB:CC",
                List.of("127.0.0.1", "192.0.2.7"), 10000, 10001);
        SessionDescription sdp = SessionDescription.parse(
                PublishNegotiation.answer(fixture("offer-audio-video.sdp"), withTcp, 1, 2).answerSdp());

        for (MediaDescription m : sdp.media()) {
            // RFC 6544 §4.5; priority (100 << 24) + ((2^13 * 4 + 8191) << 8) + 255, RFC 6544 §4.2.
            assertEquals(List.of("1 1 udp 2130706431 127.0.0.1 10000 typ host",
                    "2 1 udp 2130706431 192.0.2.7 10000 typ host",
                    "3 1 tcp 1688207359 127.0.0.1 10001 typ host tcptype passive",
                    "4 1 tcp 1688207359 192.0.2.7 10001 typ host tcptype passive"), m.attributes("candidate"));
        }
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
        // transport-cc because the offer has its extension (draft-holmer-rmcat-transport-wide-cc-extensions-01).
        assertEquals(List.of("nack pli", "ccm fir", "transport-cc"), sdp.media().get(1).rtcpFeedback(96));
        // The MID extension keeps the publisher's id (RFC 8285 §6: the answer uses the offer's ids).
        assertEquals(4, sdp.media().get(0).extmaps().get("urn:ietf:params:rtp-hdrext:sdes:mid"));
    }

    @Test
    void shouldRefuseAVideoOnlySimulcastOfferSayingWhy() throws Exception {
        // The fixture has one video m-section with three rids and no a=ssrc: nothing is left to take.
        SdpException e = assertThrows(SdpException.class,
                () -> PublishNegotiation.answer(fixture("offer-simulcast-3-layers.sdp"), LOCAL, 1, 2));
        assertTrue(e.getMessage().contains("m-section 0 (video)"), e.getMessage());
        assertTrue(e.getMessage().contains("simulcast"), e.getMessage());
    }

    @Test
    void shouldTakeChromiumsThreeLayerSimulcastOfferWhenSimulcastIsOn() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("offer-simulcast-3-layers.sdp"), LOCAL, 1, 2,
                true);

        TrackOffer video = negotiation.tracks().get(0);
        assertEquals(List.of("q", "h", "f"), video.rids());
        assertEquals(0, video.ssrc(), "bound from the rid extension, not from a=ssrc");
        assertEquals("VP8", video.codecName());
        assertEquals(9, negotiation.extensionId("urn:ietf:params:rtp-hdrext:sdes:mid"));
        assertEquals(10, negotiation.extensionId(PublishNegotiation.RID_EXTENSION));
        assertEquals(-1, negotiation.extensionId("urn:example:none"));
        MediaDescription answered = SessionDescription.parse(negotiation.answerSdp()).media().get(0);
        assertEquals(List.of("q recv", "h recv", "f recv"), answered.attributes("rid"));
        assertEquals("recv q;h;f", answered.attribute("simulcast"));
        assertEquals(Integer.valueOf(10), answered.extmaps().get(PublishNegotiation.RID_EXTENSION));
    }

    @Test
    void shouldTakeTheSimulcastRtxByRepairedRidWhenRetransmitting() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("offer-simulcast-3-layers.sdp"), LOCAL, 1, 2,
                true, true);

        TrackOffer video = negotiation.tracks().get(0);
        assertEquals(97, video.rtxPayloadType());
        assertEquals(0, video.rtxSsrc(), "bound by repaired-rid, not named in the SDP");
        MediaDescription answered = SessionDescription.parse(negotiation.answerSdp()).media().get(0);
        assertEquals(List.of("96", "97"), answered.formats());
        assertEquals(Integer.valueOf(11), answered.extmaps().get(PublishNegotiation.REPAIRED_RID_EXTENSION));
        assertTrue(answered.rtcpFeedback(96).contains("nack"));
        assertEquals(11, negotiation.extensionId(PublishNegotiation.REPAIRED_RID_EXTENSION));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "paused layer and alternatives  | a=simulcast:send ~q;h,x;f  | q h f",
        "a layer without its a=rid      | a=simulcast:send q;h;g     | -",
        "a malformed rid                | a=simulcast:send q;h!;f    | -",
        "recv direction                 | a=simulcast:recv q;h;f     | -",
        "a repeated rid                 | a=simulcast:send q;q       | -",
    })
    void shouldReadTheSimulcastLayers(String name, String line, String expected) throws Exception {
        String offer = fixture("offer-simulcast-3-layers.sdp").replaceFirst("a=simulcast:send q;h;f", line)
                .replaceFirst("a=rid:f send", "a=rid:f send\na=rid:x send");
        MediaDescription m = SessionDescription.parse(offer).media().get(0);
        assertEquals(expected.equals("-") ? List.of() : List.of(expected.split(" ")), m.sendRids());
    }

    @Test
    void shouldTakeTheAudioOfAnOfferWhoseVideoIsSimulcastAndSayWhyTheVideoIsRejected() throws Exception {
        String offer = removeVideoSsrcs(fixture("offer-audio-video.sdp"));
        PublishNegotiation negotiation = PublishNegotiation.answer(offer, LOCAL, 1, 2);

        assertEquals(List.of("audio"), negotiation.tracks().stream().map(TrackOffer::kind).toList());
        assertEquals(1, negotiation.rejected().size());
        PublishNegotiation.Rejection video = negotiation.rejected().get(0);
        assertEquals("video", video.kind());
        assertTrue(video.reason().contains("simulcast"), video.reason());
        assertTrue(negotiation.answerSdp().contains("m=video 0 "), negotiation.answerSdp());
    }

    /** The offer as Chromium writes it when video has sendEncodings with rids: no a=ssrc there. */
    private static String removeVideoSsrcs(String sdp) {
        int video = sdp.indexOf("m=video");
        String tail = sdp.substring(video).replaceAll("a=ssrc(-group)?:[^\\n]*\\n", "");
        return sdp.substring(0, video) + tail;
    }

    /**
     * The codec is the offerer's first choice among those the relay forwards: the video m-line as
     * {@code setCodecPreferences} reorders it (Chromium 156's payload types), and what is chosen.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "VP8 first (Chromium's default)   | 96 97 102 103 98 99 45 46   | VP8  | 96  | ''",
        "H.264 preferred                  | 102 103 96 97               | H264 | 102 | level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
        "H.264 mode 0 skipped             | 104 107 108 109 96          | H264 | 108 | level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        "VP9 only                         | 98 99                       | VP9  | 98  | profile-id=0",
        "VP9 profile 2 preferred          | 100 101 98 99               | VP9  | 100 | profile-id=2",
        "AV1 only                         | 45 46                       | AV1  | 45  | level-idx=5;profile=0;tier=0",
        "RED and RTX ahead of VP9         | 118 119 98 99               | VP9  | 98  | profile-id=0",
    })
    void shouldHonourTheOfferersCodecOrder(String name, String formats, String codec, int payloadType, String fmtp)
            throws Exception {
        String offer = fixture("offer-audio-video.sdp").replaceFirst("m=video 9 UDP/TLS/RTP/SAVPF [0-9 ]+",
                "m=video 9 UDP/TLS/RTP/SAVPF " + formats.trim());
        PublishNegotiation negotiation = PublishNegotiation.answer(offer, LOCAL, 1, 2);

        TrackOffer video = negotiation.tracks().get(1);
        assertEquals(codec, video.codecName());
        assertEquals(payloadType, video.payloadType());
        assertEquals(fmtp, video.fmtp());
        MediaDescription answered = SessionDescription.parse(negotiation.answerSdp()).media().get(1);
        assertEquals(List.of(String.valueOf(payloadType)), answered.formats());
        assertEquals(fmtp, answered.fmtp(payloadType));
    }

    @Test
    void shouldRejectAVideoSectionWithNoForwardableCodecAndSayWhatWasOffered() throws Exception {
        // Only H.264 packetization-mode=0 and its RTX: one NAL unit per packet is not forwarded.
        String offer = fixture("offer-audio-video.sdp").replaceFirst("m=video 9 UDP/TLS/RTP/SAVPF [0-9 ]+",
                "m=video 9 UDP/TLS/RTP/SAVPF 104 107");
        PublishNegotiation negotiation = PublishNegotiation.answer(offer, LOCAL, 1, 2);

        assertEquals(1, negotiation.tracks().size());
        PublishNegotiation.Rejection rejection = negotiation.rejected().get(0);
        assertEquals("1", rejection.mid());
        assertTrue(rejection.reason().contains("packetization-mode=0"), rejection.reason());
        assertFalse(rejection.reason().contains("rtx"), "RTX is not a codec offered: " + rejection.reason());
        // RFC 8122 §5: the fingerprint also at session level, so the rejected section is well formed.
        SessionDescription answer = SessionDescription.parse(negotiation.answerSdp());
        assertEquals("sha-256 AA:BB:CC", answer.attribute("fingerprint"));
        assertEquals(0, answer.media().get(1).port());
        assertEquals("sha-256 AA:BB:CC", answer.attribute(answer.media().get(1), "fingerprint"));
    }

    @Test
    void shouldAcceptABundleOnlySectionAsABundleMember() throws Exception {
        // RFC 8843 §6: with max-bundle, Firefox and webrtcbin offer port 0 and a=bundle-only.
        String offer = fixture("offer-audio-video.sdp").replace("m=video 9 ", "m=video 0 ")
                .replaceFirst("a=mid:1\\r?\n", "a=mid:1\r\na=bundle-only\r\n");
        assertTrue(offer.contains("a=bundle-only"));
        PublishNegotiation negotiation = PublishNegotiation.answer(offer, LOCAL, 1, 2);

        assertEquals(List.of("audio", "video"), negotiation.tracks().stream().map(TrackOffer::kind).toList());
        assertTrue(negotiation.rejected().isEmpty());
        SessionDescription answer = SessionDescription.parse(negotiation.answerSdp());
        assertEquals("BUNDLE 0 1", answer.attribute("group"));
        assertEquals(9, answer.media().get(1).port());
        assertFalse(negotiation.answerSdp().contains("bundle-only"), "an answer never carries bundle-only");
    }

    @Test
    void shouldTakeTheVideosRtxAndNackItWhenRetransmittingIsOn() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("offer-audio-video.sdp"), LOCAL, 1, 2, true,
                true);

        TrackOffer video = negotiation.tracks().get(1);
        MediaDescription offered = SessionDescription.parse(fixture("offer-audio-video.sdp")).media().get(1);
        assertEquals(offered.rtxSsrcs().get(0), video.rtxSsrc(), "the FID partner of the video SSRC (RFC 4588 §8.3)");
        assertEquals(0, negotiation.tracks().get(0).rtxSsrc(), "no RTX for audio");
        MediaDescription answered = SessionDescription.parse(negotiation.answerSdp()).media().get(1);
        assertEquals(List.of("96", "97"), answered.formats());
        assertEquals("rtx/90000", answered.rtpmaps().get(97));
        assertEquals("apt=96", answered.fmtp(97));
        assertTrue(answered.rtcpFeedback(96).contains("nack"));

        PublishNegotiation off = PublishNegotiation.answer(fixture("offer-audio-video.sdp"), LOCAL, 1, 2, true, false);
        assertEquals(0, off.tracks().get(1).rtxSsrc());
        assertEquals(List.of("96"), SessionDescription.parse(off.answerSdp()).media().get(1).formats());
    }

    /** Firefox 153 ESR with max-bundle: session-level fingerprint, the video section bundle-only. */
    @Test
    void shouldAcceptFirefoxsMaxBundleOfferWithItsVideo() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("firefox-153-publish-offer.sdp"), LOCAL, 1, 2);

        assertEquals(List.of("opus", "VP8"), negotiation.tracks().stream().map(TrackOffer::codecName).toList());
        assertEquals(109, negotiation.tracks().get(0).payloadType());
        assertEquals(2618301768L, negotiation.tracks().get(0).ssrc());
        TrackOffer video = negotiation.tracks().get(1);
        assertEquals(120, video.payloadType());
        assertEquals(4240769023L, video.ssrc(), "the primary SSRC, not its RTX (a=ssrc-group:FID)");
        assertEquals("{526a4eb7-dc2f-4f75-9fb0-8fbcbe1e5bc7}", video.trackId());
        assertTrue(negotiation.rejected().isEmpty());
        RemoteTransportInfo remote = negotiation.remote();
        assertEquals("8ece6f96", remote.iceUfrag());
        assertTrue(remote.fingerprint().startsWith("D9:9B:63:54"), "from the session level");
        assertEquals("BUNDLE 0 1", SessionDescription.parse(negotiation.answerSdp()).attribute("group"));
    }

    /** GStreamer 1.22 webrtcbin with max-bundle: fingerprints per section, the second bundle-only. */
    @Test
    void shouldAcceptWebrtcbinsMaxBundleOfferAndAnswerEverySectionWithAFingerprint() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("webrtcbin-1.22-publish-offer.sdp"), LOCAL, 1,
                2);

        assertEquals(2, negotiation.tracks().size());
        assertTrue(negotiation.rejected().isEmpty(), negotiation.rejected().toString());
        SessionDescription answer = SessionDescription.parse(negotiation.answerSdp());
        for (MediaDescription m : answer.media()) {
            assertEquals("sha-256 AA:BB:CC", answer.attribute(m, "fingerprint"));
        }
    }

    @Test
    void shouldNotReportASectionTheOffererTurnedOffItself() throws Exception {
        // A stopped transceiver: port 0 without bundle-only.
        String offer = fixture("offer-audio-video.sdp").replace("m=video 9 ", "m=video 0 ");
        PublishNegotiation negotiation = PublishNegotiation.answer(offer, LOCAL, 1, 2);

        assertEquals(1, negotiation.tracks().size());
        assertTrue(negotiation.rejected().isEmpty());
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

    @Test
    void shouldAskForOpusInRedByListingItFirst() throws Exception {
        PublishNegotiation negotiation = PublishNegotiation.answer(fixture("offer-audio-video.sdp"), LOCAL, 1, 2,
                true, true, true);

        TrackOffer audio = negotiation.tracks().get(0);
        assertEquals(63, audio.redPayloadType());
        assertEquals(111, audio.payloadType());
        String answer = negotiation.answerSdp();
        // libwebrtc sends RED only when it comes before the codec in the answer.
        assertTrue(answer.contains("m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\n"), answer);
        assertTrue(answer.contains("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"), answer);
        assertEquals(-1, negotiation.tracks().get(1).redPayloadType(), "video has no audio redundancy");
    }

    @Test
    void shouldNotAskForRedWhenTurnedOffOrNotOffered() throws Exception {
        String offer = fixture("offer-audio-video.sdp");

        String off = PublishNegotiation.answer(offer, LOCAL, 1, 2, true, true, false).answerSdp();
        assertTrue(off.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), off);
        assertFalse(off.contains("red/"), off);

        // RED over another codec than the chosen Opus is not what the relay can pass on.
        String otherBlocks = offer.replace("a=fmtp:63 111/111", "a=fmtp:63 9/9");
        PublishNegotiation negotiation = PublishNegotiation.answer(otherBlocks, LOCAL, 1, 2, true, true, true);
        assertEquals(-1, negotiation.tracks().get(0).redPayloadType());
        assertFalse(negotiation.answerSdp().contains("red/48000"));

        // Firefox ESR 153 offers no audio RED.
        PublishNegotiation firefox = PublishNegotiation.answer(fixture("firefox-153-publish-offer.sdp"), LOCAL, 1, 2,
                true, true, true);
        assertEquals(-1, firefox.tracks().get(0).redPayloadType());
    }
}
