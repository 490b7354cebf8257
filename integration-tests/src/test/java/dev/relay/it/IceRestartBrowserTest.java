package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.RelayServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call survives its network going away for a while (docs/signaling.md "ICE restart"): the
 * participant in its own namespace loses its only link for {@link #OUTAGE}; when the link is
 * back, its web client restarts ICE on both PeerConnections (a new publish offer with new
 * credentials, {@code restartIce} for the subscribe side), the relay answers with new credentials
 * on the same Transports, and media flows both ways again, with the same participantId (no
 * rejoin).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class IceRestartBrowserTest extends NamespaceChromiumTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(30);
    /** Longer than Chromium takes to call the path disconnected (~5 s) plus the client's 2 s grace. */
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    /** After the link is back: a restart retry (every 5 s) and its checks, with a margin for a loaded machine. */
    private static final Duration RECOVERY = Duration.ofSeconds(40);

    @Test
    void shouldRecoverByIceRestartAfterThePathIsCut() throws Exception {
        try (RelayServer relay = RelayServer.start(namespaceRelayConfig())) {
            Call call = call(relay, "restart", List.of(), READY, MEDIA);
            ChromiumPeer anchor = call.host();
            ChromiumPeer roamer = call.inside();
            String a = call.hostId();
            String r = call.insideId();

            ns.setPeerLinkUp(false);
            long cut = System.nanoTime();
            try {
                // The roamer cannot be driven while its link is down: watch from the anchor.
                long frames = anchor.stats().framesDecodedFrom(r);
                // The anchor's tile for the roamer shows the connection lost while the link is down.
                boolean lostShown = false;
                while (System.nanoTime() - cut < OUTAGE.toNanos()) {
                    lostShown |= "lost".equals(qualityAt(anchor, r));
                    BrowserPeer.sleep(BrowserPeer.POLL_INTERVAL);
                }
                assertTrue(lostShown, "the roamer's tile shows its connection lost during the cut");
                long during = anchor.stats().framesDecodedFrom(r);
                System.out.printf("ice restart: link down %d ms; anchor decoded %d -> %d frames of the roamer%n",
                        (System.nanoTime() - cut) / 1_000_000, frames, during);
                assertTrue(during - frames < 60, "the cut stops the roamer's video: " + frames + " -> " + during);
            } finally {
                ns.setPeerLinkUp(true);
            }
            long up = System.nanoTime();
            long fromRoamer = anchor.stats().framesDecodedFrom(r);
            anchor.awaitStats("the roamer's video again after the link is back", RECOVERY,
                    s -> s.framesDecodedFrom(r) > fromRoamer + 30);
            long anchorBack = System.nanoTime();
            long fromAnchor = roamer.stats().framesDecodedFrom(a);
            roamer.awaitStats("the anchor's video again at the roamer", RECOVERY,
                    s -> s.bothConnected() && s.framesDecodedFrom(a) > fromAnchor + 30);
            System.out.printf("ice restart: roamer's video back at the anchor %d ms after the link came up, "
                    + "anchor's video at the roamer %d ms%n", (anchorBack - up) / 1_000_000,
                    (System.nanoTime() - up) / 1_000_000);

            long deadline = System.nanoTime() + RECOVERY.toNanos();
            while (!List.of("good", "fair").contains(qualityAt(anchor, r)) && System.nanoTime() < deadline) {
                BrowserPeer.sleep(BrowserPeer.POLL_INTERVAL);
            }
            assertTrue(List.of("good", "fair").contains(qualityAt(anchor, r)),
                    "the roamer's tile shows a working connection again: " + qualityAt(anchor, r));

            List<Map<String, Object>> restarts = roamer.logEntries("ice-restart");
            List<Map<String, Object>> restarted = roamer.logEntries("ice-restarted");
            System.out.println("ice restart: restarts " + restarts + "; recovered " + restarted);
            assertTrue(restarts.stream().anyMatch(e -> "publish".equals(e.get("pc"))), "the publish side restarted");
            assertTrue(restarts.stream().anyMatch(e -> "subscribe".equals(e.get("pc"))), "the subscribe side restarted");
            assertTrue(restarted.stream().anyMatch(e -> "publish".equals(e.get("pc")))
                    && restarted.stream().anyMatch(e -> "subscribe".equals(e.get("pc"))),
                    "both came back connected after a restart: " + restarted);
            assertFalse(roamer.logEntries("publish-offer").stream()
                    .noneMatch(e -> Boolean.TRUE.equals(e.get("iceRestart"))), "a publish offer with iceRestart");
            assertEquals(r, roamer.script("return window.relay.participantId;"), "recovered in place, not by rejoining");
            assertTrue(roamer.logEntries("rejoin-scheduled").isEmpty(), "no rejoin");
            // The relay's side: new credentials on both of the roamer's Transports.
            for (String pc : List.of("publish", "subscribe")) {
                double n = Scrape.value(relay, "relay_ice_restarts_total", Map.of("pc", pc));
                assertTrue(n >= 1, pc + " ICE restarts counted by the relay: " + n);
            }
        }
    }

    /** The connection-quality level the page shows on a participant's tile (quality.js), or null. */
    private static String qualityAt(ChromiumPeer peer, String participantId) {
        return (String) peer.script("const q = window.relay.quality()[arguments[0]]; return q ? q.level : null;",
                participantId);
    }
}
