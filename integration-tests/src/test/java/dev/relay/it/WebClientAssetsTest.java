package dev.relay.it;

import dev.relay.signaling.RelayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay serves the web client with types a browser accepts. The MIME type matters: Chromium
 * refuses to run {@code <script type="module">} served as anything but JavaScript, and the page
 * would then sit at "loading" without an error on the page.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebClientAssetsTest {

    private static RelayServer relay;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = Relays.startLoopback();
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "/,              text/html,       client.js",
            "/?room=r1,      text/html,       client.js",
            "/client.js,     text/javascript, window.relay",
            "/style.css,     text/css,        .tile",
            "/errors.js,     text/javascript, describeError",
            "/joinscreen.js, text/javascript, JoinScreen",
            "/publisher.js,  text/javascript, Publisher",
            "/quality.js,    text/javascript, assess",
            "/recovery.js,   text/javascript, IceRestartPolicy",
            "/sdp.js,        text/javascript, tracksByMid",
            "/signaling.js,  text/javascript, SignalingSocket",
            "/stats.js,      text/javascript, summarize",
            "/tiles.js,      text/javascript, TileGrid",
    })
    void shouldServeWebClient(String path, String mimeType, String snippet) throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder()
                // As a browser asks over plain http: no h2c upgrade offer.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(Relays.httpBase(relay).resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "GET " + path);
        String contentType = response.headers().firstValue("content-type").orElse("");
        boolean javascriptAlias = mimeType.equals("text/javascript") && contentType.startsWith("application/javascript");
        assertTrue(contentType.startsWith(mimeType) || javascriptAlias, "Content-Type of " + path + ": " + contentType);
        assertTrue(response.body().contains(snippet), path + " contains " + snippet);
    }
}
