package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.codecs.stun.StunMessageWriter;
import dev.relay.signaling.RelayServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator sees on {@code /metrics} when peers send garbage: junk UDP, STUN with a bad
 * MESSAGE-INTEGRITY and malformed signaling are dropped, counted by reason, and the relay keeps
 * serving (a join still works afterwards). Scraped over HTTP like Prometheus does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadInputCountedTest {
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

    @Test
    void shouldDropAndCountJunkUdpBadStunAndBadJson() throws Exception {
        double junkBefore = scrape("relay_packets_dropped_total\\{reason=\"unknown_kind\"}");
        double stunBefore = scrape("relay_packets_dropped_total\\{reason=\"stun_unknown_username\"}");
        double jsonBefore = scrape("relay_signaling_rejected_total");

        try (DatagramChannel udp = DatagramChannel.open()) {
            udp.connect(new InetSocketAddress("127.0.0.1", relay.mediaPort()));
            for (int i = 0; i < 5; i++) {
                udp.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0x00, 0x13, 0x37, 1, 2, 3, 4}));
            }
            byte[] stun = new byte[256];
            int len = new StunMessageWriter().writeBindingRequest(stun, 0,
                    "abcdefghijkl".getBytes(StandardCharsets.US_ASCII), "nosuchufrag:peer",
                    "wrong-password".getBytes(StandardCharsets.US_ASCII), 1, true, 1, true);
            udp.write(ByteBuffer.wrap(stun, 0, len));
        }
        try (SignalingClient client = SignalingClient.connect(Relays.webSocket(relay), Duration.ofSeconds(5))) {
            client.send("{\"type\":");
            assertEquals("bad_json", client.next(Duration.ofSeconds(5)).path("code").asText());
            client.send("{\"type\":\"join\",\"room\":\"" + Relays.uniqueRoom("counted") + "\"}");
            JsonNode joined = client.next(Duration.ofSeconds(5));
            assertEquals("joined", joined.path("type").asText(), "the relay still serves: " + joined);
        }

        // The datagrams are counted on the relay's own threads, in no particular order with this
        // thread's scrapes: wait for every counter to get there (or 5 s), then check exact counts.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((scrape("relay_packets_dropped_total\\{reason=\"unknown_kind\"}") < junkBefore + 5
                || scrape("relay_packets_dropped_total\\{reason=\"stun_unknown_username\"}") < stunBefore + 1
                || scrape("relay_signaling_rejected_total") < jsonBefore + 1)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(junkBefore + 5, scrape("relay_packets_dropped_total\\{reason=\"unknown_kind\"}"));
        assertEquals(stunBefore + 1, scrape("relay_packets_dropped_total\\{reason=\"stun_unknown_username\"}"));
        assertTrue(scrape("relay_signaling_rejected_total") >= jsonBefore + 1);
    }

    private static double scrape(String seriesRegex) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(Relays.httpBase(relay) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        Matcher m = Pattern.compile("(?m)^" + seriesRegex + "\\s+([0-9.eE+-]+)$").matcher(response.body());
        assertTrue(m.find(), "series " + seriesRegex + " in /metrics");
        return Double.parseDouble(m.group(1));
    }
}
