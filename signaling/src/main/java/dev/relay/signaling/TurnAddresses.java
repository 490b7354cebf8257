package dev.relay.signaling;

import dev.relay.signaling.turn.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IP addresses of the configured TURN servers, resolved once at start, so that metrics can
 * tell a participant relayed through one ({@code turn}) from one on plain UDP: a TURN server
 * sends to the relay from its own address (as coturn does with one listening and relay
 * address). A server that relays from another address, or whose name resolves differently
 * later, is counted as {@code udp}.
 */
final class TurnAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(TurnAddresses.class);

    private final Set<InetAddress> addresses;

    private TurnAddresses(Set<InetAddress> addresses) {
        this.addresses = Set.copyOf(addresses);
    }

    static TurnAddresses resolve(TurnConfig turn) {
        Set<InetAddress> found = new HashSet<>();
        for (String host : turn.hosts()) {
            try {
                found.addAll(Set.of(InetAddress.getAllByName(host)));
            } catch (UnknownHostException e) {
                LOG.warn("TURN server {} does not resolve here; its participants are counted as udp", host);
            }
        }
        return new TurnAddresses(found);
    }

    boolean contains(InetSocketAddress remote) {
        return addresses.contains(remote.getAddress());
    }
}
