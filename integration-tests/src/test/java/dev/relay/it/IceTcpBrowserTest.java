package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.RelayServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A participant whose network lets no UDP through (nftables in its namespace drops all of it,
 * both ways) still joins, over the relay's passive ICE-TCP candidate (RFC 6544,
 * docs/operations.md "Ports"): both participants decode each other, getStats shows the TCP
 * participant's selected pairs on TCP and the other's on UDP, the relay counts one of each kind
 * per PeerConnection, and the connections are gone once the TCP participant leaves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IceTcpBrowserTest extends NamespaceChromiumTest {
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(30);

    @Test
    void shouldCarryAParticipantWithoutUdpOverIceTcp() throws Exception {
        try (RelayServer relay = RelayServer.start(namespaceRelayConfig())) {
            assertTrue(relay.mediaTcpPort() > 0, "ICE-TCP is on by default");
            ns.setUdpBlocked(true);
            Call call = call(relay, "ice-tcp", List.of(), READY, MEDIA);
            ChromiumPeer onUdp = call.host();
            ChromiumPeer onTcp = call.inside();

            Map<String, Object> tcpPaths = paths(onTcp);
            Map<String, Object> udpPaths = paths(onUdp);
            System.out.println("ice-tcp: selected paths: tcp-only " + tcpPaths + "; on-udp " + udpPaths);
            for (String pc : List.of("publish", "subscribe")) {
                assertEquals("tcp", protocol(tcpPaths, pc), "the UDP-less participant's " + pc + " path is TCP");
                assertEquals("udp", protocol(udpPaths, pc), "the other participant's " + pc + " path stays UDP");
            }
            assertEquals(2, Scrape.value(relay, "relay_transports_selected", Map.of("protocol", "tcp")),
                    "the relay counts two Transports on ICE-TCP");
            assertEquals(2, Scrape.value(relay, "relay_transports_selected", Map.of("protocol", "udp")),
                    "and two on UDP");

            onTcp.leave();
            Scrape.await(relay, "relay_ice_tcp_connections", Map.of(), n -> n == 0, Duration.ofSeconds(10));
            assertEquals(0, Scrape.value(relay, "relay_transports_selected", Map.of("protocol", "tcp")));
            long dropped = ns.setUdpBlocked(false);
            System.out.println("ice-tcp: UDP datagrams the namespace's firewall dropped: " + dropped);
            assertTrue(dropped > 0, "the browser did try UDP, and the firewall stopped it");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> paths(ChromiumPeer peer) {
        return (Map<String, Object>) peer.await("return (await window.relay.stats()).paths;");
    }

    @SuppressWarnings("unchecked")
    private static String protocol(Map<String, Object> paths, String pc) {
        Map<String, Object> path = (Map<String, Object>) paths.get(pc);
        return path == null ? null : (String) path.get("protocol");
    }
}
