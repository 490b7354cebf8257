package dev.relay.cluster;

/**
 * One room of a simulated workload: it is placed when its first participant arrives, the others
 * join after their delays, and everyone leaves when it ends.
 *
 * @param arrivalMillis    when the first participant joins (and the room is placed)
 * @param durationMillis   how long the room lasts from its arrival
 * @param participants     the size the room reaches if no join is refused
 * @param joinDelaysMillis for each participant after the first, its join time after the arrival
 *                         (participants - 1 values, each shorter than the duration)
 */
public record RoomPlan(long arrivalMillis, long durationMillis, int participants, long[] joinDelaysMillis) {

    public RoomPlan {
        if (participants < 1 || joinDelaysMillis.length != participants - 1) {
            throw new IllegalArgumentException("need participants - 1 join delays: " + participants);
        }
        joinDelaysMillis = joinDelaysMillis.clone();
    }

    public long endMillis() {
        return arrivalMillis + durationMillis;
    }

    @Override
    public long[] joinDelaysMillis() {
        return joinDelaysMillis.clone();
    }

    long joinDelayMillis(int i) {
        return joinDelaysMillis[i];
    }
}
