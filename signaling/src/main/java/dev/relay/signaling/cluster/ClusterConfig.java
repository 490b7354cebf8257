package dev.relay.signaling.cluster;

import dev.relay.cluster.RoomRouter;
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
 * @param span         when a join of a room another node holds stays here, the room spanning both
 *                     nodes (docs/scale-out.md "Rooms across nodes")
 * @param pipeSecret   the secret every node of the cluster shares, which authenticates the pipes'
 *                     key exchange; null: this node neither opens nor accepts pipes
 * @param pipeAddress  the IP address other nodes send this node's pipe media to
 */
public record ClusterConfig(String redisUrl, String nodeId, String signalingUrl, double capacityPps,
                            String keyPrefix, RoomRouter.Span span, byte[] pipeSecret, String pipeAddress) {
    /** A pipe secret shorter than this is refused: it is all that keeps other hosts out of the pipes. */
    public static final int MIN_SECRET_BYTES = 16;
    /** With {@link RoomRouter.Span#WHEN_FULL}: a room's node with less headroom than this share is full. */
    public static final double FULL_BELOW_HEADROOM = 0.1;

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
            if (pipeSecret != null && pipeSecret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("the cluster secret must be at least " + MIN_SECRET_BYTES
                        + " bytes");
            }
            if (span != RoomRouter.Span.NEVER && (pipeSecret == null || pipeAddress == null)) {
                throw new IllegalArgumentException("rooms can span nodes only with a cluster secret and a pipe "
                        + "address");
            }
        }
        Objects.requireNonNull(span, "span");
        pipeSecret = pipeSecret == null ? null : pipeSecret.clone();
    }

    /** Joins are redirected to the room's node; no pipes. */
    public ClusterConfig(String redisUrl, String nodeId, String signalingUrl, double capacityPps, String keyPrefix) {
        this(redisUrl, nodeId, signalingUrl, capacityPps, keyPrefix, RoomRouter.Span.NEVER, null, null);
    }

    public static ClusterConfig none() {
        return new ClusterConfig(null, null, null, 0, "relay:");
    }

    /** This node opens and accepts relay-to-relay pipes. */
    public boolean pipes() {
        return enabled() && pipeSecret != null && pipeAddress != null;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "ClusterConfig[" + nodeId + " " + signalingUrl + " span=" + span + " pipes=" + pipes() + "]";
    }

    public boolean enabled() {
        return redisUrl != null;
    }
}
