package dev.relay.signaling;

import dev.relay.signaling.cluster.ClusterConfig;
import dev.relay.signaling.events.EventsConfig;
import dev.relay.signaling.turn.TurnConfig;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Typed configuration, read once at start: a bad option stops the relay before it listens.
 *
 * @param bindAddress         address the HTTP/WebSocket and media sockets bind to
 * @param httpPort            HTTP + WebSocket port; 0 picks a free port
 * @param mediaPort           the single UDP port all peers share; 0 picks a free port
 * @param advertisedAddresses host candidate addresses put into our SDP
 * @param ioThreads           UDP event loops (each owns one SO_REUSEPORT socket on Linux)
 * @param workerThreads       media worker threads; each Router is pinned to one
 * @param events              where session events go (docs/events.md)
 * @param iceTimeout          a participant whose established Transport has had no valid STUN check or
 *                            authenticated media for this long is removed with reason {@code ice_failed}
 *                            (RFC 7675: 30 s)
 * @param dtls                caps and timeout of DTLS handshakes (docs/operations.md "DTLS handshakes")
 * @param access              API keys, allowed origins, where {@code /metrics} is served
 * @param limits              what one client may hold or send, and the shutdown grace (docs/operations.md "Limits")
 * @param repair              how loss on the way to subscribers is repaired (NACK/RTX for video, RED for
 *                            audio; docs/quality.md); off only to measure what it is worth
 * @param mediaTcpPort        the TCP port of passive ICE-TCP candidates (RFC 6544) for peers whose
 *                            network blocks UDP; 0 picks a free port, {@link #NO_TCP} offers none
 * @param turn                TURN servers handed to clients with short-lived credentials (docs/operations.md
 *                            "TURN over TLS")
 * @param cluster             the Redis room directory this relay is a node of, or none (docs/scale-out.md)
 */
public record RelayConfig(
        String bindAddress,
        int httpPort,
        int mediaPort,
        List<String> advertisedAddresses,
        int ioThreads,
        int workerThreads,
        EventsConfig events,
        Duration iceTimeout,
        DtlsHandshakes.Limits dtls,
        AccessConfig access,
        Limits limits,
        LossRepair repair,
        int mediaTcpPort,
        TurnConfig turn,
        ClusterConfig cluster) {

    /** RFC 7675 §5.1: consent expires 30 s after the last successful check. */
    public static final Duration DEFAULT_ICE_TIMEOUT = Duration.ofSeconds(30);
    /** {@link #mediaTcpPort} that turns ICE-TCP off. */
    public static final int NO_TCP = -1;

    public RelayConfig {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(iceTimeout, "iceTimeout");
        Objects.requireNonNull(dtls, "dtls");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(repair, "repair");
        Objects.requireNonNull(turn, "turn");
        Objects.requireNonNull(cluster, "cluster");
        if (iceTimeout.isNegative() || iceTimeout.isZero()) {
            throw new IllegalArgumentException("ICE timeout must be positive");
        }
        if (mediaTcpPort < NO_TCP || mediaTcpPort > 65_535) {
            throw new IllegalArgumentException("media TCP port must be 0..65535, or -1 for none: " + mediaTcpPort);
        }
    }

    /** Media and HTTP settings only (ICE-TCP on the UDP port's number); events to the log, default ICE timeout and DTLS limits, dev-mode access. */
    public RelayConfig(String bindAddress, int httpPort, int mediaPort, List<String> advertisedAddresses,
                       int ioThreads, int workerThreads) {
        this(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads,
                EventsConfig.defaults(), DEFAULT_ICE_TIMEOUT, DtlsHandshakes.Limits.defaults(),
                AccessConfig.defaults(), Limits.defaults(), LossRepair.on(), mediaPort, TurnConfig.none(),
                ClusterConfig.none());
    }

    public static RelayConfig defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new RelayConfig("0.0.0.0", 8080, 10000, List.of("127.0.0.1"), Math.max(1, cores), Math.max(1, cores));
    }

    public RelayConfig withHttpPort(int port) {
        return new RelayConfig(bindAddress, port, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, repair, mediaTcpPort, turn, cluster);
    }

    /** The UDP port; an ICE-TCP port that had the same number (the default) follows it, 0 included. */
    public RelayConfig withMediaPort(int port) {
        int tcp = mediaTcpPort == mediaPort ? port : mediaTcpPort;
        return new RelayConfig(bindAddress, httpPort, port, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, repair, tcp, turn, cluster);
    }

    public RelayConfig withBindAddress(String address) {
        return new RelayConfig(address, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withAdvertisedAddresses(List<String> addresses) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, List.copyOf(addresses), ioThreads, workerThreads,
                events, iceTimeout, dtls, access, limits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withEvents(EventsConfig eventsConfig) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads,
                eventsConfig, iceTimeout, dtls, access, limits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withIceTimeout(Duration timeout) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                timeout, dtls, access, limits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withDtls(DtlsHandshakes.Limits dtlsLimits) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtlsLimits, access, limits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withLimits(Limits newLimits) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, newLimits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withRepair(LossRepair lossRepair) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, lossRepair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withAccess(AccessConfig accessConfig) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, accessConfig, limits, repair, mediaTcpPort, turn, cluster);
    }

    public RelayConfig withMediaTcpPort(int port) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, repair, port, turn, cluster);
    }

    public RelayConfig withTurn(TurnConfig turnConfig) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, repair, mediaTcpPort, turnConfig, cluster);
    }

    public RelayConfig withCluster(ClusterConfig clusterConfig) {
        return new RelayConfig(bindAddress, httpPort, mediaPort, advertisedAddresses, ioThreads, workerThreads, events,
                iceTimeout, dtls, access, limits, repair, mediaTcpPort, turn, clusterConfig);
    }
}
