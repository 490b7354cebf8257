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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interop with a WebRTC stack that is not a browser: GStreamer 1.22's webrtcbin (libnice ICE,
 * its own DTLS-SRTP), driven by {@code src/test/python/webrtcbin_peer.py}, against a relay in
 * this JVM on loopback, with Debian's Chromium on the other side.
 *
 * <ul>
 *   <li>{@link #shouldLetChromiumDecodeWhatWebrtcbinPublishes}: webrtcbin offers VP8 + Opus with
 *       {@code bundle-policy=max-bundle} (its second m-section {@code bundle-only}, port 0, RFC 9143
 *       §6); a Chromium participant that joins afterwards decodes more than 30 of its video frames
 *       and receives its audio.</li>
 *   <li>{@link #shouldLetWebrtcbinDecodeWhatChromiumPublishes}: a webrtcbin participant that only
 *       subscribes answers the relay's subscribe offer ({@code a=ice-lite}, {@code actpass}, the relay's
 *       candidates in the SDP) and decodes more than 30 of Chromium's video frames and its audio.</li>
 *   <li>{@link #shouldKeepWebrtcbinPastTheIceTimeout}: a relay with an 8 s ICE timeout keeps
 *       forwarding to a webrtcbin subscriber, which after ICE completes sends Binding Indications,
 *       not requests, and otherwise only SRTCP.</li>
 * </ul>
 *
 * <p>The first two print the late joiner's join-to-first-frame time. Every SDP both ways, and
 * each webrtcbin process's stderr, is kept in {@code target/webrtcbin/}. Skipped when webrtcbin
 * or Chromium is not installed (RUNBOOK "Non-browser WebRTC peers"; {@code .ci/run} installs both).
 *
 * <p>Run: {@code mvn -B -pl integration-tests -am test -Dtest=GstreamerInteropTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GstreamerInteropTest {

    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration CONNECTED = Duration.ofSeconds(10);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final int ENOUGH_FRAMES = 30;
    private static final int STILL_DECODING_FRAMES = 10;

    private static RelayServer relay;
    private static URI httpBase;

    private final List<WebrtcbinPeer> webrtcbins = new ArrayList<>();
    private final List<ChromiumPeer> browsers = new ArrayList<>();

    /** Runs before {@code @AfterEach}, while the peers are still up. */
    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted(); // a @Timeout interrupt would otherwise abort the dump's WebDriver calls
            System.out.println("##### " + context.getDisplayName() + " failed: "
                    + context.getExecutionException().get() + " - diagnostics follow");
            for (WebrtcbinPeer peer : webrtcbins) {
                System.out.println("===== " + peer.label + " (webrtcbin): " + peer);
                System.out.print(peer.diagnostics());
            }
            for (ChromiumPeer peer : browsers) {
                peer.dumpDiagnostics();
            }
        }
    };

    @BeforeAll
    static void startRelay() throws Exception {
        assumeTrue(WebrtcbinPeer.installed(), "skipped: GStreamer webrtcbin is not usable from " + WebrtcbinPeer.PYTHON
                + " (apt-get install -y gstreamer1.0-plugins-bad gstreamer1.0-plugins-good gstreamer1.0-nice"
                + " gir1.2-gst-plugins-bad-1.0 python3-gi)");
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
    void closePeers() {
        for (WebrtcbinPeer peer : webrtcbins) {
            peer.close();
        }
        webrtcbins.clear();
        for (ChromiumPeer peer : browsers) {
            peer.close();
        }
        browsers.clear();
    }

    @Test
    void shouldLetChromiumDecodeWhatWebrtcbinPublishes() throws Exception {
        String room = Relays.uniqueRoom("gst-pub");
        WebrtcbinPeer gst = webrtcbin(room, "gst-publisher", WebrtcbinPeer.Role.PUBLISH);
        gst.awaitConnected(CONNECTED);

        ChromiumPeer viewer = chromium(room, "viewer");
        viewer.awaitReady(READY);
        String id = gst.participantId();
        // From stats, not the page's first-frame event: its loadeddata also fires on audio alone.
        PeerStats first = viewer.awaitStats("a first decoded video frame from webrtcbin (" + id + ")", MEDIA,
                s -> s.framesDecodedFrom(id) > 0);
        PeerStats stats = viewer.awaitStats(
                "more than " + ENOUGH_FRAMES + " decoded video frames and audio packets from webrtcbin (" + id + ")",
                MEDIA,
                s -> s.framesDecodedFrom(id) > ENOUGH_FRAMES && s.audioPacketsFrom(id) > 0);
        System.out.printf("webrtcbin -> chromium: webrtcbin connected %d ms after its join; chromium (joined later)"
                        + " decoding its video %d ms after its join (stats poll, 200 ms granularity); %s%n",
                gst.connectedMs(), Math.round(first.sinceJoinMs()), stats);
    }

    @Test
    void shouldLetWebrtcbinDecodeWhatChromiumPublishes() throws Exception {
        String room = Relays.uniqueRoom("gst-sub");
        ChromiumPeer publisher = chromium(room, "publisher");
        publisher.awaitReady(READY);

        WebrtcbinPeer gst = webrtcbin(room, "gst-subscriber", WebrtcbinPeer.Role.SUBSCRIBE);
        gst.awaitConnected(CONNECTED);
        gst.awaitDecoded(ENOUGH_FRAMES, MEDIA);
        System.out.printf("chromium -> webrtcbin: webrtcbin (joined later) connected %d ms, first video frame decoded"
                        + " %d ms, first audio buffer decoded %d ms after its join; %s%n",
                gst.connectedMs(), gst.firstVideoMs(), gst.firstAudioMs(), gst);
    }

    /**
     * libnice, as GStreamer 1.22 configures it, implements RFC 8445 but not RFC 7675: once ICE has
     * completed it keeps the pair alive with STUN Binding Indications every 25 s (RFC 8445 §11),
     * not Binding requests. A subscriber sends the relay nothing else but SRTCP (receiver
     * reports every few seconds, RFC 3550 §6.2), which must count as proof of a live path, or it
     * is taken for a peer whose path has died ({@code ice_failed}, docs/signaling.md "Errors").
     */
    @Test
    void shouldKeepWebrtcbinPastTheIceTimeout() throws Exception {
        // Above the longest gap between webrtcbin's receiver reports (5 s minimum interval,
        // randomized to at most 1.5 times that, RFC 3550 §6.3.1).
        Duration iceTimeout = Duration.ofSeconds(8);
        RelayServer shortTimeout = RelayServer.start(Relays.loopbackConfig().withIceTimeout(iceTimeout));
        try {
            String room = Relays.uniqueRoom("gst-consent");
            ChromiumPeer publisher = ChromiumPeer.launch("consent-publisher");
            browsers.add(publisher);
            publisher.open(Relays.httpBase(shortTimeout), room);
            publisher.awaitReady(READY);
            WebrtcbinPeer gst = WebrtcbinPeer.join(Relays.webSocket(shortTimeout), room, "gst-consent",
                    WebrtcbinPeer.Role.SUBSCRIBE);
            webrtcbins.add(gst);
            gst.awaitDecoded(ENOUGH_FRAMES, MEDIA);
            // Its last Binding request was before it connected; the ConsentMonitor checks every
            // timeout/6, so 3 s past the timeout from here it has long decided.
            Duration quiet = iceTimeout.plusSeconds(3);
            BrowserPeer.sleep(quiet);
            // Still decoding: 10 more frames within 5 s (a second of 30 fps video even on a loaded
            // machine; 30 in 3 s was too tight on 2 cores). A removed subscriber decodes none at all:
            // its Transport is closed, and the relay's ice_failed error fails this wait at once.
            long frames = gst.videoFrames();
            gst.awaitDecoded((int) frames + STILL_DECODING_FRAMES, Duration.ofSeconds(5));
            System.out.printf("webrtcbin still decoding more than %d s after it connected (ICE timeout %d s): %s%n",
                    quiet.toSeconds(), iceTimeout.toSeconds(), gst);
        } finally {
            closePeers();
            shortTimeout.close();
        }
    }

    private WebrtcbinPeer webrtcbin(String room, String label, WebrtcbinPeer.Role role) throws Exception {
        WebrtcbinPeer peer = WebrtcbinPeer.join(Relays.webSocket(relay), room, label, role);
        webrtcbins.add(peer);
        return peer;
    }

    private ChromiumPeer chromium(String room, String label) throws IOException {
        ChromiumPeer peer = ChromiumPeer.launch(label);
        browsers.add(peer);
        peer.open(httpBase, room);
        return peer;
    }
}
