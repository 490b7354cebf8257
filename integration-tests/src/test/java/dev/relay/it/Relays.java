package dev.relay.it;

import dev.relay.signaling.AccessConfig;
import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts an in-process relay on loopback with ephemeral ports, as every test class here needs. */
final class Relays {

    private static final AtomicInteger ROOMS = new AtomicInteger();

    private Relays() {
    }

    /**
     * Binds and advertises only 127.0.0.1: Chromium reaches it with
     * {@code --allow-loopback-in-peer-connection} (Chromium otherwise leaves loopback out of ICE).
     */
    static RelayServer startLoopback() throws Exception {
        return startLoopback(AccessConfig.defaults());
    }

    /** With API keys, allowed origins or a metrics port ({@code 0}: a free one). */
    static RelayServer startLoopback(AccessConfig access) throws Exception {
        RelayServer relay = RelayServer.start(loopbackConfig().withAccess(access));
        System.out.printf("relay: http 127.0.0.1:%d, media udp 127.0.0.1:%d%n", relay.httpPort(), relay.mediaPort());
        return relay;
    }

    /** What {@link #startLoopback} starts, for a test that changes a setting first. */
    static RelayConfig loopbackConfig() {
        return RelayConfig.defaults()
                .withHttpPort(0)
                .withMediaPort(0)
                .withBindAddress("127.0.0.1")
                .withAdvertisedAddresses(List.of("127.0.0.1"));
    }

    static URI httpBase(RelayServer relay) {
        return URI.create("http://127.0.0.1:" + relay.httpPort());
    }

    static URI webSocket(RelayServer relay) {
        return URI.create("ws://127.0.0.1:" + relay.httpPort() + "/ws");
    }

    /** A room name unique within this JVM, valid for {@code join} ([A-Za-z0-9_.-]{1,64}). */
    static String uniqueRoom(String prefix) {
        return prefix + "-" + ROOMS.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }
}
