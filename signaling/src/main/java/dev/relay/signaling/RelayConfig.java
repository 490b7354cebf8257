package dev.relay.signaling;

import java.util.List;

/**
 * Typed configuration, read once at start (STYLE.md "Errors": config is a typed record).
 *
 * @param bindAddress         address the HTTP/WebSocket and media sockets bind to
 * @param httpPort            HTTP + WebSocket port; 0 picks a free port
 * @param mediaPort           the single UDP port all peers share; 0 picks a free port
 * @param advertisedAddresses host candidate addresses put into our SDP
 * @param ioThreads           UDP event loops (each owns one SO_REUSEPORT socket on Linux)
 * @param workerThreads       media worker threads; each Router is pinned to one
 */
public record RelayConfig(
        String bindAddress,
        int httpPort,
        int mediaPort,
        List<String> advertisedAddresses,
        int ioThreads,
        int workerThreads) {

    public static RelayConfig defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new RelayConfig("0.0.0.0", 8080, 10000, List.of("127.0.0.1"), Math.max(1, cores / 2), Math.max(1, cores));
    }

    public RelayConfig withHttpPort(int port) {
        return new RelayConfig(bindAddress, port, mediaPort, advertisedAddresses, ioThreads, workerThreads);
    }

    public RelayConfig withMediaPort(int port) {
        return new RelayConfig(bindAddress, httpPort, port, advertisedAddresses, ioThreads, workerThreads);
    }

    public RelayConfig withBindAddress(String address) {
        return new RelayConfig(address, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads);
    }

    public RelayConfig withAdvertisedAddresses(List<String> addresses) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, List.copyOf(addresses), ioThreads, workerThreads);
    }
}
