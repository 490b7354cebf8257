package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.signaling.RelayServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Chromium publisher sending its 1280x720 camera as three simulcast layers (the web client's
 * {@code ?simulcast=1}: rids q, h, f at 1/4, 1/2 and full size, RFC 8853): the relay takes the
 * offer, binds each layer by its rid, and a viewer decodes the video.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulcastBrowserTest {
    private static final Duration READY = Duration.ofSeconds(20);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final int ENOUGH_FRAMES = 30;

    private static RelayServer relay;
    private static URI httpBase;

    private final List<ChromiumPeer> peers = new ArrayList<>();

    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted();
            System.out.println("##### " + context.getDisplayName() + " failed - browser diagnostics follow");
            peers.forEach(ChromiumPeer::dumpDiagnostics);
        }
    };

    @BeforeAll
    static void startRelay() throws Exception {
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
        peers.forEach(ChromiumPeer::close);
        peers.clear();
    }

    @Test
    void shouldTakeASimulcastPublisherAndLetAViewerDecodeIt() throws IOException {
        String room = Relays.uniqueRoom("simulcast");
        ChromiumPeer publisher = ChromiumPeer.launch("publisher");
        peers.add(publisher);
        ChromiumPeer viewer = ChromiumPeer.launch("viewer");
        peers.add(viewer);
        publisher.openWith(httpBase, room, "simulcast=1");
        publisher.awaitReady(READY);
        assertTrue(publisher.logEntries("publish-rejected").isEmpty(),
                "the relay takes the simulcast video: " + publisher.logEntries("publish-rejected"));
        PeerStats sending = publisher.awaitStats("the q layer sending", MEDIA, s -> s.layersSending().contains("q"));

        viewer.open(httpBase, room);
        viewer.awaitReady(READY);
        String from = publisher.participantId();
        PeerStats seen = viewer.awaitStats("more than " + ENOUGH_FRAMES + " decoded frames of the simulcast video",
                MEDIA, s -> s.framesDecodedFrom(from) > ENOUGH_FRAMES && s.audioPacketsFrom(from) > 0);
        long width = seen.videoWidthFrom(from);
        System.out.printf("simulcast: publisher sending layers %s; viewer decodes %d px wide, %d frames%n",
                sending.layersSending(), width, seen.framesDecodedFrom(from));
        assertTrue(width > 0 && width <= 320, "the lowest layer (1280 / 4) reaches the viewer: " + width + " px");
    }
}
