package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Chromium publisher sending its 1280x720 camera as three simulcast layers (the web client's
 * {@code ?simulcast=1}: rids q, h, f at 1/4, 1/2 and full size, RFC 8853). The relay binds each
 * layer by its rid, feeds transport-cc back so Chromium sends its upper layers, and gives each
 * viewer the layer it asks for (setSubscription), switching at keyframes without a freeze.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimulcastBrowserTest extends LoopbackChromiumTest {
    private static final Duration READY = Duration.ofSeconds(20);
    private static final Duration LAYERS = Duration.ofSeconds(10);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final int ENOUGH_FRAMES = 30;

    @Test
    void shouldGiveEachViewerTheLayerItAsksForAndSwitchWithoutFreezing() throws IOException {
        String room = Relays.uniqueRoom("simulcast");
        ChromiumPeer publisher = launch("publisher");
        ChromiumPeer low = launch("low");
        ChromiumPeer high = launch("high");
        publisher.openWith(httpBase, room, "simulcast=1");
        publisher.awaitReady(READY);
        assertTrue(publisher.logEntries("publish-rejected").isEmpty(),
                "the relay takes the simulcast video: " + publisher.logEntries("publish-rejected"));
        long publishedAt = System.nanoTime();
        PeerStats layers = publisher.awaitStats("at least 2 simulcast layers sending within " + LAYERS.toSeconds() + " s",
                LAYERS, s -> s.layersSending().size() >= 2);
        System.out.printf("simulcast: %s sending %d ms after ready%n", layers.layersSending(),
                (System.nanoTime() - publishedAt) / 1_000_000);

        low.openWith(httpBase, room, "quality=low");
        high.openWith(httpBase, room, "quality=high");
        low.awaitReady(READY);
        high.awaitReady(READY);
        String from = publisher.participantId();
        PeerStats atLow = low.awaitStats("the low layer decoded (at most 320 px wide)", MEDIA,
                s -> s.framesDecodedFrom(from) > ENOUGH_FRAMES && s.videoWidthFrom(from) > 0
                        && s.videoWidthFrom(from) <= 320);
        PeerStats atHigh = high.awaitStats("the high layer decoded (at least 1280 px wide)", MEDIA,
                s -> s.framesDecodedFrom(from) > ENOUGH_FRAMES && s.videoWidthFrom(from) >= 1280);
        System.out.printf("simulcast: low viewer %d px, high viewer %d px%n", atLow.videoWidthFrom(from),
                atHigh.videoWidthFrom(from));

        // The high viewer goes down and back up mid-call: frames keep coming, no freeze.
        long freezesBefore = freezes(atHigh, from);
        high.setQuality(from, "low");
        PeerStats down = high.awaitStats("switched down to the low layer", MEDIA,
                s -> s.videoWidthFrom(from) > 0 && s.videoWidthFrom(from) <= 320);
        high.setQuality(from, "high");
        PeerStats up = high.awaitStats("switched back up to the high layer", MEDIA,
                s -> s.videoWidthFrom(from) >= 1280 && s.framesDecodedFrom(from) > down.framesDecodedFrom(from) + 30);
        System.out.printf("simulcast: high -> low -> high, frames %d -> %d -> %d, freezes %d -> %d%n",
                atHigh.framesDecodedFrom(from), down.framesDecodedFrom(from), up.framesDecodedFrom(from),
                freezesBefore, freezes(up, from));
        assertEquals(freezesBefore, freezes(up, from), "no freeze across the two switches");
    }

    private static long freezes(PeerStats stats, String from) {
        return stats.inbound().stream().filter(i -> i.kind().equals("video") && i.participantId().equals(from))
                .mapToLong(PeerStats.Inbound::freezeCount).sum();
    }
}
