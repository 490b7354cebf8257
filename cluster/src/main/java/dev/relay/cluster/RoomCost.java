package dev.relay.cluster;

/**
 * What a room costs the node that holds it. Forwarding is the SFU's dominant cost and it grows
 * with fan-out, not with participants: each of a room's n participants publishes, and each
 * publication is forwarded to the n - 1 others, so a room carries n(n - 1) streams (one stream is
 * one participant's media forwarded to one subscriber: one Consumer per Producer in
 * docs/architecture.md's vocabulary, audio and video counted together). A room of 2 costs 2
 * streams, a room of 10 costs 90, a room of 50 costs 2,450.
 *
 * <p>Egress is streams times the packets per second of one stream; the benchmarks measure the
 * relay's capacity in egress packets per CPU-second (docs/benchmarks.md), so a node's capacity and
 * a room's cost are in the same unit.
 *
 * @param packetsPerStream egress packets per second of one stream (e.g. 50 for Opus at 20 ms
 *                         frames plus about 100 for one video layer)
 */
public record RoomCost(double packetsPerStream) {

    public RoomCost {
        if (!(packetsPerStream > 0)) {
            throw new IllegalArgumentException("packetsPerStream must be positive: " + packetsPerStream);
        }
    }

    /** n(n - 1): every participant's media forwarded to every other participant. */
    public static long streams(int participants) {
        if (participants < 0) {
            throw new IllegalArgumentException("participants must not be negative: " + participants);
        }
        return (long) participants * Math.max(0, participants - 1);
    }

    /**
     * Streams added when a room of {@code present} participants gets one more: the newcomer
     * subscribes to the {@code present} others and they all subscribe to it, 2 x present.
     */
    public static long streamsAddedByJoin(int present) {
        return streams(present + 1) - streams(present);
    }

    /** Egress packets per second of a room of {@code participants}. */
    public double packetsPerSecond(int participants) {
        return streams(participants) * packetsPerStream;
    }

    /** Egress packets per second for {@code streams} streams. */
    public double packetsPerSecond(long streams) {
        return streams * packetsPerStream;
    }
}
