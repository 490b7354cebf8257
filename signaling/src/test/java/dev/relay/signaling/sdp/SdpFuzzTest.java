package dev.relay.signaling.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The SDP a client sends over the WebSocket is peer input: {@link SessionDescription#parse},
 * {@link PublishNegotiation#answer} and {@link SubscribeOffer#parseAnswer} may reject it only with
 * an {@link SdpException}, whose message becomes the error reply (docs/signaling.md "Errors"). Any other
 * exception fails the fuzz test.
 *
 * <p>Plain {@code mvn test} replays the corpus in
 * {@code src/test/resources/dev/relay/signaling/sdp/SdpFuzzTestInputs/negotiate/}; to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl signaling test -Dtest='SdpFuzzTest#negotiate' -Djazzer.max_duration=60s \
 *     -Djazzer.disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexRoadblocks
 * </pre>
 * Without that hook fuzzing runs about 15 times faster (~3,000 instead of ~200 executions/s):
 * it instruments every {@code String.split} regex, and the parser only splits on whitespace and
 * line ends, where it has nothing to steer.
 */
class SdpFuzzTest {
    private static final LocalTransportInfo LOCAL = new LocalTransportInfo("relayUfr", "relayPasswordRelayPasswd",
            "AA:BB:CC", List.of("127.0.0.1"), 10000);

    @FuzzTest
    // No CR or LF in entries: Jazzer 0.30.0 writes them unescaped and libFuzzer rejects the file.
    @DictionaryEntries({"v=0", "m=audio 9 UDP/TLS/RTP/SAVPF ", "m=video 9 UDP/TLS/RTP/SAVPF ",
        "a=group:BUNDLE ", "a=mid:", "a=rtcp-mux", "a=rtcp-rsize", "a=sendrecv", "a=sendonly", "a=recvonly",
        "a=inactive", "a=setup:actpass", "a=setup:active", "a=setup:passive", "a=ice-ufrag:", "a=ice-pwd:",
        "a=fingerprint:sha-256 ", "a=rtpmap:", "a=fmtp:", "a=rtcp-fb:", "a=extmap:", "a=ssrc:",
        "a=ssrc-group:FID ", "a=msid:", "a=rid:", "opus/48000/2", "VP8/90000", "H264/90000",
        "packetization-mode=1", "urn:ietf:params:rtp-hdrext:sdes:mid", "a=bundle-only", "VP9/90000", "AV1/90000", "a=simulcast:send ", "rtx/90000", "apt=", "a=ssrc-group:FID ",
        "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
        "profile-id=", "profile-level-id=", "profile="})
    void negotiate(byte[] data) {
        String sdp = new String(data, StandardCharsets.UTF_8);
        SessionDescription session = null;
        try {
            session = SessionDescription.parse(sdp);
            exercise(session);
        } catch (SdpException expected) {
            // Rejected with a message for the client: the one allowed outcome besides success.
        }
        try {
            // As the relay runs: simulcast taken, RTX and NACK towards the publisher on.
            PublishNegotiation negotiation = PublishNegotiation.answer(sdp, LOCAL, 1, 2, true, true);
            assertNotNull(session, "answered an offer that does not parse");
            checkAnswer(session, negotiation);
        } catch (SdpException expected) {
            // As above.
        }
        try {
            RemoteTransportInfo remote = SubscribeOffer.parseAnswer(sdp).remote();
            assertEquals("active", remote.setup());
            assertFalse(remote.iceUfrag().isBlank() || remote.icePwd().isBlank());
        } catch (SdpException expected) {
            // As above.
        }
    }

    /** Every accessor the negotiators use, on every m-section. */
    private static void exercise(SessionDescription session) {
        session.attribute("group");
        for (MediaDescription m : session.media()) {
            assertTrue(m.port() >= 0 && m.port() <= 65535, "port " + m.port());
            assertNotNull(m.kind());
            assertNotNull(m.protocol());
            m.mid();
            assertTrue(List.of("sendrecv", "sendonly", "recvonly", "inactive").contains(m.direction()));
            for (Map.Entry<Integer, String> rtpmap : m.rtpmaps().entrySet()) {
                assertNotNull(m.fmtp(rtpmap.getKey()));
                assertNotNull(m.rtcpFeedback(rtpmap.getKey()));
            }
            m.extmaps();
            for (long ssrc : m.ssrcs()) {
                assertTrue(ssrc >= 0 && ssrc <= 0xFFFF_FFFFL, "ssrc " + ssrc);
            }
            m.rtxSsrcs();
            session.attribute(m, "ice-ufrag");
            session.attribute(m, "fingerprint");
        }
    }

    /** The relay's answer is itself an SDP it can read, with one m-section per offered one. */
    private static void checkAnswer(SessionDescription offer, PublishNegotiation negotiation) throws SdpException {
        SessionDescription answer = SessionDescription.parse(negotiation.answerSdp());
        assertEquals(offer.media().size(), answer.media().size(), "RFC 8829 §5.3.1: one m-section per offered one");
        assertFalse(negotiation.tracks().isEmpty());
        for (TrackOffer track : negotiation.tracks()) {
            // A simulcast layer's SSRC is bound by rid, so the SDP names none (RFC 8853).
            assertTrue(track.simulcast() ? track.ssrc() == 0 : track.ssrc() > 0 && track.ssrc() <= 0xFFFF_FFFFL,
                    "ssrc " + track.ssrc());
            assertTrue(track.kind().equals("audio") || track.kind().equals("video"), track.kind());
            assertTrue(List.of("opus", "VP8", "VP9", "H264", "AV1").contains(track.codecName()), track.codecName());
            assertTrue(track.rids().size() <= MediaDescription.MAX_RIDS, "rids " + track.rids());
            assertTrue(track.rtxSsrc() >= 0 && track.rtxSsrc() <= 0xFFFF_FFFFL, "rtx ssrc " + track.rtxSsrc());
        }
        for (PublishNegotiation.Rejection rejection : negotiation.rejected()) {
            assertFalse(rejection.reason() == null || rejection.reason().isBlank(), "a rejection says why");
        }
        assertNotNull(answer.attribute("fingerprint"), "RFC 8122 §5: at session level too");
        assertNotEquals("passive", negotiation.remote().setup());
    }
}
