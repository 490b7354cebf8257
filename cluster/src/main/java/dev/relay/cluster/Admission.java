package dev.relay.cluster;

/**
 * Whether a node can take one more room. Every {@link PlacementPolicy} asks the same question, so
 * the policies differ only in which admitted node they choose.
 *
 * <p>A room is placed when its first participant joins, when it costs nothing yet (one
 * participant, no stream); its cost comes later, as the others join. Two terms account for that:
 * <ul>
 *   <li>the new room is charged {@code expectedRoomPacketsPerSecond}, the mean cost of a room
 *       (the mean of n(n - 1) over the meeting sizes, times packets per stream), not its cost now;
 *   <li>each of the node's {@link NodeLoad#growingRooms() growing rooms} (opened within the growth
 *       window) is charged {@code growingRoomPacketsPerSecond}, normally the same expected cost.
 *       Without it the node with the most headroom takes every room opened until the joins of the
 *       first ones show in its egress, minutes later (docs/scale-out.md measures this: zero
 *       disables the term). It over-counts a growing room that has already grown; that errs on
 *       the safe side.
 * </ul>
 * and a reserve of the capacity is kept free, so that a room growing past its expected size, or a
 * burst of joins, does not take a node past its capacity (where its media is dropped as
 * {@code egress_stale}, docs/operations.md "Sizing"):
 * <pre>
 *   effectiveHeadroom = headroom - growingRooms x growingRoomPacketsPerSecond
 *   admitted         &lt;=&gt; effectiveHeadroom - expectedRoomPacketsPerSecond &gt;= reserveFraction x capacity
 * </pre>
 *
 * @param reserveFraction              share of each node's capacity never given to new rooms, 0..1
 * @param expectedRoomPacketsPerSecond what a room is expected to cost once everyone has joined
 * @param growingRoomPacketsPerSecond  what each growing room is still expected to add
 */
public record Admission(double reserveFraction, double expectedRoomPacketsPerSecond,
                        double growingRoomPacketsPerSecond) {

    public Admission {
        if (!(reserveFraction >= 0 && reserveFraction < 1)) {
            throw new IllegalArgumentException("reserveFraction must be in 0..1: " + reserveFraction);
        }
        if (!(expectedRoomPacketsPerSecond >= 0) || Double.isInfinite(expectedRoomPacketsPerSecond)) {
            throw new IllegalArgumentException("expectedRoomPacketsPerSecond must not be negative: "
                    + expectedRoomPacketsPerSecond);
        }
        if (!(growingRoomPacketsPerSecond >= 0) || Double.isInfinite(growingRoomPacketsPerSecond)) {
            throw new IllegalArgumentException("growingRoomPacketsPerSecond must not be negative: "
                    + growingRoomPacketsPerSecond);
        }
    }

    /** Each growing room charged the expected cost of a room. */
    public Admission(double reserveFraction, double expectedRoomPacketsPerSecond) {
        this(reserveFraction, expectedRoomPacketsPerSecond, expectedRoomPacketsPerSecond);
    }

    /** Headroom left once the node's growing rooms have grown; may be negative. */
    public double effectiveHeadroom(NodeLoad node) {
        return node.headroom() - node.growingRooms() * growingRoomPacketsPerSecond;
    }

    public boolean admits(NodeLoad node) {
        return effectiveHeadroom(node) - expectedRoomPacketsPerSecond
                >= reserveFraction * node.capacityPacketsPerSecond();
    }
}
