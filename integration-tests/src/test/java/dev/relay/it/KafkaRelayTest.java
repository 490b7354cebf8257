package dev.relay.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.RelayServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a test of session events through a real broker holds: the broker, the relay, its bare
 * signaling clients and a directory, all closed after each test.
 */
abstract class KafkaRelayTest {
    /** How long a signaling reply may take; generous, a loaded CI machine is slow to connect. */
    static final Duration REPLY = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> KAFKA = Map.of("sink", "kafka");

    @TempDir
    Path dir;

    KafkaBroker kafka;
    RelayServer relay;
    final List<SignalingClient> clients = new ArrayList<>();

    /** A bare signaling client joined to {@code room} at {@code ws}, closed after the test. */
    SignalingClient join(URI ws, String room) throws Exception {
        SignalingClient client = SignalingClient.connect(ws, REPLY);
        clients.add(client);
        client.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        client.next(m -> m.get("type").asText().equals("joined"), "joined", REPLY);
        return client;
    }

    static void leave(SignalingClient client) throws Exception {
        client.send("{\"type\":\"leave\"}");
        client.next(m -> m.get("type").asText().equals("left"), "left", REPLY);
    }

    @AfterEach
    void tearDown() throws Exception {
        clients.forEach(SignalingClient::close);
        if (relay != null) {
            relay.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
