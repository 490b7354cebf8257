package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.MediaWorkers;
import dev.relay.transport.DropCounters;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * The signaling protocol end to end inside one process (docs/signaling.md, docs/events.md): a
 * real SignalingService with real media workers and Transports, clients as recording outboxes.
 * Each test checks the whole transcript, outgoing messages and session events interleaved, so
 * any change in what the relay sends or in what order fails here before it reaches a browser.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignalingServiceTest {
    /** What {@code joined} says a participant may do in dev mode (no access tokens). */
    private static final String ALL_GRANTS = "\"permissions\":{\"canPublish\":true,\"canSubscribe\":true,"
            + "\"canPublishData\":true,\"hidden\":false}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String AUDIO_SSRC = "3405982569";
    /** The browser certificate fingerprint in every SDP fixture. */
    private static final String FINGERPRINT = "sha-256 D0:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19:99:92:05:83:DF:"
            + "EB:41:B4:2B:5B:01:F0:63:0B:37:CF";

    private final Transcript transcript = new Transcript();
    private final TransportRegistry registry = new TransportRegistry(new DropCounters());
    private ScheduledExecutorService control;
    private DtlsHandshakes dtls;
    private MediaWorkers workers;
    private SignalingService service;

    private void startService(Duration iceTimeout, Duration qualityInterval) {
        control = Executors.newSingleThreadScheduledExecutor();
        dtls = new DtlsHandshakes(DtlsHandshakes.Limits.defaults());
        workers = new MediaWorkers(1, new DropCounters());
        service = new SignalingService(control, dtls, workers, registry, DtlsCertificate.generate(),
                List.of("127.0.0.1"), 40000, new RecordingEvents(transcript), iceTimeout, qualityInterval);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            control.submit(service::closeAll).get(5, TimeUnit.SECONDS);
            control.shutdownNow();
            dtls.close();
            workers.close();
        }
    }

    @Test
    void shouldTellEveryoneAboutACallInOrder() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        Client alice = new Client("alice");
        Client bob = new Client("bob");

        send(alice, "{\"type\":\"join\",\"id\":1,\"room\":\"r\",\"name\":\"alice\"}");
        assertTranscript(
                "event room.created r",
                "alice <- {\"type\":\"joined\",\"id\":1,\"participantId\":\"p1\",\"room\":\"r\"," + ALL_GRANTS
                        + ",\"participants\":[]}",
                "event participant.joined r p1 alice");

        send(alice, publish(2, offer("alice")));
        assertTranscript(
                "alice <- {\"type\":\"publishAnswer\",\"id\":2,\"sdp\":\"audio 0 recvonly; video 1 recvonly\"}",
                "event track.published r p1 alice-audio audio opus",
                "event track.published r p1 alice-video video VP8");

        send(bob, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"bob\"}");
        assertTranscript(
                "bob <- {\"type\":\"joined\",\"participantId\":\"p2\",\"room\":\"r\"," + ALL_GRANTS
                        + ",\"participants\":[{\"participantId\":"
                        + "\"p1\",\"name\":\"alice\",\"tracks\":[{\"trackId\":\"alice-audio\",\"kind\":\"audio\",\"source\":\"microphone\",\"muted\":false},"
                        + "{\"trackId\":\"alice-video\",\"kind\":\"video\",\"source\":\"camera\",\"muted\":false}]}]}",
                "event participant.joined r p2 bob",
                "alice <- {\"type\":\"participantJoined\",\"participant\":{\"participantId\":\"p2\",\"name\":\"bob\"}}",
                "event subscription.started r p2 <- p1 alice-audio audio",
                "event subscription.started r p2 <- p1 alice-video video",
                "bob <- {\"type\":\"subscribeOffer\",\"sdp\":\"audio 0 sendonly p1 alice-audio; "
                        + "video 1 sendonly p1 alice-video\",\"version\":1}");

        send(bob, publish(3, offer("bob")));
        assertTranscript(
                "bob <- {\"type\":\"publishAnswer\",\"id\":3,\"sdp\":\"audio 0 recvonly; video 1 recvonly\"}",
                "event track.published r p2 bob-audio audio opus",
                "alice <- {\"type\":\"trackPublished\",\"participantId\":\"p2\",\"trackId\":\"bob-audio\",\"kind\":\"audio\",\"source\":\"microphone\",\"muted\":false}",
                "event subscription.started r p1 <- p2 bob-audio audio",
                "event track.published r p2 bob-video video VP8",
                "alice <- {\"type\":\"trackPublished\",\"participantId\":\"p2\",\"trackId\":\"bob-video\",\"kind\":\"video\",\"source\":\"camera\",\"muted\":false}",
                "event subscription.started r p1 <- p2 bob-video video",
                // One offer for the whole publish, not one round trip per track.
                "alice <- {\"type\":\"subscribeOffer\",\"sdp\":\"audio 0 sendonly p2 bob-audio; "
                        + "video 1 sendonly p2 bob-video\",\"version\":1}");

        send(alice, subscribeAnswer(1));
        assertTranscript();
        send(bob, subscribeAnswer(1));
        assertTranscript();

        // Alice stops her camera: bob hears of it and gets an offer before alice gets her answer.
        send(alice, publish(4, audioOnlyOffer("alice")));
        assertTranscript(
                "event subscription.stopped r p2 <- p1 alice-video video",
                "event track.unpublished r p1 alice-video video",
                "bob <- {\"type\":\"trackUnpublished\",\"participantId\":\"p1\",\"trackId\":\"alice-video\"}",
                "bob <- {\"type\":\"subscribeOffer\",\"sdp\":\"audio 0 sendonly p1 alice-audio; video rejected 1 inactive\","
                        + "\"version\":2}",
                "alice <- {\"type\":\"publishAnswer\",\"id\":4,\"sdp\":\"audio 0 recvonly\"}");

        send(alice, "{\"type\":\"leave\",\"id\":5}");
        assertTranscript(
                "event subscription.stopped r p2 <- p1 alice-audio audio",
                "event track.unpublished r p1 alice-audio audio",
                "bob <- {\"type\":\"trackUnpublished\",\"participantId\":\"p1\",\"trackId\":\"alice-audio\"}",
                "event subscription.stopped r p1 <- p2 bob-audio audio",
                "event subscription.stopped r p1 <- p2 bob-video video",
                "bob <- {\"type\":\"participantLeft\",\"participantId\":\"p1\"}",
                "event participant.left r p1 left",
                "alice <- {\"type\":\"left\",\"id\":5}",
                "alice closed");
        assertEquals(1, service.participantCount());
        assertEquals(1, service.roomCount());

        // Bob's offer 2 was outstanding when alice's audio went: one new offer after the answer.
        send(bob, subscribeAnswer(2));
        assertTranscript(
                "bob <- {\"type\":\"subscribeOffer\",\"sdp\":\"audio 0 inactive; video rejected 1 inactive\",\"version\":3}");

        closeSocket(bob);
        assertTranscript(
                "event track.unpublished r p2 bob-audio audio",
                "event track.unpublished r p2 bob-video video",
                "event participant.left r p2 timeout",
                "event room.closed r");
        assertEquals(0, service.participantCount());
        assertEquals(0, service.roomCount());
        assertEquals(0, service.rejectedMessages());
        assertEquals(0, registry.size(), "every Transport closed");
    }

    @Test
    void shouldKeepOneSubscribeOfferOutstandingAndRefuseOtherVersions() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        send(alice, publish(1, offer("alice")));
        send(bob, "{\"type\":\"join\",\"room\":\"r\"}");
        transcript.drain();

        send(bob, "{\"type\":\"subscribeAnswer\",\"id\":7,\"sdp\":\"\",\"version\":1}");
        assertTranscript("bob <- {\"type\":\"error\",\"code\":\"bad_sdp\",\"message\":\"empty SDP\","
                + "\"requestType\":\"subscribeAnswer\",\"id\":7}");
        send(bob, subscribeAnswer(2));
        assertTranscript("bob <- {\"type\":\"error\",\"code\":\"bad_state\",\"message\":\"answer is for version 2, "
                + "outstanding is 1\",\"requestType\":\"subscribeAnswer\"}");

        // Two changes while offer 1 is outstanding: still no second offer.
        send(alice, publish(2, audioOnlyOffer("alice")));
        send(alice, publish(3, offer("alice").replace(AUDIO_SSRC, "1234567")));
        assertTranscript(
                "event subscription.stopped r p2 <- p1 alice-video video",
                "event track.unpublished r p1 alice-video video",
                "bob <- {\"type\":\"trackUnpublished\",\"participantId\":\"p1\",\"trackId\":\"alice-video\"}",
                "alice <- {\"type\":\"publishAnswer\",\"id\":2,\"sdp\":\"audio 0 recvonly\"}",
                "event subscription.stopped r p2 <- p1 alice-audio audio",
                "event track.unpublished r p1 alice-audio audio",
                "bob <- {\"type\":\"trackUnpublished\",\"participantId\":\"p1\",\"trackId\":\"alice-audio\"}",
                "alice <- {\"type\":\"publishAnswer\",\"id\":3,\"sdp\":\"audio 0 recvonly; video 1 recvonly\"}",
                "event track.published r p1 alice-audio audio opus",
                "bob <- {\"type\":\"trackPublished\",\"participantId\":\"p1\",\"trackId\":\"alice-audio\",\"kind\":\"audio\",\"source\":\"microphone\",\"muted\":false}",
                "event subscription.started r p2 <- p1 alice-audio audio",
                "event track.published r p1 alice-video video VP8",
                "bob <- {\"type\":\"trackPublished\",\"participantId\":\"p1\",\"trackId\":\"alice-video\",\"kind\":\"video\",\"source\":\"camera\",\"muted\":false}",
                "event subscription.started r p2 <- p1 alice-video video");

        // The bad answers left offer 1 outstanding; its answer brings exactly one new offer.
        send(bob, subscribeAnswer(1));
        assertTranscript("bob <- {\"type\":\"subscribeOffer\",\"sdp\":\"audio 0 inactive; video rejected 1 inactive; "
                + "audio 2 sendonly p1 alice-audio; video 3 sendonly p1 alice-video\",\"version\":2}");
        send(bob, subscribeAnswer(2));
        assertTranscript();
        send(bob, subscribeAnswer(2));
        assertTranscript("bob <- {\"type\":\"error\",\"code\":\"bad_state\",\"message\":\"no subscribe offer is "
                + "outstanding\",\"requestType\":\"subscribeAnswer\"}");
        assertEquals(3, service.rejectedMessages());
    }

    @Test
    void shouldNameAParticipantByItsIdWhenItSendsNoName() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        send(new Client("c"), "{\"type\":\"join\",\"room\":\"r\",\"name\":null}");
        assertTranscript(
                "event room.created r",
                "c <- {\"type\":\"joined\",\"participantId\":\"p1\",\"room\":\"r\"," + ALL_GRANTS + ",\"participants\":[]}",
                "event participant.joined r p1 p1");
    }

    @Test
    void shouldAnswerARepeatedOfferWithoutTouchingItsTracks() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        send(alice, publish(1, offer("alice")));
        send(bob, "{\"type\":\"join\",\"room\":\"r\"}");
        send(bob, subscribeAnswer(1));
        transcript.drain();

        // Browsers renegotiate with the same tracks (e.g. after a codec preference change).
        send(alice, publish(2, offer("alice")));

        assertTranscript("alice <- {\"type\":\"publishAnswer\",\"id\":2,\"sdp\":\"audio 0 recvonly; video 1 recvonly\"}");
    }

    /**
     * RFC 8445 §9 / RFC 8839 §4.4.1.1.1: a publish offer with a new ufrag is an ICE restart. The
     * answer carries new relay credentials on the same Transport (DTLS and SRTP untouched); the
     * old ufrag no longer finds it. The subscribe side restarts on request, with a new offer.
     */
    @Test
    void shouldRestartIceWithNewCredentialsOnTheSameTransports() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        send(alice, publish(1, offer("alice")));
        String oldUfrag = ufragOf(alice.lastSdp);
        Transport publishTransport = registry.byUfrag(oldUfrag);
        send(bob, "{\"type\":\"join\",\"room\":\"r\"}");
        send(bob, subscribeAnswer(1));
        String bobsOldUfrag = ufragOf(bob.lastSdp);
        Transport subscribeTransport = registry.byUfrag(bobsOldUfrag);
        transcript.drain();

        send(alice, publish(2, offer("alice").replace("a=ice-ufrag:2swx", "a=ice-ufrag:n3w1")));
        assertTranscript("alice <- {\"type\":\"publishAnswer\",\"id\":2,\"sdp\":\"audio 0 recvonly; video 1 recvonly\"}");
        String newUfrag = ufragOf(alice.lastSdp);
        assertFalse(newUfrag.equals(oldUfrag), "new relay credentials in the answer");
        assertEquals(publishTransport, registry.byUfrag(newUfrag), "the same Transport");
        assertEquals(null, registry.byUfrag(oldUfrag), "the old ufrag is forgotten");
        assertTrue(publishTransport.isDtlsStarted());

        send(bob, "{\"type\":\"restartIce\",\"pc\":\"subscribe\"}");
        assertTranscript("bob <- {\"type\":\"subscribeOffer\",\"sdp\":\"audio 0 sendonly p1 alice-audio; "
                + "video 1 sendonly p1 alice-video\",\"version\":2}");
        assertEquals(subscribeTransport, registry.byUfrag(ufragOf(bob.lastSdp)));
        assertEquals(null, registry.byUfrag(bobsOldUfrag));
        assertEquals(1, service.stats().iceRestarts(true), "publish restarts counted");
        assertEquals(1, service.stats().iceRestarts(false), "subscribe restarts counted");

        send(bob, "{\"type\":\"restartIce\",\"id\":7,\"pc\":\"publish\"}");
        assertTranscript("bob <- {\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"pc must be 'subscribe'; "
                + "restart the publish PeerConnection with a new publish offer (RTCPeerConnection.restartIce)\","
                + "\"requestType\":\"restartIce\",\"id\":7}");
    }

    /** Mute state and screen shares reach the others: in trackPublished, in joined, and as trackMuted. */
    @Test
    void shouldTellOthersWhichTrackIsAScreenAndWhichIsMuted() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        send(bob, "{\"type\":\"join\",\"room\":\"r\"}");
        transcript.drain();

        ObjectNode publish = (ObjectNode) JSON.readTree(publish(1, offer("alice")));
        publish.putArray("tracks").addObject().put("trackId", "alice-video").put("source", "screen");
        ((com.fasterxml.jackson.databind.node.ArrayNode) publish.get("tracks")).addObject()
                .put("trackId", "alice-audio").put("muted", true);
        send(alice, publish.toString());
        transcript.drain();
        send(alice, "{\"type\":\"mute\",\"trackId\":\"alice-audio\",\"muted\":false}");
        assertTranscript("bob <- {\"type\":\"trackMuted\",\"participantId\":\"p1\",\"trackId\":\"alice-audio\","
                + "\"kind\":\"audio\",\"muted\":false}");
        send(alice, "{\"type\":\"mute\",\"trackId\":\"alice-video\",\"muted\":true}");
        assertTranscript("bob <- {\"type\":\"trackMuted\",\"participantId\":\"p1\",\"trackId\":\"alice-video\","
                + "\"kind\":\"video\",\"muted\":true}");

        Client carol = new Client("carol");
        send(carol, "{\"type\":\"join\",\"id\":1,\"room\":\"r\"}");
        String joined = transcript.drain().stream().filter(l -> l.startsWith("carol <- {\"type\":\"joined\""))
                .findFirst().orElseThrow();
        assertTrue(joined.contains("{\"trackId\":\"alice-audio\",\"kind\":\"audio\",\"source\":\"microphone\","
                + "\"muted\":false}"), joined);
        assertTrue(joined.contains("{\"trackId\":\"alice-video\",\"kind\":\"video\",\"source\":\"screen\","
                + "\"muted\":true}"), joined);

        send(alice, "{\"type\":\"mute\",\"id\":3,\"trackId\":\"nope\",\"muted\":true}");
        assertTranscript("alice <- {\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"no published track "
                + "nope\",\"requestType\":\"mute\",\"id\":3}");
    }

    @Test
    void shouldRefuseABadPublishOfferAndStayJoined() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        Client alice = new Client("alice");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        transcript.drain();

        send(alice, publish(1, offer("alice").replace("a=setup:actpass", "a=setup:passive")));
        assertTranscript("alice <- {\"type\":\"error\",\"code\":\"bad_sdp\",\"message\":\"the relay is the DTLS server:"
                + " offer a=setup:actpass or active\",\"requestType\":\"publish\",\"id\":1}");
        send(alice, "{\"type\":\"ping\",\"id\":\"x\"}");
        assertTranscript("alice <- {\"type\":\"pong\",\"id\":\"x\"}");
        assertEquals(1, service.rejectedMessages());

        // The client fixes its offer: this one is answered and its DTLS handshake starts.
        send(alice, publish(2, offer("alice")));
        transcript.await(l -> l.startsWith("alice <- {\"type\":\"publishAnswer\",\"id\":2"), WAIT);
        Transport transport = registry.byUfrag(ufragOf(alice.lastSdp));
        assertTrue(transport.isDtlsStarted(), "DTLS starts on the first accepted offer, not the first offer");
    }

    /**
     * A malformed or unsupported {@code a=fingerprint} is the client's error: {@code bad_sdp} with
     * a message saying what is wrong, no ERROR log and no stack trace, and the publish Transport
     * stays usable: the corrected offer is answered and starts its DTLS.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "sha-256 D0:56:99:1D|a=fingerprint is not a sha-256 fingerprint (32 hex bytes, colon-separated, RFC 8122): "
                + "D0:56:99:1D",
        "sha-256 ZZ:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19:99:92:05:83:DF:EB:41:B4:2B:5B:01:F0:63:0B:37:CF|"
                + "a=fingerprint is not a sha-256 fingerprint (32 hex bytes, colon-separated, RFC 8122): "
                + "ZZ:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19:99:92:05:83:DF:EB:41:B4:2B:5B:01:F0:63:0B:37:CF",
        "md5 D0:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19|"
                + "a=fingerprint must be sha-256 <hex>, got: md5 D0:56:99:1D:51:61:E1:82:13:83:DF:85:29:C7:D6:19",
    })
    void shouldRefuseABadFingerprintAsBadSdpThenStartDtlsOnTheCorrectedOffer(String fingerprint, String message)
            throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        ListAppender<ILoggingEvent> log = captureLog();
        try {
            Client alice = new Client("alice");
            send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
            transcript.drain();

            send(alice, publish(1, offer("alice").replace(FINGERPRINT, fingerprint)));
            assertTranscript("alice <- {\"type\":\"error\",\"code\":\"bad_sdp\",\"message\":\"" + message
                    + "\",\"requestType\":\"publish\",\"id\":1}");

            send(alice, publish(2, offer("alice")));
            transcript.await(l -> l.startsWith("alice <- {\"type\":\"publishAnswer\",\"id\":2"), WAIT);
            assertTrue(registry.byUfrag(ufragOf(alice.lastSdp)).isDtlsStarted(),
                    "the corrected offer starts DTLS on the same Transport");
            assertQuietLog(log);
        } finally {
            releaseLog(log);
        }
    }

    @Test
    void shouldRefuseASubscribeAnswerWithABadFingerprintThenStartDtlsOnTheCorrectedAnswer() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ZERO);
        ListAppender<ILoggingEvent> log = captureLog();
        try {
            Client alice = new Client("alice");
            Client bob = new Client("bob");
            send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
            send(alice, publish(1, offer("alice")));
            send(bob, "{\"type\":\"join\",\"room\":\"r\"}");
            transcript.drain();
            Transport subscribe = registry.byUfrag(ufragOf(bob.lastSdp));

            String bad = subscribeAnswer(1).replace(FINGERPRINT, "sha-256 D0:56");
            send(bob, bad);
            assertTranscript("bob <- {\"type\":\"error\",\"code\":\"bad_sdp\",\"message\":\"a=fingerprint is not a "
                    + "sha-256 fingerprint (32 hex bytes, colon-separated, RFC 8122): D0:56\","
                    + "\"requestType\":\"subscribeAnswer\"}");
            assertFalse(subscribe.isDtlsStarted());

            send(bob, subscribeAnswer(1));
            assertTranscript();
            assertTrue(subscribe.isDtlsStarted(), "the corrected answer starts DTLS");
            assertQuietLog(log);
        } finally {
            releaseLog(log);
        }
    }

    private static ListAppender<ILoggingEvent> captureLog() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    private static void releaseLog(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
        appender.stop();
    }

    /** Nothing above WARN, and no stack trace, from the relay's own loggers. */
    private static void assertQuietLog(ListAppender<ILoggingEvent> appender) {
        for (ILoggingEvent event : List.copyOf(appender.list)) {
            if (event.getLoggerName().startsWith("dev.relay")) {
                assertFalse(event.getLevel().isGreaterOrEqual(Level.ERROR), event.toString());
                assertTrue(event.getThrowableProxy() == null, () -> "stack trace logged: " + event);
            }
        }
    }

    @Test
    void shouldRemoveAParticipantWhoseIceChecksStop() throws Exception {
        // A real clock: 3 s, so that only Alice, who stops, times out. With 1 s a stall of a second
        // on a loaded CI machine (before Bob's first simulated check, or between two of them every
        // 100 ms) timed Bob out too.
        startService(Duration.ofSeconds(3), Duration.ZERO);
        service.start();
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        send(bob, "{\"type\":\"join\",\"room\":\"r\"}");
        send(alice, publish(1, offer("alice")));
        String answer = transcript.await(l -> l.startsWith("alice <- {\"type\":\"publishAnswer\""), WAIT);
        transcript.drain();
        assertTrue(answer.contains("recvonly"), answer);

        // Bob's browser keeps its subscribe path's consent fresh, as a live one does (a Transport
        // that never passes a check is timed out too, ConsentMonitorTest).
        Transport bobs = registry.byUfrag(ufragOf(bob.lastSdp));
        java.util.concurrent.ScheduledExecutorService bobsBrowser =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        bobsBrowser.scheduleAtFixedRate(() -> bobs.ice().onValidatedRequest(
                new InetSocketAddress("127.0.0.1", 50001), true, System.nanoTime()), 0, 100, TimeUnit.MILLISECONDS);
        try {
            aliceStopsCheckingAndIsRemoved(alice);
        } finally {
            bobsBrowser.shutdownNow();
        }
    }

    private void aliceStopsCheckingAndIsRemoved(Client alice) throws Exception {
        // One valid check (RFC 7675: consent is fresh), then silence.
        Transport transport = registry.byUfrag(ufragOf(alice.lastSdp));
        transport.ice().onValidatedRequest(new InetSocketAddress("127.0.0.1", 50000), true, System.nanoTime());
        transcript.await(l -> l.equals("alice closed"), WAIT);
        drain();
        List<String> lines = transcript.drain();
        assertEquals(List.of(
                "alice <- {\"type\":\"error\",\"code\":\"ice_failed\",\"message\":\"no ICE connectivity check or media "
                        + "from this client for 3 s; rejoin to continue\"}",
                "event subscription.stopped r p2 <- p1 alice-audio audio",
                "event track.unpublished r p1 alice-audio audio",
                "bob <- {\"type\":\"trackUnpublished\",\"participantId\":\"p1\",\"trackId\":\"alice-audio\"}",
                "event subscription.stopped r p2 <- p1 alice-video video",
                "event track.unpublished r p1 alice-video video",
                "bob <- {\"type\":\"trackUnpublished\",\"participantId\":\"p1\",\"trackId\":\"alice-video\"}",
                "bob <- {\"type\":\"participantLeft\",\"participantId\":\"p1\"}",
                "event participant.left r p1 ice_failed",
                "alice closed"), lines);

        // Until the socket closes, the removed participant is refused like one that never joined.
        send(alice, publish(2, offer("alice")));
        assertTranscript("alice <- {\"type\":\"error\",\"code\":\"not_joined\",\"message\":\"join a room before "
                + "'publish'\",\"requestType\":\"publish\",\"id\":2}");
        send(alice, "{\"type\":\"join\",\"room\":\"r\"}");
        assertTranscript("alice <- {\"type\":\"error\",\"code\":\"already_joined\",\"message\":\"this connection "
                + "already joined room r\",\"requestType\":\"join\"}");
        closeSocket(alice);
        assertTranscript();
        assertEquals(1, service.participantCount());
    }

    @Test
    void shouldSampleQualityPerParticipant() throws Exception {
        startService(Duration.ofSeconds(30), Duration.ofMillis(100));
        service.start();
        Client alice = new Client("alice");
        Client bob = new Client("bob");
        send(alice, "{\"type\":\"join\",\"room\":\"q\"}");
        send(alice, publish(1, offer("alice")));
        send(bob, "{\"type\":\"join\",\"room\":\"q\"}");

        // Bob's two Consumers count once the Router has them; alice's Producers from the start.
        transcript.await(l -> l.equals("event participant.quality q p2 publish=0 subscribe=2"), WAIT);
        transcript.await(l -> l.equals("event participant.quality q p1 publish=2 subscribe=0"), WAIT);
    }

    // ---- harness ----

    /** One signaling WebSocket whose outgoing messages go to the transcript. */
    private final class Client implements Outbox {
        final String name;
        final Connection connection;
        volatile String lastSdp;

        Client(String name) {
            this.name = name;
            this.connection = new Connection(this, "test:" + name);
        }

        @Override
        public void send(ObjectNode message) {
            if (message.has("sdp")) {
                lastSdp = message.get("sdp").asText();
            }
            transcript.add(name + " <- " + Transcript.render(message));
        }

        @Override
        public void close() {
            transcript.add(name + " closed");
        }
    }

    private void send(Client client, String json) throws Exception {
        service.onText(client.connection, json);
        drain();
    }

    private void closeSocket(Client client) throws Exception {
        service.onClosed(client.connection);
        drain();
    }

    /** Returns once the control thread has handled everything enqueued before. */
    private void drain() throws Exception {
        control.submit(() -> { }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void assertTranscript(String... expected) {
        assertEquals(List.of(expected), transcript.drain());
    }

    private static String publish(int id, String sdp) {
        ObjectNode message = JSON.createObjectNode().put("type", "publish").put("id", id).put("sdp", sdp);
        return message.toString();
    }

    private static String subscribeAnswer(long version) throws IOException {
        return JSON.createObjectNode().put("type", "subscribeAnswer").put("sdp", fixture(
                "/dev/relay/signaling/sdp/SdpFuzzTestInputs/negotiate/answer-audio-trimmed.sdp"))
                .put("version", version).toString();
    }

    /** Chromium's audio + video offer, with track ids {@code <who>-audio} and {@code <who>-video}. */
    private static String offer(String who) throws IOException {
        return fixture("/sdp/offer-audio-video.sdp")
                .replace("c3549946-efd9-4d14-88a3-51aca1ef7c13", who + "-audio")
                .replace("664223b4-70ec-4dab-b914-01fe59d5d77c", who + "-video");
    }

    /** The same offer with its video m-section gone (the camera stopped). */
    private static String audioOnlyOffer(String who) throws IOException {
        String full = offer(who);
        return full.substring(0, full.indexOf("m=video")).replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
    }

    private static String fixture(String path) throws IOException {
        try (InputStream in = SignalingServiceTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String ufragOf(String sdp) {
        Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertTrue(m.find(), sdp);
        return m.group(1);
    }
}
