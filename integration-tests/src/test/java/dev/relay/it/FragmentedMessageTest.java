package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.RelayServer;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A signaling message split over several WebSocket frames (RFC 6455 §5.4; Java's client splits
 * at 16 KiB, a big meeting's SDP is larger) is handled as one message.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FragmentedMessageTest {
    @Test
    void shouldReassembleMessageSentInSeveralFrames() throws Exception {
        try (RelayServer relay = Relays.startLoopback()) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            StringBuilder text = new StringBuilder();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(Relays.webSocket(relay), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                reply.complete(text.toString());
                            }
                            socket.request(1);
                            return null;
                        }
                    }).get(5, TimeUnit.SECONDS);
            String room = Relays.uniqueRoom("fragments");
            String padding = "x".repeat(40_000);
            ws.sendText("{\"type\":\"join\",\"room\":\"" + room + "\",", false).get(5, TimeUnit.SECONDS);
            ws.sendText("\"name\":\"frag\",\"padding\":\"" + padding + "\"}", true).get(5, TimeUnit.SECONDS);
            JsonNode joined = new ObjectMapper().readTree(reply.get(5, TimeUnit.SECONDS));
            assertEquals("joined", joined.path("type").asText(), "one message in two frames: " + joined);
            ws.abort();
        }
    }
}
