package dev.relay.it;

import dev.relay.signaling.AccessConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.auth.ApiKeys;
import dev.relay.signaling.auth.TokenIssuer;
import dev.relay.signaling.auth.VideoGrant;
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
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web client on a relay with an API key, in Debian's Chromium: {@code /?token=JWT} alone
 * joins the token's room (the page passes the token as {@code access_token}); a subscribe-only
 * token watches without asking for the camera; a refused token is explained on the page.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrowserTokenTest {

    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final int ENOUGH_FRAMES = 30;
    private static final String KEY = "APIbrowser";
    private static final ApiKeys KEYS = ApiKeys.of(KEY, "browser-test-secret-0123456789abcdefghij");

    private static RelayServer relay;
    private static URI httpBase;

    private final List<ChromiumPeer> peers = new ArrayList<>();

    @BeforeAll
    static void startRelay() throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(),
                "skipped: " + ChromiumPeer.CHROMIUM + " is not installed (apt-get install -y chromium chromium-driver)");
        relay = Relays.startLoopback(AccessConfig.defaults().withKeys(KEYS));
        httpBase = Relays.httpBase(relay);
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    /** Runs before {@code @AfterEach}, while the browsers are still open. */
    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted(); // a @Timeout interrupt would otherwise abort the dump's WebDriver calls
            peers.forEach(ChromiumPeer::dumpDiagnostics);
        }
    };

    @AfterEach
    void closeBrowsers() {
        for (ChromiumPeer peer : peers) {
            peer.close();
        }
        peers.clear();
    }

    private static String token(InstantSource clock, String room, String identity, boolean canPublish) {
        return TokenIssuer.forKey(KEYS, KEY, clock).issue(identity, identity.toUpperCase(),
                new VideoGrant(room, true, canPublish, true, true, false), Duration.ofMinutes(10));
    }

    @Test
    void shouldJoinWithTokenFromUrlAndWatchWithSubscribeOnlyToken() throws IOException {
        String room = Relays.uniqueRoom("token");
        ChromiumPeer publisher = ChromiumPeer.launch("publisher");
        peers.add(publisher);
        publisher.openWithToken(httpBase, token(InstantSource.system(), room, "pub", true));
        String p = publisher.awaitReady(READY);

        ChromiumPeer viewer = ChromiumPeer.launch("viewer");
        peers.add(viewer);
        viewer.openWithToken(httpBase, token(InstantSource.system(), room, "viewer", false));
        String v = viewer.awaitReady(READY);

        viewer.awaitStats("more than " + ENOUGH_FRAMES + " decoded video frames from the publisher", MEDIA,
                s -> s.framesDecodedFrom(p) > ENOUGH_FRAMES);
        assertEquals(List.of(p), viewer.tiles(), "the viewer shows the publisher");
        assertTrue(viewer.stats().outbound().isEmpty(), "the viewer sends nothing");
        assertFalse(viewer.logEntries("watch-only").isEmpty(), "the page knew not to publish");
        assertTrue(viewer.statusLine().contains("watching"), viewer.statusLine());
        // The room came from the token alone; the page still names it on /ws, the key a load
        // balancer hashes on to send a room to one relay (docs/operations.md "Scaling and room affinity").
        String ws = String.valueOf(viewer.logEntries("ws-connecting").get(0).get("url"));
        assertTrue(ws.contains("room=" + room), ws);
        publisher.awaitTiles("a tile for the viewer", READY, tiles -> tiles.contains(v));

        // The same browser with an expired token: the page says why it may not join.
        Instant anHourAgo = Instant.now().minusSeconds(3600);
        viewer.openWithToken(httpBase, token(() -> anHourAgo, room, "viewer", false));
        long deadline = System.nanoTime() + READY.toNanos();
        while (!viewer.statusLine().contains("expired")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page does not say the token expired: " + viewer.statusLine());
            }
            ChromiumPeer.sleep(Duration.ofMillis(200));
        }
        assertTrue(viewer.statusLine().contains("not allowed in"), viewer.statusLine());
    }
}
