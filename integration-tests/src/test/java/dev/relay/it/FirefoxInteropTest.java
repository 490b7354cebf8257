package dev.relay.it;

import dev.relay.signaling.RelayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A Chromium and a Firefox participant in one room, each running the relay's web client against
 * a relay on loopback (as {@link BrowserCallTest}): both publish audio and video with
 * {@code max-bundle} and subscribe to the other. Firefox is Debian's ESR, driven over WebDriver
 * BiDi by {@link FirefoxPeer}.
 *
 * <p>What passing proves: the relay answers Firefox's publish offer, whose video m-section is
 * {@code bundle-only} with port 0 (RFC 8843 §6: an accepted BUNDLE member, not a rejected
 * section), and forwards both of its tracks; Firefox accepts the relay's subscribe offer; each
 * browser decodes the other's video (more than 30 frames) and receives the other's audio.
 *
 * <p>It also prints each side's first-frame time: from {@code open()} of its page to the stats
 * poll that first saw a decoded frame from the other (the pages are opened Chromium first, then
 * Firefox, so Chromium's time includes Firefox's page load). And it writes the SDP Firefox sent
 * (its publish offer and its last subscribe answer) to {@code target/firefox-sdp/}, from where
 * signaling's {@code src/test/resources/sdp/firefox-*.sdp} were copied (line ends made LF).
 *
 * <p>Run: {@code mvn -B -o verify -pl integration-tests -am -Dtest=FirefoxInteropTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; needs {@code /usr/bin/firefox-esr} and Chromium
 * (skipped without them). Nothing is downloaded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirefoxInteropTest {

    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration FIRST_FRAME = Duration.ofSeconds(15);
    private static final Duration MEDIA = Duration.ofSeconds(15);
    private static final int ENOUGH_FRAMES = 30;
    /** Surefire runs with the module as working directory. */
    private static final Path FAILURE_DIR = Path.of("target", "browser-failures");
    private static final Path SDP_DIR = Path.of("target", "firefox-sdp");

    private static RelayServer relay;
    private static URI httpBase;

    private final List<BrowserPeer> peers = new ArrayList<>();

    /** Runs before {@code @AfterEach}, while the browsers are still open. */
    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted(); // a @Timeout interrupt would otherwise abort the dump's calls
            System.out.println("##### " + context.getDisplayName() + " failed: "
                    + context.getExecutionException().get() + " - browser diagnostics follow");
            for (BrowserPeer peer : peers) {
                peer.dumpDiagnostics();
                try {
                    System.out.println("screenshot: " + peer.saveScreenshot(FAILURE_DIR, context.getDisplayName()).toAbsolutePath());
                } catch (IOException | RuntimeException e) {
                    System.out.println(peer.label() + ": no screenshot: " + e);
                }
            }
        }
    };

    @BeforeAll
    static void startRelay() throws Exception {
        assumeTrue(FirefoxPeer.firefoxInstalled(),
                "skipped: " + FirefoxPeer.FIREFOX + " is not installed (apt-get install -y firefox-esr)");
        assumeTrue(ChromiumPeer.chromiumInstalled(),
                "skipped: " + ChromiumPeer.CHROMIUM + " is not installed (apt-get install -y chromium chromium-driver)");
        relay = Relays.startLoopback();
        httpBase = Relays.httpBase(relay);
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @AfterEach
    void closeBrowsers() {
        for (BrowserPeer peer : peers) {
            peer.close();
        }
        peers.clear();
    }

    @Test
    void shouldExchangeVideoAndAudioBetweenChromiumAndFirefox() throws IOException {
        String room = Relays.uniqueRoom("firefox");
        // Both browsers start before either page opens: start-up is not part of first-frame times.
        ChromiumPeer chromium = ChromiumPeer.launch("chromium");
        peers.add(chromium);
        FirefoxPeer firefox = FirefoxPeer.launch("firefox");
        peers.add(firefox);

        Map<BrowserPeer, Instant> opened = new LinkedHashMap<>();
        opened.put(chromium, Instant.now());
        chromium.open(httpBase, room);
        opened.put(firefox, Instant.now());
        firefox.open(httpBase, room);
        chromium.awaitReady(READY);
        firefox.awaitReady(READY);

        Map<BrowserPeer, Duration> firstFrame = awaitFirstFrames(Map.of(chromium, firefox, firefox, chromium), opened);
        saveFirefoxSdp(firefox);
        for (BrowserPeer at : List.of(chromium, firefox)) {
            BrowserPeer from = at == chromium ? firefox : chromium;
            Duration d = firstFrame.get(at);
            // From stats, not the page's first-frame event: its loadeddata also fires on audio alone.
            System.out.printf("first-frame %s <- %s: %s after its open()%n", at.label(), from.label(),
                    d == null ? "none within " + FIRST_FRAME.toSeconds() + " s" : d.toMillis() + " ms");
        }

        PeerStats atFirefox = awaitReceiving(firefox, chromium);
        System.out.println("firefox:  " + atFirefox);
        PeerStats atChromium = awaitReceiving(chromium, firefox);
        System.out.println("chromium: " + atChromium);

        assertEquals(List.of(firefox.participantId()), chromium.tiles(), "chromium shows one remote tile, firefox's");
        assertEquals(List.of(chromium.participantId()), firefox.tiles(), "firefox shows one remote tile, chromium's");
        List<String> errors = firefox.consoleLines().stream().filter(line -> line.startsWith("error")).toList();
        if (!errors.isEmpty()) {
            System.out.println("firefox console errors: " + errors);
        }
    }

    /**
     * Polls both pages until each has decoded a frame from the other (or {@link #FIRST_FRAME}
     * passed since the later open); returns, per page, the time from its open() to the poll
     * that saw the first frame. Missing entries: no frame in time (the later assertions say why).
     */
    private static Map<BrowserPeer, Duration> awaitFirstFrames(Map<BrowserPeer, BrowserPeer> fromOf,
                                                               Map<BrowserPeer, Instant> opened) {
        Map<BrowserPeer, Duration> first = new LinkedHashMap<>();
        Instant deadline = opened.values().stream().max(Instant::compareTo).orElseThrow().plus(FIRST_FRAME);
        while (first.size() < fromOf.size() && Instant.now().isBefore(deadline)) {
            for (Map.Entry<BrowserPeer, BrowserPeer> e : fromOf.entrySet()) {
                BrowserPeer at = e.getKey();
                if (!first.containsKey(at) && at.stats().framesDecodedFrom(e.getValue().participantId()) > 0) {
                    first.put(at, Duration.between(opened.get(at), Instant.now()));
                }
            }
            BrowserPeer.sleep(Duration.ofMillis(50));
        }
        return first;
    }

    /**
     * Writes the publish offer and the last subscribe answer Firefox sent, as sent, to
     * {@link #SDP_DIR}: real SDP for signaling's sdp tests.
     */
    private static void saveFirefoxSdp(FirefoxPeer firefox) throws IOException {
        String major = firefox.browserVersion().replaceAll("^(\\d+).*", "$1");
        Files.createDirectories(SDP_DIR);
        List<Map<String, Object>> offers = firefox.sentSignaling("publish");
        List<Map<String, Object>> answers = firefox.sentSignaling("subscribeAnswer");
        assertFalse(offers.isEmpty(), "firefox sent a publish offer");
        assertFalse(answers.isEmpty(), "firefox sent a subscribe answer");
        Path offer = SDP_DIR.resolve("firefox-" + major + "-publish-offer.sdp");
        Path answer = SDP_DIR.resolve("firefox-" + major + "-subscribe-answer.sdp");
        Files.writeString(offer, (String) offers.get(offers.size() - 1).get("sdp"));
        Files.writeString(answer, (String) answers.get(answers.size() - 1).get("sdp"));
        System.out.println("firefox " + firefox.browserVersion() + " SDP: " + offer.toAbsolutePath() + ", " + answer.toAbsolutePath());
    }

    /** More than 30 decoded video frames and some audio packets from {@code from} at {@code at}. */
    private static PeerStats awaitReceiving(BrowserPeer at, BrowserPeer from) {
        String id = from.participantId();
        return at.awaitStats(
                "more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from " + from.label() + " (" + id + ")",
                MEDIA,
                s -> s.framesDecodedFrom(id) > ENOUGH_FRAMES && s.audioPacketsFrom(id) > 0);
    }
}
