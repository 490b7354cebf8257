package dev.relay.signaling.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether and how this relay takes part in a cluster (docs/scale-out.md): the Redis holding the
 * node registry and room directory, this node's id and the signaling URL other nodes send its
 * rooms' joins to, and the egress it can carry.
 *
 * @param redisUrl     {@code redis://host:port/db} (or {@code rediss://}); null: no cluster
 * @param nodeId       this node's id in the registry
 * @param signalingUrl where a client joins this node: its {@code /ws} URL as clients reach it
 * @param capacityPps  egress packets per second this node can carry (docs/benchmarks.md)
 * @param keyPrefix    the Redis key prefix (several clusters may share one Redis)
 */
public record ClusterConfig(String redisUrl, String nodeId, String signalingUrl, double capacityPps,
                            String keyPrefix) {
    /** How often a node reports its load and renews its rooms. */
    public static final Duration REPORT_INTERVAL = Duration.ofSeconds(5);
    /** A node that missed three reports is gone. */
    public static final Duration NODE_TTL = Duration.ofSeconds(15);
    /** A room's claim lives this long unless its node renews it. */
    public static final Duration ROOM_TTL = Duration.ofSeconds(30);
    /** Redis calls on the join path give up after this long (the join is refused, not held). */
    public static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);

    public ClusterConfig {
        if (redisUrl != null) {
            Objects.requireNonNull(nodeId, "nodeId");
            if (signalingUrl == null || !(signalingUrl.startsWith("ws://") || signalingUrl.startsWith("wss://"))) {
                throw new IllegalArgumentException("a cluster node needs its public signaling URL (ws:// or wss://"
                        + "...): " + signalingUrl);
            }
            if (!(capacityPps > 0)) {
                throw new IllegalArgumentException("capacity must be positive: " + capacityPps);
            }
        }
    }

    public static ClusterConfig none() {
        return new ClusterConfig(null, null, null, 0, "relay:");
    }

    public boolean enabled() {
        return redisUrl != null;
    }
}
