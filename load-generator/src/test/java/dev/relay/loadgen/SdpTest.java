package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SdpTest {
    /** A subscribe offer as the relay's SubscribeOffer.build writes it (one active, one inactive slot). */
    private static final String RELAY_OFFER = String.join("\r\n",
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=ice-lite",
            "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host", "a=end-of-candidates",
            "a=ice-ufrag:relayUfr", "a=ice-pwd:relaypassword0123456789ab",
            "a=fingerprint:sha-256 AB:CD:EF", "a=setup:actpass", "a=mid:0", "a=sendonly",
            "a=msid:p1 lg-audio-0", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1", "a=ssrc:3000000000 cname:p1", "a=ssrc:3000000000 msid:p1 lg-audio-0",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host", "a=end-of-candidates",
            "a=ice-ufrag:relayUfr", "a=ice-pwd:relaypassword0123456789ab",
            "a=fingerprint:sha-256 AB:CD:EF", "a=setup:actpass", "a=mid:1", "a=inactive", "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 ccm fir", "");

    @Test
    void shouldReadTheRelaysTransportAndTracks() {
        Sdp.Remote remote = Sdp.parse(RELAY_OFFER);
        assertEquals("relayUfr", remote.iceUfrag());
        assertEquals("relaypassword0123456789ab", remote.icePwd());
        assertEquals("sha-256", remote.fingerprintAlgorithm());
        assertEquals("AB:CD:EF", remote.fingerprint());
        assertEquals(new InetSocketAddress("127.0.0.1", 10000), remote.candidate());
        assertEquals(2, remote.media().size());
        Sdp.Media audio = remote.media().get(0);
        assertTrue(audio.isActiveSend());
        assertEquals(3000000000L, audio.ssrc());
        assertEquals("lg-audio-0", audio.trackId());
        assertEquals(0, Peer.publisherOf(audio.trackId()));
        assertEquals("inactive", remote.media().get(1).direction());
    }

    @Test
    void shouldAnswerActiveAndMirrorTheOffersCodecs() {
        Sdp.Remote remote = Sdp.parse(RELAY_OFFER);
        String answer = Sdp.subscribeAnswer(new Sdp.LocalTransport("ufrag", "pwd", "00:11", 5000), 9,
                remote.media());
        assertTrue(answer.contains("a=group:BUNDLE 0 1\r\n"));
        assertTrue(answer.contains("a=setup:active\r\n"));
        assertTrue(answer.contains("a=recvonly\r\n"));
        assertTrue(answer.contains("a=inactive\r\n"));
        assertTrue(answer.contains("a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\n"));
        assertTrue(answer.contains("a=fingerprint:sha-256 00:11\r\n"));
    }

    @Test
    void shouldOfferLikeABrowser() {
        String offer = Sdp.publishOffer(new Sdp.LocalTransport("ufrag", "pwd", "00:11", 5000), 9, "s",
                "a0", 11, "v0", 22);
        assertTrue(offer.contains("a=group:BUNDLE 0 1\r\n"));
        assertTrue(offer.contains("a=setup:actpass\r\n"));
        assertTrue(offer.contains("a=sendonly\r\n"));
        assertTrue(offer.contains("a=rtpmap:111 opus/48000/2\r\n"));
        assertTrue(offer.contains("a=ssrc:22 msid:s v0\r\n"));
        assertTrue(offer.contains("a=rtcp-fb:96 ccm fir\r\n"));
    }

    @Test
    void shouldRefuseARelayWithoutALoopbackCandidate() {
        String remoteOnly = RELAY_OFFER.replace("127.0.0.1 10000", "192.0.2.7 10000");
        assertThrows(IllegalArgumentException.class, () -> Sdp.parse(remoteOnly));
    }

    @Test
    void shouldAcceptACandidateInTheNamespaceRange() {
        String janus = RELAY_OFFER.replace("127.0.0.1 10000", "198.18.40.2 20132");
        assertEquals(new InetSocketAddress("198.18.40.2", 20132), Sdp.parse(janus).candidate());
    }

    @Test
    void shouldPreferTheNamespaceCandidateOverLoopback() {
        String both = RELAY_OFFER.replaceFirst("a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host",
                "a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host\r\n"
                        + "a=candidate:2 1 udp 2130706175 198.18.40.2 20132 typ host");
        assertEquals(new InetSocketAddress("198.18.40.2", 20132), Sdp.parse(both).candidate());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"127.0.0.1, true", "198.18.0.2, true", "198.19.255.1, true",
        "198.20.0.1, false", "10.0.0.1, false", "192.0.2.7, false", "::1, false"})
    void shouldSendOnlyToThisMachine(String address, boolean local) throws Exception {
        assertEquals(local, Sdp.isLocalTarget(java.net.InetAddress.getByName(address)));
    }

    @Test
    void shouldAnnounceOurCandidateOnceForAFullIceServer() {
        Sdp.Remote remote = Sdp.parse(RELAY_OFFER.replace("a=inactive", "a=sendonly"));
        String answer = Sdp.subscribeAnswer(new Sdp.LocalTransport("ufrag", "pwd", "00:11", "198.18.40.1", 5000), 9,
                remote.media(), true);
        assertTrue(answer.contains("a=candidate:1 1 udp 2122260223 198.18.40.1 5000 typ host"));
        assertEquals(answer.indexOf("a=candidate"), answer.lastIndexOf("a=candidate"), "BUNDLE: one candidate");
        assertTrue(!Sdp.subscribeAnswer(new Sdp.LocalTransport("u", "p", "00", 1), 9, remote.media())
                .contains("a=candidate"), "the ICE-lite relay needs none");
    }

    /** The relay's ICE-TCP line (RFC 6544 §4.5) after its UDP one; only a passive candidate is one we can connect to. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "a=candidate:3 1 tcp 1688207359 127.0.0.1 10001 typ host tcptype passive | 10001",
        "a=candidate:3 1 TCP 1688207359 127.0.0.1 10001 typ host tcptype passive generation 0 | 10001",
        "a=candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active | -1",
        "a=candidate:3 1 tcp 1518280447 127.0.0.1 10001 typ host tcptype so | -1",
        "a=candidate:3 1 tcp 1688207359 127.0.0.1 10001 typ host | -1",
        "a=candidate:3 1 tcp 1688207359 192.0.2.7 10001 typ host tcptype passive | -1"})
    void shouldReadOnlyAPassiveTcpCandidateOnThisMachine(String line, int port) {
        String offer = RELAY_OFFER.replaceFirst("a=end-of-candidates", line.trim() + "\r\na=end-of-candidates");
        Sdp.Remote remote = Sdp.parse(offer);
        assertEquals(new InetSocketAddress("127.0.0.1", 10000), remote.candidate(), "the UDP candidate stays");
        assertEquals(port < 0 ? null : new InetSocketAddress("127.0.0.1", port), remote.tcpCandidate());
    }

    @Test
    void shouldOfferAnActiveTcpCandidateOnPortNine() {
        String offer = Sdp.publishOffer(new Sdp.LocalTransport("ufrag", "pwd", "00:11", "127.0.0.1", 9, "tcp"), 9, "s",
                "a0", 11, "v0", 22);
        assertTrue(offer.contains("a=candidate:2 1 tcp 2128609279 127.0.0.1 9 typ host tcptype active generation 0\r\n"),
                offer);
        assertTrue(!offer.contains(" udp "), "no UDP candidate: " + offer);
    }
}
