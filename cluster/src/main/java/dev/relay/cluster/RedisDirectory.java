package dev.relay.cluster;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node registry and room directory in Redis (docs/scale-out.md "Node registry", "Room
 * directory"): each node writes its {@link NodeLoad} under a TTL and refreshes it every few
 * seconds, so a node that dies vanishes by itself; a room maps to the node that holds it, claimed
 * atomically (first claim wins, {@code SET NX}), refreshed by its node only and released by its
 * node only (compare-and-expire and compare-and-delete run as Lua scripts, atomic in Redis).
 * Keys live under a prefix, so several clusters may share one Redis. Blocking calls on one
 * connection; the caller keeps them off the media path (control thread or a timer of its own).
 */
public final class RedisDirectory implements AutoCloseable {
    /** Refreshes a room's TTL only if it still belongs to the caller. */
    private static final String REFRESH_IF_OWNER =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
                    + "else return 0 end";
    /** Deletes a room's entry only if it still belongs to the caller. */
    private static final String RELEASE_IF_OWNER =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
    private static final String SEPARATOR = "\t";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final String prefix;

    private RedisDirectory(RedisClient client, StatefulRedisConnection<String, String> connection, String prefix) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        this.prefix = prefix;
    }

    /**
     * Connects to {@code redisUrl} ({@code redis://host:port/db}, or {@code rediss://} for TLS)
     * with commands that time out after {@code timeout}.
     */
    public static RedisDirectory connect(String redisUrl, String prefix, Duration timeout) {
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(uri);
        try {
            return new RedisDirectory(client, client.connect(), prefix);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /** Writes (or refreshes) this node's entry; it vanishes {@code ttl} after the last call. */
    public void register(NodeLoad load, Duration ttl) {
        redis.set(nodeKey(load.nodeId()), encode(load), SetArgs.Builder.px(ttl.toMillis()));
    }

    /** Removes this node's entry at once (a node that drains or stops). */
    public void deregister(String nodeId) {
        redis.del(nodeKey(nodeId));
    }

    /** Every node whose entry has not expired, in no particular order. */
    public List<NodeLoad> nodes() {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs match = ScanArgs.Builder.matches(prefix + "node:*").limit(200);
        do {
            KeyScanCursor<String> page = redis.scan(cursor, match);
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        List<NodeLoad> nodes = new ArrayList<>();
        if (keys.isEmpty()) {
            return nodes;
        }
        for (KeyValue<String, String> entry : redis.mget(keys.toArray(new String[0]))) {
            // A key that expired between SCAN and MGET has no value: that node is gone.
            if (entry.hasValue()) {
                decode(entry.getValue()).ifPresent(nodes::add);
            }
        }
        return nodes;
    }

    /** The live entry of {@code nodeId}, if it has one. */
    public Optional<NodeLoad> node(String nodeId) {
        String value = redis.get(nodeKey(nodeId));
        return value == null ? Optional.empty() : decode(value);
    }

    /**
     * Claims {@code room} for {@code nodeId} unless some node holds it already; returns the node
     * that holds it after the call (this one if the claim won). First claim wins: two nodes
     * claiming at once get the same answer.
     */
    public String claimRoom(String room, String nodeId, Duration ttl) {
        String key = roomKey(room);
        String set = redis.set(key, nodeId, SetArgs.Builder.nx().px(ttl.toMillis()));
        if ("OK".equals(set)) {
            return nodeId;
        }
        String owner = redis.get(key);
        // Expired between the two calls: claim again (the next SET NX decides).
        return owner != null ? owner : claimRoom(room, nodeId, ttl);
    }

    /** The node holding {@code room}, if any. */
    public Optional<String> ownerOf(String room) {
        return Optional.ofNullable(redis.get(roomKey(room)));
    }

    /** Extends {@code room}'s entry by {@code ttl} if {@code nodeId} still holds it; false otherwise. */
    public boolean refreshRoom(String room, String nodeId, Duration ttl) {
        Long done = redis.eval(REFRESH_IF_OWNER, ScriptOutputType.INTEGER, new String[] {roomKey(room)}, nodeId,
                Long.toString(ttl.toMillis()));
        return done != null && done == 1;
    }

    /** Removes {@code room}'s entry if {@code nodeId} holds it (the room closed there). */
    public boolean releaseRoom(String room, String nodeId) {
        Long done = redis.eval(RELEASE_IF_OWNER, ScriptOutputType.INTEGER, new String[] {roomKey(room)}, nodeId);
        return done != null && done == 1;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private String nodeKey(String nodeId) {
        return prefix + "node:" + nodeId;
    }

    private String roomKey(String room) {
        return prefix + "room:" + room;
    }

    /**
     * One line, tab-separated, versioned; node ids and URLs never hold a tab (checked). The pipe URL
     * is a ninth field, left out when the node takes no pipes.
     */
    static String encode(NodeLoad load) {
        if (load.nodeId().contains(SEPARATOR) || load.signalingUrl().contains(SEPARATOR)
                || (load.pipeUrl() != null && load.pipeUrl().contains(SEPARATOR))) {
            throw new IllegalArgumentException("node id or URL with a tab: " + load.nodeId());
        }
        String line = String.join(SEPARATOR, "1", load.nodeId(), load.signalingUrl(), Double.toString(load.cpu()),
                Double.toString(load.egressPacketsPerSecond()), Integer.toString(load.participants()),
                Integer.toString(load.growingRooms()), Double.toString(load.capacityPacketsPerSecond()));
        return load.pipeUrl() == null ? line : line + SEPARATOR + load.pipeUrl();
    }

    /** The entry back, or empty for one this version cannot read (a newer node's, or damaged). */
    static Optional<NodeLoad> decode(String value) {
        String[] f = value.split(SEPARATOR, -1);
        if ((f.length != 8 && f.length != 9) || !"1".equals(f[0])) {
            return Optional.empty();
        }
        try {
            return Optional.of(new NodeLoad(f[1], f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                    Integer.parseInt(f[5]), Integer.parseInt(f[6]), Double.parseDouble(f[7]),
                    f.length == 9 && !f[8].isEmpty() ? f[8] : null));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
