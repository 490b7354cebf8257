package dev.relay.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs a {@link PlacementPolicy} over a workload of rooms on a cluster of equal nodes, in simulated
 * time (no clock, no threads: the same inputs give the same result), and measures what placement
 * costs: rooms refused, joins that overflow a node, and how unevenly the nodes are loaded
 * (docs/scale-out.md "The simulation").
 *
 * <p>A room is placed when its first participant arrives: the policy sees every node's
 * {@link NodeLoad} as it is at that moment and picks one, or none (the room is refused). The room
 * then grows as its other participants join; a join that would take the node past its capacity is
 * refused and counted as an overflow, since a room cannot move or span nodes yet. Everyone leaves
 * when the room ends. A node's load is the sum of its rooms' streams ({@link RoomCost}); its CPU is
 * taken to be its egress fraction.
 *
 * @param nodes                equal nodes in the cluster
 * @param capacityStreams      streams one node can carry
 * @param cost                 packets per second of a stream, to report loads in packets per second
 * @param growthWindowMillis   a room is counted as growing for this long after its placement
 * @param tickMillis           utilisation is sampled this often
 * @param warmUpMillis         ticks before this are plotted but left out of the figures
 */
public record PlacementSimulation(int nodes, long capacityStreams, RoomCost cost, long growthWindowMillis,
                                  long tickMillis, long warmUpMillis) {
    private static final int END = 0;
    private static final int ARRIVAL = 1;
    private static final int JOIN = 2;
    /** At one instant: leaves first, so a room that ends frees its node for a room that arrives. */
    private static final Comparator<long[]> ORDER = Comparator.<long[]>comparingLong(e -> e[0])
            .thenComparingLong(e -> e[1]).thenComparingLong(e -> e[2]);

    public PlacementSimulation {
        if (nodes < 1 || capacityStreams < 1 || growthWindowMillis < 0 || tickMillis < 1 || warmUpMillis < 0) {
            throw new IllegalArgumentException("bad simulation parameters");
        }
    }

    public SimulationResult run(List<RoomPlan> rooms, PlacementPolicy policy) {
        List<long[]> events = events(rooms);
        long lastArrival = 0;
        for (RoomPlan room : rooms) {
            lastArrival = Math.max(lastArrival, room.arrivalMillis());
        }
        Cluster cluster = new Cluster(rooms.size());
        Sampler sampler = new Sampler(lastArrival);
        int refused = 0;
        int refusedParticipants = 0;
        int joins = 0;
        int overflowJoins = 0;
        int overflowed = 0;
        for (long[] event : events) {
            long now = event[0];
            sampler.sampleBefore(now, cluster);
            int room = (int) event[2];
            if (event[1] == ARRIVAL) {
                int node = choose(policy, cluster, now);
                if (node < 0) {
                    refused++;
                    refusedParticipants += rooms.get(room).participants();
                } else {
                    cluster.place(room, node, now);
                }
            } else if (cluster.nodeOf[room] < 0) {
                continue;
            } else if (event[1] == JOIN) {
                joins++;
                if (!cluster.join(room)) {
                    overflowJoins++;
                    if (!cluster.overflowed[room]) {
                        cluster.overflowed[room] = true;
                        overflowed++;
                    }
                }
            } else {
                cluster.end(room);
            }
        }
        sampler.sampleBefore(Long.MAX_VALUE, cluster);
        return sampler.result(policy.name(), rooms.size(), refused, joins, overflowJoins, overflowed,
                refusedParticipants + overflowJoins);
    }

    private int choose(PlacementPolicy policy, Cluster cluster, long now) {
        List<NodeLoad> loads = new ArrayList<>(nodes);
        for (int n = 0; n < nodes; n++) {
            loads.add(cluster.load(n, now));
        }
        NodeLoad chosen = policy.choose(loads).orElse(null);
        for (int n = 0; n < nodes; n++) {
            if (loads.get(n) == chosen) {
                return n;
            }
        }
        return -1;
    }

    /** {time, kind, room}, in time order; a room's joins and end are skipped if it was refused. */
    private static List<long[]> events(List<RoomPlan> rooms) {
        List<long[]> events = new ArrayList<>();
        for (int r = 0; r < rooms.size(); r++) {
            RoomPlan room = rooms.get(r);
            events.add(new long[] {room.arrivalMillis(), ARRIVAL, r});
            for (int p = 0; p < room.participants() - 1; p++) {
                events.add(new long[] {room.arrivalMillis() + room.joinDelayMillis(p), JOIN, r});
            }
            events.add(new long[] {room.endMillis(), END, r});
        }
        events.sort(ORDER);
        return events;
    }

    static String nodeId(int node) {
        return String.format("relay-%02d", node);
    }

    /** The nodes' and rooms' state: one writer, the run loop. */
    private final class Cluster {
        final String[] ids = new String[nodes];
        final String[] urls = new String[nodes];
        final long[] streams = new long[nodes];
        final int[] participants = new int[nodes];
        /** Per node: {placedAt, room} of its rooms in placement order, pruned past the window. */
        final List<ArrayDeque<long[]>> recent = new ArrayList<>(nodes);
        final int[] nodeOf;
        final int[] present;
        final boolean[] ended;
        final boolean[] overflowed;

        Cluster(int rooms) {
            for (int n = 0; n < nodes; n++) {
                recent.add(new ArrayDeque<>());
                ids[n] = nodeId(n);
                urls[n] = "wss://" + ids[n] + ".relay.example/ws";
            }
            nodeOf = new int[rooms];
            Arrays.fill(nodeOf, -1);
            present = new int[rooms];
            ended = new boolean[rooms];
            overflowed = new boolean[rooms];
        }

        NodeLoad load(int node, long now) {
            ArrayDeque<long[]> placed = recent.get(node);
            while (!placed.isEmpty() && placed.peekFirst()[0] <= now - growthWindowMillis) {
                placed.pollFirst();
            }
            int growing = 0;
            for (long[] p : placed) {
                if (!ended[(int) p[1]]) {
                    growing++;
                }
            }
            double utilisation = Math.min(1.0, (double) streams[node] / capacityStreams);
            return new NodeLoad(ids[node], urls[node], utilisation,
                    cost.packetsPerSecond(streams[node]), participants[node], growing,
                    cost.packetsPerSecond(capacityStreams));
        }

        void place(int room, int node, long now) {
            nodeOf[room] = node;
            present[room] = 1;
            participants[node]++;
            recent.get(node).addLast(new long[] {now, room});
        }

        boolean join(int room) {
            int node = nodeOf[room];
            long added = RoomCost.streamsAddedByJoin(present[room]);
            if (streams[node] + added > capacityStreams) {
                return false;
            }
            streams[node] += added;
            present[room]++;
            participants[node]++;
            return true;
        }

        void end(int room) {
            int node = nodeOf[room];
            streams[node] -= RoomCost.streams(present[room]);
            participants[node] -= present[room];
            ended[room] = true;
        }
    }

    /** Samples the nodes' utilisation every tick up to the last arrival. */
    private final class Sampler {
        final long lastTick;
        long nextTick;
        long[] tickAt;
        float[] max;
        float[] min;
        float[] mean;
        float[] std;
        int count;

        Sampler(long lastArrival) {
            this.lastTick = lastArrival;
            int capacity = (int) (lastArrival / tickMillis) + 1;
            tickAt = new long[capacity];
            max = new float[capacity];
            min = new float[capacity];
            mean = new float[capacity];
            std = new float[capacity];
        }

        /** Samples every tick before {@code now}: the state then is the state after earlier events. */
        void sampleBefore(long now, Cluster cluster) {
            while (nextTick < now && nextTick <= lastTick && count < tickAt.length) {
                double hi = 0;
                double lo = Double.MAX_VALUE;
                double sum = 0;
                double sumSquares = 0;
                for (int n = 0; n < nodes; n++) {
                    double u = (double) cluster.streams[n] / capacityStreams;
                    hi = Math.max(hi, u);
                    lo = Math.min(lo, u);
                    sum += u;
                    sumSquares += u * u;
                }
                double m = sum / nodes;
                tickAt[count] = nextTick;
                max[count] = (float) hi;
                min[count] = (float) lo;
                mean[count] = (float) m;
                std[count] = (float) Math.sqrt(Math.max(0, sumSquares / nodes - m * m));
                count++;
                nextTick += tickMillis;
            }
        }

        SimulationResult result(String policy, int rooms, int refused, int joins, int overflowJoins,
                                int overflowed, int turnedAway) {
            double meanSum = 0;
            double spreadSum = 0;
            double stdSum = 0;
            int measured = 0;
            float[] maxes = new float[count];
            for (int i = 0; i < count; i++) {
                if (tickAt[i] < warmUpMillis) {
                    continue;
                }
                meanSum += mean[i];
                spreadSum += max[i] - min[i];
                stdSum += std[i];
                maxes[measured++] = max[i];
            }
            double p95 = Double.NaN;
            if (measured > 0) {
                float[] sorted = Arrays.copyOf(maxes, measured);
                Arrays.sort(sorted);
                // nearest rank: the smallest value with at least 95 % of the ticks at or below it
                p95 = sorted[(int) Math.ceil(0.95 * measured) - 1];
            }
            double d = Math.max(1, measured);
            UtilisationSeries series = new UtilisationSeries(Arrays.copyOf(tickAt, count), Arrays.copyOf(max, count),
                    Arrays.copyOf(min, count), Arrays.copyOf(mean, count), Arrays.copyOf(std, count));
            return new SimulationResult(policy, rooms, refused, joins, overflowJoins, overflowed, turnedAway,
                    measured > 0 ? meanSum / d : Double.NaN, measured > 0 ? spreadSum / d : Double.NaN,
                    measured > 0 ? stdSum / d : Double.NaN, p95, series);
        }
    }
}
