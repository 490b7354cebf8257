package dev.relay.cluster;

/**
 * What a relay node reports about itself to the node registry (docs/scale-out.md "Node registry"),
 * refreshed every few seconds under a TTL.
 *
 * <p><b>Headroom.</b> A node's utilisation is the larger of two fractions: its egress packets per
 * second over its egress capacity, and its CPU utilisation. Egress is what grows with a room's
 * fan-out ({@link RoomCost}: n(n - 1) streams) and is what the capacity is measured in
 * (docs/benchmarks.md: egress packets per relay CPU-second); CPU catches what egress does not
 * count (DTLS handshakes, RTCP, the JVM, a noisy neighbour on the host). Whichever is nearer its
 * limit is the one that limits, hence the maximum:
 * <pre>
 *   utilisation = min(1, max(cpu, egressPacketsPerSecond / capacityPacketsPerSecond))
 *   headroom    = capacityPacketsPerSecond x (1 - utilisation)      [egress packets/s]
 * </pre>
 * Headroom is absolute (packets per second the node can still add), not a fraction, so a larger
 * node with the same fraction free is preferred: it can take a larger room.
 *
 * @param nodeId                   stable node name (e.g. the pod name relay-3)
 * @param signalingUrl             where a join redirected to this node goes (its {@code /ws})
 * @param cpu                      process CPU utilisation over the node's cores, 0..1
 * @param egressPacketsPerSecond   SRTP/SRTCP packets per second the node sends now
 * @param participants             participants the node holds now
 * @param growingRooms             rooms opened on the node within the growth window, whose
 *                                 participants are still arriving ({@link Admission})
 * @param capacityPacketsPerSecond egress packets per second the node can carry (from its size and
 *                                 the benchmarks)
 * @param pipeUrl                  where other nodes open pipes to this one's rooms (its pipe control
 *                                 endpoint on its cluster address, docs/scale-out.md "Rooms across
 *                                 nodes"), or null if it takes none
 */
public record NodeLoad(String nodeId, String signalingUrl, double cpu, double egressPacketsPerSecond,
                       int participants, int growingRooms, double capacityPacketsPerSecond, String pipeUrl) {

    /** A node that takes no relay-to-relay pipes. */
    public NodeLoad(String nodeId, String signalingUrl, double cpu, double egressPacketsPerSecond, int participants,
                    int growingRooms, double capacityPacketsPerSecond) {
        this(nodeId, signalingUrl, cpu, egressPacketsPerSecond, participants, growingRooms, capacityPacketsPerSecond,
                null);
    }

    public NodeLoad {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (signalingUrl == null || signalingUrl.isBlank()) {
            throw new IllegalArgumentException("signalingUrl must not be blank: " + nodeId);
        }
        if (!(cpu >= 0 && cpu <= 1)) {
            throw new IllegalArgumentException("cpu must be in 0..1: " + cpu);
        }
        if (!(egressPacketsPerSecond >= 0)) {
            throw new IllegalArgumentException("egressPacketsPerSecond must not be negative: " + egressPacketsPerSecond);
        }
        if (participants < 0 || growingRooms < 0) {
            throw new IllegalArgumentException("participants and growingRooms must not be negative");
        }
        if (!(capacityPacketsPerSecond > 0) || Double.isInfinite(capacityPacketsPerSecond)) {
            throw new IllegalArgumentException("capacityPacketsPerSecond must be positive: " + capacityPacketsPerSecond);
        }
    }

    /** max(cpu, egress / capacity), at most 1. */
    public double utilisation() {
        return Math.min(1.0, Math.max(cpu, egressPacketsPerSecond / capacityPacketsPerSecond));
    }

    /** Egress packets per second the node can still add: capacity x (1 - utilisation). */
    public double headroom() {
        return capacityPacketsPerSecond * (1.0 - utilisation());
    }
}
