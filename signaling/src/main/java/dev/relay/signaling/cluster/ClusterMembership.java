package dev.relay.signaling.cluster;

import dev.relay.cluster.Admission;
import dev.relay.cluster.HeadroomPlacement;
import dev.relay.cluster.NodeLoad;
import dev.relay.cluster.RedisDirectory;
import dev.relay.cluster.RoomCost;
import dev.relay.cluster.RoomRouter;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This relay as one node of a cluster (docs/scale-out.md): every {@link ClusterConfig#REPORT_INTERVAL}
 * it writes its load to the node registry and renews the rooms it holds (releasing those that
 * closed), on a thread of its own; at each join, {@link #route} says whether the room is here,
 * elsewhere (a redirect) or nowhere. Rooms are placed by headroom ({@link HeadroomPlacement}).
 */
public final class ClusterMembership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
    /** What a room is expected to cost at placement: a meeting of 5 (20 streams) at 150 packets/s each. */
    static final double EXPECTED_ROOM_PPS = RoomCost.streams(5) * 150.0;

    private final ClusterConfig config;
    private final RedisDirectory directory;
    private final RoomRouter router;
    private final IntSupplier participants;
    private final LongSupplier packetsSent;
    private final LongSupplier cpuNanos;
    private final Supplier<Collection<String>> openRooms;
    private final Consumer<String> roomLost;
    /** Where other nodes open pipes to this one, or null (docs/scale-out.md "Rooms across nodes"). */
    private final String pipeUrl;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    /** Joins of rooms not open here that may wait for the room directory at once. */
    static final int MAX_WAITING_JOINS = 256;
    private final ThreadPoolExecutor routing;
    /** After a failed Redis call on the join path, how long joins of new rooms skip Redis. */
    public static final long BACKOFF_NANOS = 5_000_000_000L;
    /** When a Redis call on the join path last failed (nanoTime, never 0), or 0. */
    private volatile long failedAt;
    private long lastPackets;
    private long lastCpuNanos;
    private long lastNanos;

    /**
     * @param participants participants on this node now
     * @param packetsSent  egress packets sent so far (a counter)
     * @param cpuNanos     CPU time this relay's media threads have used so far (a counter): its CPU
     *                     share, not the process's, so relays sharing a machine or a JVM are told apart
     * @param openRooms    a snapshot of the names of the rooms open on this node, taken on the thread that
     *                     owns them (called from the cluster thread)
     * @param roomLost     told the name of an open room whose directory entry another node holds now
     *                     (this node could not renew it in time): close this node's copy, so the room
     *                     is never split between two nodes (called from the cluster thread)
     */
    public ClusterMembership(ClusterConfig config, IntSupplier participants, LongSupplier packetsSent,
                             LongSupplier cpuNanos, Supplier<Collection<String>> openRooms,
                             Consumer<String> roomLost) {
        this(config, participants, packetsSent, cpuNanos, openRooms, roomLost, null);
    }

    /** @param pipeUrl where other nodes open pipes to this node's rooms, published in its registry entry; null: none */
    public ClusterMembership(ClusterConfig config, IntSupplier participants, LongSupplier packetsSent,
                             LongSupplier cpuNanos, Supplier<Collection<String>> openRooms,
                             Consumer<String> roomLost, String pipeUrl) {
        this.roomLost = roomLost;
        this.pipeUrl = pipeUrl;
        this.config = config;
        this.cpuNanos = cpuNanos;
        this.participants = participants;
        this.packetsSent = packetsSent;
        this.openRooms = openRooms;
        this.directory = RedisDirectory.connect(config.redisUrl(), config.keyPrefix(), ClusterConfig.REDIS_TIMEOUT);
        this.router = new RoomRouter(directory, new HeadroomPlacement(new Admission(0.1, EXPECTED_ROOM_PPS)),
                config.nodeId(), ClusterConfig.ROOM_TTL, config.span(), ClusterConfig.FULL_BELOW_HEADROOM);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cluster-report");
            thread.setDaemon(true);
            return thread;
        });
        this.routing = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_WAITING_JOINS), r -> {
                    Thread thread = new Thread(r, "cluster-route");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * {@link #route} on a thread of its own, so the caller (the signaling control thread) never
     * waits on Redis. At most {@link #MAX_WAITING_JOINS} joins wait for it; beyond that the answer
     * is an {@link IllegalStateException} at once.
     */
    public CompletableFuture<RoomRouter.Route> routeAsync(String room) {
        try {
            return CompletableFuture.supplyAsync(() -> route(room), routing);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("too many joins wait for the room directory"));
        }
    }

    /** Reports once now (so this node can be chosen at once), then every interval. */
    public void start() {
        lastNanos = System.nanoTime();
        lastPackets = packetsSent.getAsLong();
        lastCpuNanos = cpuNanos.getAsLong();
        report();
        long every = ClusterConfig.REPORT_INTERVAL.toMillis();
        timer.scheduleWithFixedDelay(this::report, every, every, TimeUnit.MILLISECONDS);
        LOG.info("cluster node {} ({}) in {}", config.nodeId(), config.signalingUrl(), config.redisUrl());
    }

    /**
     * Where a join of {@code room} goes; blocking (Redis), bounded by {@link ClusterConfig#REDIS_TIMEOUT}
     * per call ({@link #routeAsync} runs it off the caller's thread).
     * After a failed call, joins of new rooms are refused without trying Redis for
     * {@link #BACKOFF_NANOS}, so an unreachable Redis holds the caller's thread once per backoff,
     * not once per join.
     *
     * @throws IllegalStateException when Redis cannot be reached, now or within the backoff
     */
    public RoomRouter.Route route(String room) {
        long failed = failedAt;
        if (failed != 0 && System.nanoTime() - failed < BACKOFF_NANOS) {
            throw new IllegalStateException("the room directory failed less than 5 s ago");
        }
        RoomRouter.Route route;
        try {
            route = router.route(room);
        } catch (RuntimeException e) {
            failedAt = System.nanoTime() | 1;
            throw e;
        }
        failedAt = 0;
        if (route instanceof RoomRouter.Local) {
            held.add(room);
        }
        return route;
    }

    private void report() {
        try {
            long now = System.nanoTime();
            long packets = packetsSent.getAsLong();
            long cpu = cpuNanos.getAsLong();
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            double egressPps = Math.max(0, (packets - lastPackets) / seconds);
            double cpuShare = Math.min(1, Math.max(0, (cpu - lastCpuNanos) / 1e9 / seconds
                    / Runtime.getRuntime().availableProcessors()));
            lastNanos = now;
            lastPackets = packets;
            lastCpuNanos = cpu;
            directory.register(new NodeLoad(config.nodeId(), config.signalingUrl(), cpuShare, egressPps,
                    participants.getAsInt(), 0, config.capacityPps(), pipeUrl), ClusterConfig.NODE_TTL);
            Set<String> open = new HashSet<>(openRooms.get());
            for (String room : held) {
                if (open.contains(room)) {
                    renew(room);
                } else {
                    // Closed since (or never opened: the join failed): free it for the next placement.
                    directory.releaseRoom(room, config.nodeId());
                    held.remove(room);
                }
            }
        } catch (RuntimeException e) {
            // Redis unreachable: the entries expire and the others stop sending rooms here; retried next tick.
            LOG.warn("cluster report failed: {}", e.toString());
        }
    }


    /**
     * Extends an open room's entry. An entry that expired meanwhile (Redis was out of reach longer
     * than its TTL) is claimed again; one that another node claimed meanwhile is that node's now:
     * this node lets the room go and its participants rejoin there (docs/scale-out.md "Failure
     * handling").
     */
    private void renew(String room) {
        if (directory.refreshRoom(room, config.nodeId(), ClusterConfig.ROOM_TTL)) {
            return;
        }
        String owner = directory.claimRoom(room, config.nodeId(), ClusterConfig.ROOM_TTL);
        if (owner.equals(config.nodeId())) {
            LOG.info("room {}: its directory entry had expired; claimed again", room);
            return;
        }
        held.remove(room);
        LOG.warn("room {} is held by node {} now: closing this node's copy", room, owner);
        roomLost.accept(room);
    }

    /** Leaves the registry and lets this node's rooms go (shutdown). */
    @Override
    public void close() {
        timer.shutdownNow();
        routing.shutdownNow();
        try {
            for (String room : held) {
                directory.releaseRoom(room, config.nodeId());
            }
            directory.deregister(config.nodeId());
        } catch (RuntimeException e) {
            LOG.warn("leaving the cluster: {}", e.toString());
        } finally {
            directory.close();
        }
    }
}
