package dev.relay.it;

import dev.relay.signaling.RelayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
 * <p>What passing proves: Chromium decodes more than 30 of the Node peer's VP8 frames and receives
 * its Opus packets; the Node peer decodes more than 30 of Chromium's frames and receives its audio
 * packets. Both directions' first-frame times are printed.
 *
 * <p>Run: {@code mvn -B -o verify -pl integration-tests -am -Dtest=LibwebrtcInteropTest
 * -Dsurefire.failIfNoSpecifiedTests=false}. Needs Chromium (as {@link BrowserCallTest}), and
 * {@code node} and {@code npm} on PATH: the first run installs the script's pinned npm packages
 * with {@code npm ci} (from the npm registry); without Chromium, node or npm the class is skipped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LibwebrtcInteropTest {

    private static final Duration READY = Duration.ofSeconds(20);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    /** Longer than the test may run: the script leaves by itself should this JVM not stop it. */
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

    @Test
    void shouldExchangeVideoAndAudioBetweenLibwebrtcInNodeAndChromium() throws IOException {
        String room = Relays.uniqueRoom("wrtc");
        // Node first: Chromium takes longer to start, and the Node peer waits in the room.
        WrtcPeer node = WrtcPeer.start(Relays.webSocket(relay), room, "node", NODE_RUN);
        ChromiumPeer chromium = null;
        try {
            chromium = ChromiumPeer.launch("chromium");
            chromium.open(httpBase, room);
            String n = node.awaitParticipantId(READY);
            String c = chromium.awaitReady(READY);
            long chromiumReadyNanos = System.nanoTime();
            assertNotEquals(n, c, "each participant gets its own participantId");

            PeerStats atChromium = chromium.awaitStats(
                    "more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from the Node peer (" + n + ")",
                    MEDIA, s -> s.framesDecodedFrom(n) > ENOUGH_FRAMES && s.audioPacketsFrom(n) > 0);
            WrtcPeer.Stats atNode = node.awaitStats(
                    "more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from Chromium (" + c + ")",
                    MEDIA, s -> s.videoFramesFrom(c) > ENOUGH_FRAMES && s.audioPacketsFrom(c) > 0);
            System.out.println("chromium: " + atChromium);
            System.out.println("node:     " + atNode);
            assertEquals("video/VP8", atChromium.videoCodecFrom(n), "M106 offers VP8 first; the relay forwards it as is");
            assertEquals("video/VP8", atNode.videoCodecFrom(c), "the web client sends VP8 unless told otherwise");

            Long nodeFirst = node.firstFrameNanos(c);
            System.out.printf("first frame, node -> chromium: %s after Chromium sent join (rendered, page clock)%n",
                    chromiumFirstFrame(chromium, n));
            System.out.printf("first frame, chromium -> node: %d ms after Chromium's publish was answered"
                            + " (ready seen by the test), %d ms after the Node peer sent join%n",
                    (nodeFirst - chromiumReadyNanos) / 1_000_000, node.firstFrameSinceJoinMs(c));
        } catch (AssertionError | RuntimeException e) {
            Thread.interrupted(); // a @Timeout interrupt would otherwise abort the dump's WebDriver calls
            System.out.println("##### " + e + " - diagnostics follow");
            node.dumpDiagnostics();
            if (chromium != null) {
                chromium.dumpDiagnostics();
                try {
                    System.out.println("screenshot: " + chromium.saveScreenshot(FAILURE_DIR, "libwebrtc-interop").toAbsolutePath());
                } catch (IOException | RuntimeException s) {
                    System.out.println("no screenshot: " + s);
                }
            }
            throw e;
        } finally {
            node.close();
            if (chromium != null) {
                chromium.close();
            }
        }
    }

    /** The page's first-frame event for {@code remote}: milliseconds from its join to the first rendered frame. */
    private static String chromiumFirstFrame(ChromiumPeer at, String remote) {
        for (Object o : at.logEntries("first-frame")) {
            Map<?, ?> entry = (Map<?, ?>) o;
            if (remote.equals(entry.get("participantId")) && entry.get("sinceJoinMs") != null) {
                return entry.get("sinceJoinMs") + " ms";
            }
        }
        return "(no first-frame event)";
    }
}
