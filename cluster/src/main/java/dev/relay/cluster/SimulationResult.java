package dev.relay.cluster;

/**
 * What one policy did with one workload. The utilisation figures cover the measuring window only
 * (after the warm-up, up to the last arrival), when the cluster is in its steady state.
 *
 * @param policy              the policy's name
 * @param rooms               rooms in the workload
 * @param roomsRefused        rooms no node would take when they arrived
 * @param joins               joins after a room's first participant, in placed rooms
 * @param overflowJoins       of those, joins refused because they would take the room's node past
 *                            its capacity (the room cannot move or span nodes yet)
 * @param roomsOverflowed     rooms with at least one overflow join
 * @param turnedAway          participants who could not join: everyone of a refused room, plus the
 *                            overflow joins
 * @param meanUtilisation     mean over ticks of the mean node utilisation
 * @param meanSpread          mean over ticks of (highest - lowest node utilisation)
 * @param meanStdDev          mean over ticks of the standard deviation of node utilisation
 * @param p95MaxUtilisation   95th percentile over ticks of the highest node utilisation
 * @param series              every tick, warm-up included, for the plot
 */
public record SimulationResult(String policy, int rooms, int roomsRefused, int joins, int overflowJoins,
                               int roomsOverflowed, int turnedAway, double meanUtilisation, double meanSpread, double meanStdDev,
                               double p95MaxUtilisation, UtilisationSeries series) {
}
