package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.signaling.AccessConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.auth.ApiKeys;
import dev.relay.signaling.auth.TokenIssuer;
import dev.relay.signaling.auth.VideoGrant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay started with an API key, over a real WebSocket (java.net.http) and real HTTP
 * (docs/signaling.md "Authentication"): what it refuses, with which {@code reason}, that the
 * socket is then closed (1008), that grants hold, that a foreign {@code Origin} gets 403, and
 * that {@code /metrics} moved to the metrics port and counts the refusals by reason.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AccessTokensTest {

    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final String KEY = "APIit";
    private static final String SECRET = "integration-test-secret-0123456789abcdef";
    private static final ApiKeys KEYS = ApiKeys.of(KEY, SECRET);

    private static RelayServer relay;
    private static URI ws;
    private static HttpClient http;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = Relays.startLoopback(AccessConfig.defaults().withKeys(KEYS).withMetricsPort(0));
        ws = Relays.webSocket(relay);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(REPLY).build();
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    private static String token(String room, VideoGrant grant, Duration ttl) {
        return TokenIssuer.forKey(KEYS, KEY, InstantSource.system()).issue("id-" + room, "Name " + room,
                new VideoGrant(room, grant.roomJoin(), grant.canPublish(), grant.canSubscribe(),
                        grant.canPublishData(), grant.hidden()), ttl);
    }

    private static String token(String room) {
        return token(room, VideoGrant.unrestricted(room), Duration.ofMinutes(5));
    }

    private static URI withToken(String token) {
        return URI.create(ws + "?access_token=" + token);
    }

    /** The relay's unauthorized error arrives first, then its 1008 close. */
    private static void assertRefusedAndClosed(SignalingClient client, String reason) throws Exception {
        JsonNode error = client.next(n -> n.path("type").asText().equals("error"), "an error", REPLY);
        assertEquals("unauthorized", error.path("code").asText(), error.toString());
        assertEquals(reason, error.path("reason").asText(), error.toString());
        assertFalse(error.path("message").asText().isEmpty(), error.toString());
        assertFalse(error.toString().contains(SECRET), "no secret in " + error);
        assertEquals(1008, client.awaitClose(REPLY), "closed with policy violation");
    }

    @Test
    void shouldRefuseUpgradeWithoutTokenAndClose() throws Exception {
        try (SignalingClient client = SignalingClient.connect(ws, REPLY)) {
            assertRefusedAndClosed(client, "missing");
        }
    }

    @Test
    void shouldRefuseTokenSignedWithAnotherSecret() throws Exception {
        String forged = TokenIssuer.forKey(ApiKeys.of(KEY, "not-the-relays-secret-0123456789abcdef"), KEY,
                InstantSource.system()).issue("mallory", null, VideoGrant.unrestricted("r"), Duration.ofMinutes(5));
        try (SignalingClient client = SignalingClient.connect(withToken(forged), REPLY)) {
            assertRefusedAndClosed(client, "bad_signature");
        }
    }

    @Test
    void shouldRefuseExpiredToken() throws Exception {
        Instant anHourAgo = Instant.now().minusSeconds(3600);
        String expired = TokenIssuer.forKey(KEYS, KEY, () -> anHourAgo).issue("late", null,
                VideoGrant.unrestricted("r"), Duration.ofMinutes(5));
        try (SignalingClient client = SignalingClient.connect(withToken(expired), REPLY)) {
            assertRefusedAndClosed(client, "expired");
        }
    }

    @Test
    void shouldRefuseOversizedTokenWithReason() throws Exception {
        try (SignalingClient client = SignalingClient.connect(withToken("e".repeat(5000)), REPLY)) {
            assertRefusedAndClosed(client, "oversized");
        }
    }

    @Test
    void shouldRefuseJoinToAnotherRoomAndClose() throws Exception {
        String room = Relays.uniqueRoom("tok");
        try (SignalingClient client = SignalingClient.connect(withToken(token(room)), REPLY)) {
            client.send("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "-other\"}");
            assertRefusedAndClosed(client, "wrong_room");
        }
    }

    @Test
    void shouldJoinWithValidTokenUnderItsName() throws Exception {
        String room = Relays.uniqueRoom("tok");
        try (SignalingClient client = SignalingClient.connect(withToken(token(room)), REPLY)) {
            client.send("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "\",\"name\":\"someone else\"}");
            JsonNode joined = client.next(REPLY);
            assertEquals("joined", joined.path("type").asText(), joined.toString());
            assertTrue(joined.path("permissions").path("canPublish").asBoolean(), joined.toString());
        }
        // The name others see is the token's: a second participant is told about the first.
        String room2 = Relays.uniqueRoom("tok");
        try (SignalingClient first = SignalingClient.connect(withToken(token(room2)), REPLY);
             SignalingClient second = SignalingClient.connect(ws, REPLY,
                     Map.of("Authorization", "Bearer " + token(room2)))) {
            first.send("{\"type\":\"join\",\"room\":\"" + room2 + "\",\"name\":\"spoofed\"}");
            first.next(n -> n.path("type").asText().equals("joined"), "joined", REPLY);
            second.send("{\"type\":\"join\",\"room\":\"" + room2 + "\"}");
            JsonNode joined = second.next(n -> n.path("type").asText().equals("joined"), "joined", REPLY);
            assertEquals("Name " + room2, joined.path("participants").path(0).path("name").asText(), joined.toString());
        }
    }

    @Test
    void shouldRefusePublishOfSubscribeOnlyToken() throws Exception {
        String room = Relays.uniqueRoom("viewer");
        String viewer = token(room, new VideoGrant(room, true, false, true, true, false), Duration.ofMinutes(5));
        try (SignalingClient client = SignalingClient.connect(withToken(viewer), REPLY)) {
            client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            JsonNode joined = client.next(REPLY);
            assertFalse(joined.path("permissions").path("canPublish").asBoolean(true), joined.toString());
            client.send("{\"type\":\"publish\",\"id\":2,\"sdp\":\"v=0\"}");
            JsonNode error = client.next(REPLY);
            assertEquals("forbidden", error.path("code").asText(), error.toString());
            assertEquals(2, error.path("id").asInt(), error.toString());
            client.send("{\"type\":\"ping\",\"id\":3}");
            assertEquals("pong", client.next(REPLY).path("type").asText(), "forbidden does not close the socket");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "null", "http://127.0.0.2:8080"})
    void shouldAnswerForeignOriginWith403(String origin) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> SignalingClient.connect(
                withToken(token("r")), REPLY, Map.of("Origin", origin)));
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(403, refused.getResponse().statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:3000", "https://127.0.0.1", "SAME"})
    void shouldAcceptLoopbackAndSameOrigin(String origin) throws Exception {
        String o = origin.equals("SAME") ? "http://127.0.0.1:" + relay.httpPort() : origin;
        String room = Relays.uniqueRoom("origin");
        try (SignalingClient client = SignalingClient.connect(withToken(token(room)), REPLY, Map.of("Origin", o))) {
            client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertEquals("joined", client.next(REPLY).path("type").asText());
        }
    }

    @Test
    void shouldServeMetricsOnTheMetricsPortOnly() throws Exception {
        try (SignalingClient client = SignalingClient.connect(ws, REPLY)) {
            assertRefusedAndClosed(client, "missing");
        }
        assertThrows(ExecutionException.class, () -> SignalingClient.connect(ws, REPLY, Map.of("Origin", "https://x.example")));

        HttpResponse<String> publicMetrics = get(relay.httpPort(), "/metrics");
        assertEquals(404, publicMetrics.statusCode(), "no /metrics on the public port");
        assertEquals(200, get(relay.httpPort(), "/healthz").statusCode(), "health stays on the public port");
        assertTrue(relay.metricsPort() != relay.httpPort());
        assertEquals(200, get(relay.metricsPort(), "/healthz").statusCode());
        assertEquals(404, get(relay.metricsPort(), "/").statusCode(), "no web client on the metrics port");
        HttpResponse<String> metrics = get(relay.metricsPort(), "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(counter(metrics.body(), "relay_auth_refused_total{reason=\"missing\"}") >= 1, metrics.body());
        assertTrue(counter(metrics.body(), "relay_origin_refused_total") >= 1, metrics.body());
        assertEquals(404, get(relay.metricsPort(), "/ws").statusCode(), "no signaling on the metrics port");
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(REPLY).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double counter(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + series + " in /metrics");
    }
}
