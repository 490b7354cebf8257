package dev.relay.sfu;

import dev.relay.transport.Transport;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A Transport as its Router sees it: which Producers arrive on it (by SSRC) and which
 * Consumers leave through it (by the SSRC we gave them). Owned by the Router's worker.
 */
final class RouterTransport {
    final Transport transport;
    final Router router;
    /** Our SSRC as the sender of RTCP on this Transport (RR, PLI). */
    final int rtcpSsrc = ThreadLocalRandom.current().nextInt();
    final Int2ObjectHashMap<Producer> producersBySsrc = new Int2ObjectHashMap<>();
    final Int2ObjectHashMap<SimpleConsumer> consumersBySsrc = new Int2ObjectHashMap<>();

    RouterTransport(Transport transport, Router router) {
        this.transport = transport;
        this.router = router;
    }
}
