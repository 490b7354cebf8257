package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.turn.TurnConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A participant whose network lets through neither UDP nor a TCP connection to the relay's
 * media ports reaches it through a TURN server over TLS (Debian's coturn, the setup of
 * docs/operations.md "TURN over TLS"): the relay hands each participant credentials of its own,
 * valid for a while, in {@code joined}; both participants decode each other; getStats shows the
 * participant's path as a relay candidate over TLS; the relay counts those PeerConnections as
 * {@code turn}.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TurnTlsBrowserTest extends NamespaceChromiumTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(30);
    private static final String SECRET = "turn-shared-secret-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path dir;

    @Test
    void shouldCarryAParticipantThatReachesOnlyATurnServerOverTls() throws Exception {
        try (TurnServerProcess turn = TurnServerProcess.start(ns.hostAddress(), SECRET, dir);
             RelayServer relay = RelayServer.start(namespaceRelayConfig()
                     // No ICE-TCP: with UDP blocked, TURN is the only way in.
                     .withMediaTcpPort(RelayConfig.NO_TCP)
                     .withTurn(new TurnConfig(List.of(turn.tlsUrl()), SECRET, Duration.ofHours(1))))) {
            ns.setUdpBlocked(true);
            Call call;
            try {
                // coturn's certificate is self-signed here; a deployment's comes from a CA the browser trusts.
                call = call(relay, "turn-tls", List.of("--ignore-certificate-errors"), READY, MEDIA);
            } catch (AssertionError e) {
                System.out.println("turnserver log:\n" + turn.tail());
                throw e;
            }
            ChromiumPeer onUdp = call.host();
            ChromiumPeer viaTurn = call.inside();
            String t = call.insideId();
            String room = call.room();

            Map<String, Object> turnPaths = paths(viaTurn);
            System.out.println("turn-tls: selected paths: via-turn " + turnPaths + "; on-udp " + paths(onUdp));
            for (String pc : List.of("publish", "subscribe")) {
                Map<String, Object> path = path(turnPaths, pc);
                assertEquals("relay", path.get("candidateType"), pc + ": a TURN relay candidate");
                assertEquals("tls", path.get("relayProtocol"), pc + ": reached over TLS");
            }
            // Here coturn and the other participant share the host's addresses, so the other one's
            // path may look like coturn's too: at least the TURN participant's two count as turn.
            double viaTurnServer = Scrape.value(relay, "relay_transports_selected", Map.of("protocol", "turn"));
            double plainUdp = Scrape.value(relay, "relay_transports_selected", Map.of("protocol", "udp"));
            assertTrue(viaTurnServer >= 2, "the relay counts the TURN participant's Transports as turn: " + viaTurnServer);
            assertEquals(4, viaTurnServer + plainUdp, "every Transport is on UDP from the relay's side");
            assertEquals(0, Scrape.value(relay, "relay_transports_selected", Map.of("protocol", "tcp")));
            // coturn logs the usernames it authenticated: the ones the relay made for this participant.
            long allocations = turn.logLines(":" + t + "@" + room);
            System.out.println("turn-tls: coturn log lines naming " + t + "@" + room + ": " + allocations);
            assertTrue(allocations > 0, "coturn authenticated the credentials the relay issued for " + t);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> paths(ChromiumPeer peer) {
        return (Map<String, Object>) peer.await("return (await window.relay.stats()).paths;");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> path(Map<String, Object> paths, String pc) {
        Map<String, Object> path = (Map<String, Object>) paths.get(pc);
        return path == null ? Map.of() : path;
    }
}
