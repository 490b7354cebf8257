package dev.relay.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One participant: a browser process of its own running the relay's web client, driven through
 * {@code window.relay} (signaling/src/main/resources/web/client.js). {@link ChromiumPeer} drives
 * Chromium through chromedriver, {@link FirefoxPeer} drives Firefox over WebDriver BiDi; a test
 * that only joins, waits and reads stats treats both alike.
 */
interface BrowserPeer extends AutoCloseable {

    Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** The display name the page joins with; also names the browser in failure messages. */
    String label();

    /** Opens the web client, which joins {@code room} on load. */
    void open(URI httpBase, String room);

    /** Waits for {@code window.relay.ready} (publish answer applied) and returns our participantId. */
    String awaitReady(Duration timeout);

    /** Our participantId, once {@link #awaitReady} returned; null before. */
    String participantId();

    /** {@code window.relay.stats()} with {@code sinceJoinMs}. */
    PeerStats stats();

    /** participantIds of the remote tiles on the page ({@code window.relay.tiles()}). */
    List<String> tiles();

    /** The page's {@code window.relay.log} entries named {@code event}, each a Map of its fields. */
    List<Map<String, Object>> logEntries(String event);

    /** The page's status line, for failure messages. */
    String statusLine();

    /** Writes the browser console, {@code window.relay.log} and a last stats snapshot to stdout. */
    void dumpDiagnostics();

    /** Saves what the page shows as {@code dir/<name>-<label>.png}; returns the file. */
    Path saveScreenshot(Path dir, String name) throws IOException;

    /** Ends the browser process and deletes its profile. */
    @Override
    void close();

    /**
     * Polls {@link #stats()} until {@code condition} holds; fails with the last snapshot if it
     * does not within {@code timeout}.
     */
    default PeerStats awaitStats(String what, Duration timeout, Predicate<PeerStats> condition) {
        Instant deadline = Instant.now().plus(timeout);
        PeerStats last = null;
        while (true) {
            last = stats();
            if (condition.test(last)) {
                return last;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(label() + ": " + what + " not reached within " + timeout.toMillis()
                        + " ms; last stats: " + last + "; status line: " + statusLine());
            }
            sleep(POLL_INTERVAL);
        }
    }

    /** Polls {@link #tiles()} until {@code condition} holds. */
    default List<String> awaitTiles(String what, Duration timeout, Predicate<List<String>> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<String> tiles = tiles();
            if (condition.test(tiles)) {
                return tiles;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(label() + ": " + what + " not reached within " + timeout.toMillis()
                        + " ms; tiles: " + tiles + "; status line: " + statusLine());
            }
            sleep(POLL_INTERVAL);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
