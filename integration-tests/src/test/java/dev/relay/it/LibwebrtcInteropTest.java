package dev.relay.it;

import dev.relay.signaling.RelayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interop with a WebRTC stack that is not a browser: libwebrtc M106 in Node ({@code @roamhq/wrtc},
 * {@link WrtcPeer}) and Debian's Chromium ({@link ChromiumPeer}, the relay's web client) in one
 * room. The Node peer builds its own SDP through libwebrtc's API (an older libwebrtc than the
 * browser's, DTLS 1.2 only), feeds synthetic I420 frames and PCM, and signals over its own
 * WebSocket client, so the relay meets a second, independent client of {@code docs/signaling.md}.
 *
 * <p>What passing proves, whichever joins first: Chromium decodes more than 30 of the Node peer's
 * VP8 frames and receives its Opus packets; the Node peer decodes more than 30 of Chromium's frames
 * and receives its audio packets. So the relay answers M106's publish offer, M106 answers the
 * relay's subscribe offers, ICE-lite, DTLS 1.2 and SRTP work with it on both PeerConnections, and a
 * late joiner's keyframe request reaches the other side's encoder. Both directions' first-frame
 * times are printed.
 *
 * <p>Run: {@code mvn -B -o verify -pl integration-tests -am -Dtest=LibwebrtcInteropTest
 * -Dsurefire.failIfNoSpecifiedTests=false}. Needs Chromium (as {@link BrowserCallTest}), and
 * {@code node} and {@code npm} on PATH: the first run installs the script's pinned npm packages
 * with {@code npm ci} (from the npm registry); without Chromium, node or npm the class is skipped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LibwebrtcInteropTest {

    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    /** Longer than a test may run: the script leaves by itself should this JVM not stop it. */
    private static final Duration NODE_RUN = Duration.ofSeconds(90);
    private static final int ENOUGH_FRAMES = 30;
    /** Surefire runs with the module as working directory. */
    private static final Path FAILURE_DIR = Path.of("target", "browser-failures");

    private static RelayServer relay;
    private static URI httpBase;

    @BeforeAll
    static void startRelay() throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(),
                "skipped: " + ChromiumPeer.CHROMIUM + " is not installed (apt-get install -y chromium chromium-driver)");
        String missing = WrtcPeer.missingTools();
        assumeTrue(missing == null, () -> "skipped: " + missing + " (apt-get install -y nodejs npm)");
        WrtcPeer.installDependencies();
        relay = Relays.startLoopback();
        httpBase = Relays.httpBase(relay);
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    enum JoinOrder {
        /** The Node peer waits in the room; Chromium joins it (a keyframe request reaches M106's encoder). */
        NODE_FIRST,
        /** Chromium waits in the room; the Node peer joins it (its keyframe request reaches Chromium). */
        CHROMIUM_FIRST
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(JoinOrder.class)
    void shouldExchangeVideoAndAudioBetweenLibwebrtcInNodeAndChromium(JoinOrder order) throws IOException {
        String room = Relays.uniqueRoom("wrtc");
        WrtcPeer node = null;
        ChromiumPeer chromium = null;
        try {
            if (order == JoinOrder.NODE_FIRST) {
                node = WrtcPeer.start(Relays.webSocket(relay), room, "node", NODE_RUN);
                node.awaitStats("publish PeerConnection connected", READY, s -> "connected".equals(s.publishState()));
            }
            chromium = ChromiumPeer.launch("chromium");
            chromium.open(httpBase, room);
            String c = chromium.awaitReady(READY);
            if (order == JoinOrder.CHROMIUM_FIRST) {
                node = WrtcPeer.start(Relays.webSocket(relay), room, "node", NODE_RUN);
            }
            String n = node.awaitParticipantId(READY);
            assertNotEquals(n, c, "each participant gets its own participantId");

            PeerStats chromiumFirst = chromium.awaitStats("a first decoded video frame from the Node peer (" + n + ")",
                    MEDIA, s -> s.framesDecodedFrom(n) > 0);
            PeerStats atChromium = chromium.awaitStats(
                    "more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from the Node peer (" + n + ")",
                    MEDIA, s -> s.framesDecodedFrom(n) > ENOUGH_FRAMES && s.audioPacketsFrom(n) > 0);
            WrtcPeer.Stats atNode = node.awaitStats(
                    "more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from Chromium (" + c + ")",
                    MEDIA, s -> s.videoFramesFrom(c) > ENOUGH_FRAMES && s.audioPacketsFrom(c) > 0);
            System.out.println(order + " chromium: " + atChromium);
            System.out.println(order + " node:     " + atNode);
            assertEquals("video/VP8", atChromium.videoCodecFrom(n), "M106 offers VP8 first; the relay forwards it as is");
            assertEquals("video/VP8", atNode.videoCodecFrom(c), "the web client sends VP8 unless told otherwise");

            WrtcPeer.FirstFrame atNodeFirst = node.firstFrame(c);
            System.out.printf("%s first frame node -> chromium: %s%n", order, chromiumFirstFrame(chromium, n, chromiumFirst));
            System.out.printf("%s first frame chromium -> node: %d ms after the Node peer sent join,"
                            + " %d ms after its video track event (decoded, RTCVideoSink)%n",
                    order, atNodeFirst.sinceJoinMs(), atNodeFirst.sinceTrackMs());
        } catch (AssertionError | RuntimeException e) {
            Thread.interrupted(); // a @Timeout interrupt would otherwise abort the dump's WebDriver calls
            System.out.println("##### " + order + ": " + e + " - diagnostics follow");
            if (node != null) {
                node.dumpDiagnostics();
            }
            if (chromium != null) {
                chromium.dumpDiagnostics();
                try {
                    System.out.println("screenshot: "
                            + chromium.saveScreenshot(FAILURE_DIR, "libwebrtc-interop-" + order).toAbsolutePath());
                } catch (IOException | RuntimeException s) {
                    System.out.println("no screenshot: " + s);
                }
            }
            throw e;
        } finally {
            if (node != null) {
                node.close();
            }
            if (chromium != null) {
                chromium.close();
            }
        }
    }

    /**
     * When Chromium decoded the first frame from {@code remote}: page clock, from the stats poll
     * that first saw {@code framesDecoded > 0} (so up to one poll late). Not the page's
     * {@code first-frame} event: that one fires on the video element's {@code loadeddata}, which
     * an audio-only stream also fires when a participant's audio is offered before its video.
     */
    private static String chromiumFirstFrame(ChromiumPeer at, String remote, PeerStats first) {
        Double joinSentAt = null;
        Double trackAt = null;
        for (Object o : at.logEntries("join-sent")) {
            joinSentAt = ((Number) ((Map<?, ?>) o).get("t")).doubleValue();
        }
        for (Object o : at.logEntries("track")) {
            Map<?, ?> entry = (Map<?, ?>) o;
            if (remote.equals(entry.get("participantId")) && "video".equals(entry.get("kind")) && trackAt == null) {
                trackAt = ((Number) entry.get("t")).doubleValue();
            }
        }
        String sinceTrack = joinSentAt == null || trackAt == null ? "?"
                : Long.toString(Math.round(joinSentAt + first.sinceJoinMs() - trackAt));
        return Math.round(first.sinceJoinMs()) + " ms after Chromium sent join, " + sinceTrack
                + " ms after its video track event (decoded; stats poll, 200 ms granularity)";
    }
}
