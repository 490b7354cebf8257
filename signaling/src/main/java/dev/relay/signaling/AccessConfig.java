package dev.relay.signaling;

import dev.relay.signaling.auth.ApiKeys;
import dev.relay.signaling.auth.OriginPolicy;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Who may use the public HTTP port and what it exposes (docs/signaling.md "Authentication",
 * docs/operations.md). Its {@code toString} names API keys, never their secrets.
 *
 * @param keys           API keys access tokens are checked against; none: dev mode, no tokens needed
 * @param allowedOrigins pages (by {@code Origin}) that may open the signaling WebSocket
 * @param metricsBind    address the metrics port binds to; null: the HTTP bind address
 * @param metricsPort    serve {@code /metrics} and {@code /healthz} on this port, and {@code /metrics}
 *                       no longer on the public one; empty: {@code /metrics} on the public port; 0
 *                       picks a free port
 */
public record AccessConfig(ApiKeys keys, OriginPolicy allowedOrigins, String metricsBind, OptionalInt metricsPort) {

    public AccessConfig {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
        Objects.requireNonNull(metricsPort, "metricsPort");
        if (metricsPort.isPresent() && (metricsPort.getAsInt() < 0 || metricsPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("metrics port must be 0-65535");
        }
    }

    /** Dev mode: no keys, default origins, {@code /metrics} on the public port. */
    public static AccessConfig defaults() {
        return new AccessConfig(ApiKeys.none(), OriginPolicy.defaults(), null, OptionalInt.empty());
    }

    public AccessConfig withKeys(ApiKeys apiKeys) {
        return new AccessConfig(apiKeys, allowedOrigins, metricsBind, metricsPort);
    }

    public AccessConfig withAllowedOrigins(OriginPolicy origins) {
        return new AccessConfig(keys, origins, metricsBind, metricsPort);
    }

    public AccessConfig withMetricsPort(int port) {
        return new AccessConfig(keys, allowedOrigins, metricsBind, OptionalInt.of(port));
    }
}
