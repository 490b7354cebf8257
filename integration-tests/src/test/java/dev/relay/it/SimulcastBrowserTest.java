package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration LAYERS = Duration.ofSeconds(10);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final int ENOUGH_FRAMES = 30;
    /**
     * Freezing tolerated across the two switches. Three Chromiums encoding (one of them three
     * layers) on 2 cores manage about 12 fps, and Chromium's own freeze detector then fires
     * whatever the relay does: measured 0, 0, 0.29, 0.55 and 1.20 s with a correct relay. A relay
     * that switched layers at a delta frame instead of a keyframe froze the high viewer 4.5 s
     * (three freezes, one keyframe request from its decoder per switch) in one run of two.
     */
    private static final double MAX_FROZEN_SECONDS = 2.0;

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
        TopLayer top = new TopLayer(publisher, low, from);
        PeerStats atHigh = top.await(high, "the high layer decoded", s -> s.framesDecodedFrom(from) > ENOUGH_FRAMES);
        System.out.printf("simulcast: low viewer %d px, high viewer %d px (%s)%n", atLow.videoWidthFrom(from),
                atHigh.videoWidthFrom(from), top);

        // The high viewer goes down and back up mid-call: frames keep coming, no long freeze.
        // Chromium's own freeze detector (a gap over max(3 frame intervals, 1 interval + 150 ms))
        // may fire on a CPU-starved CI machine whatever the relay does, so some freezing is
        // tolerated (MAX_FROZEN_SECONDS).
        high.setQuality(from, "low");
        PeerStats down = high.awaitStats("switched down to the low layer", MEDIA,
                s -> s.videoWidthFrom(from) > 0 && s.videoWidthFrom(from) <= 320);
        high.setQuality(from, "high");
        PeerStats up = top.await(high, "switched back up to the high layer",
                s -> s.framesDecodedFrom(from) > down.framesDecodedFrom(from) + 30);
        double frozen = freezeSeconds(up, from) - freezeSeconds(atHigh, from);
        System.out.printf("simulcast: high -> low -> high, frames %d -> %d -> %d, freezes %d -> %d (%.3f s frozen)%n",
                atHigh.framesDecodedFrom(from), down.framesDecodedFrom(from), up.framesDecodedFrom(from),
                freezes(atHigh, from), freezes(up, from), frozen);
        assertTrue(down.framesDecodedFrom(from) > atHigh.framesDecodedFrom(from),
                "frames decoded across the switch down");
        assertTrue(up.framesDecodedFrom(from) > down.framesDecodedFrom(from), "frames decoded across the switch up");
        assertTrue(frozen < MAX_FROZEN_SECONDS, "frozen for " + frozen + " s across the two switches");
    }

    /**
     * The high viewer's picture is the publisher's top layer: as wide as the widest layer the
     * publisher is encoding at that moment, and wider than the low viewer's, which is still at most
     * 320 px. With a 1280x720 camera that layer is 1280 px wide unless Chromium's CPU or bandwidth
     * adaptation scaled it down or paused it; the viewer must then show what is sent (at least
     * 1280 px whenever the widest layer is), so a relay that forwards a lower layer than asked
     * for still fails.
     */
    private static final class TopLayer {
        /**
         * A layer counts as sent if it encoded a frame within this long: more than a few frame
         * intervals even at the 12 fps a loaded 2-core machine manages, so an encoder that skips a
         * frame or two for rate control does not hide its layer, and a paused layer stops counting.
         */
        private static final long WINDOW_NANOS = 1_000_000_000L;

        private final ChromiumPeer publisher;
        private final ChromiumPeer low;
        private final String from;
        /** The publisher's stats, oldest first: the newest at least WINDOW_NANOS old, and all since. */
        private final List<Snapshot> history = new ArrayList<>();
        private long widest;
        private long lowWidth;
        private String layers = "";

        TopLayer(ChromiumPeer publisher, ChromiumPeer low, String from) {
            this.publisher = publisher;
            this.low = low;
            this.from = from;
        }

        /** Polls {@code viewer} until it shows the top layer and {@code also} holds. */
        PeerStats await(ChromiumPeer viewer, String what, Predicate<PeerStats> also) {
            try {
                return viewer.awaitStats(what + " (as wide as the publisher's widest layer now sent, at least 1280 px"
                        + " if that one is, and wider than the low viewer's, at most 320 px)", MEDIA,
                        s -> shows(s) && also.test(s));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; " + this, e);
            }
        }

        private boolean shows(PeerStats viewer) {
            Snapshot current = new Snapshot(publisher.stats(), System.nanoTime());
            history.add(current);
            while (history.size() > 2 && current.nanos - history.get(1).nanos >= WINDOW_NANOS) {
                history.remove(0);
            }
            Snapshot oldest = history.get(0);
            widest = current.nanos - oldest.nanos >= WINDOW_NANOS
                    ? current.stats.widestVideoEncodedSince(oldest.stats) : 0; // 0: not a window of history yet
            layers = current.stats.layerWidths();
            lowWidth = low.stats().videoWidthFrom(from);
            long width = viewer.videoWidthFrom(from);
            return widest > 0 && width >= Math.min(1280, widest) && lowWidth > 0 && lowWidth <= 320
                    && width > lowWidth;
        }

        private record Snapshot(PeerStats stats, long nanos) {
        }

        @Override
        public String toString() {
            return "publisher's widest layer encoding " + widest + " px, low viewer " + lowWidth + " px; publisher's "
                    + "layers: " + layers;
        }
    }

    private static double freezeSeconds(PeerStats stats, String from) {
        return stats.inbound().stream().filter(i -> i.kind().equals("video") && i.participantId().equals(from))
                .mapToDouble(PeerStats.Inbound::totalFreezesDuration).sum();
    }

    private static long freezes(PeerStats stats, String from) {
        return stats.inbound().stream().filter(i -> i.kind().equals("video") && i.participantId().equals(from))
                .mapToLong(PeerStats.Inbound::freezeCount).sum();
    }
}
