package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The node registry and room directory against a real redis-server (Debian's). */
@Timeout(60)
class RedisDirectoryTest extends RedisTest {
    private static NodeLoad load(String id, double egress) {
        return new NodeLoad(id, "wss://" + id + ".relay.example.com/ws", 0.25, egress, 40, 1, 60_000);
    }

    @Test
    void shouldListLiveNodesAndForgetOneThatStopsRefreshing() throws Exception {
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), "t1:", TIMEOUT)) {
            directory.register(load("relay-0", 1_000), Duration.ofSeconds(30));
            directory.register(load("relay-1", 2_000), Duration.ofMillis(300));
            assertEquals(2, directory.nodes().size());
            assertEquals(Optional.of(load("relay-1", 2_000)), directory.node("relay-1"), "round trip");

            Thread.sleep(700);
            List<NodeLoad> live = directory.nodes();
            assertEquals(List.of("relay-0"), live.stream().map(NodeLoad::nodeId).toList(),
                    "a node that stopped refreshing is gone once its TTL passes");
            directory.deregister("relay-0");
            assertTrue(directory.nodes().isEmpty());
        }
    }

    @Test
    void shouldGiveEveryRoomExactlyOneNodeWhenNodesClaimAtOnce() throws Exception {
        int nodes = 4;
        int rooms = 200;
        List<RedisDirectory> directories = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            for (int i = 0; i < nodes; i++) {
                directories.add(RedisDirectory.connect(redis.url(), "t2:", TIMEOUT));
            }
            ConcurrentHashMap<String, String> answers = new ConcurrentHashMap<>();
            ConcurrentHashMap<String, Integer> winners = new ConcurrentHashMap<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> claims = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String node = "relay-" + i;
                RedisDirectory directory = directories.get(i);
                claims.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rooms; r++) {
                        String room = "room-" + r;
                        String owner = directory.claimRoom(room, node, Duration.ofSeconds(30));
                        String earlier = answers.putIfAbsent(room, owner);
                        assertEquals(earlier == null ? owner : earlier, owner, "every node hears the same owner");
                        if (owner.equals(node)) {
                            winners.merge(room, 1, Integer::sum);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> claim : claims) {
                claim.get();
            }
            assertEquals(rooms, winners.size(), "every room was won");
            assertTrue(winners.values().stream().allMatch(n -> n == 1), "by exactly one node: " + winners);
        } finally {
            pool.shutdownNow();
            directories.forEach(RedisDirectory::close);
        }
    }

    @Test
    void shouldLetOnlyTheHoldingNodeRefreshOrReleaseItsRoom() throws Exception {
        try (RedisDirectory a = RedisDirectory.connect(redis.url(), "t3:", TIMEOUT);
             RedisDirectory b = RedisDirectory.connect(redis.url(), "t3:", TIMEOUT)) {
            assertEquals("relay-a", a.claimRoom("standup", "relay-a", Duration.ofMillis(400)));
            assertEquals("relay-a", b.claimRoom("standup", "relay-b", Duration.ofSeconds(30)), "first claim wins");
            assertFalse(b.refreshRoom("standup", "relay-b", Duration.ofSeconds(30)));
            assertFalse(b.releaseRoom("standup", "relay-b"));
            assertTrue(a.refreshRoom("standup", "relay-a", Duration.ofSeconds(30)));
            Thread.sleep(600);
            assertEquals(Optional.of("relay-a"), b.ownerOf("standup"), "refreshed past its first TTL");
            assertTrue(a.releaseRoom("standup", "relay-a"));
            assertEquals(Optional.empty(), b.ownerOf("standup"));
            assertEquals("relay-b", b.claimRoom("standup", "relay-b", Duration.ofSeconds(30)), "free again");
        }
    }

    @Test
    void shouldFreeARoomWhoseNodeStoppedRefreshingIt() throws Exception {
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), "t4:", TIMEOUT)) {
            directory.claimRoom("orphan", "relay-dead", Duration.ofMillis(300));
            Thread.sleep(600);
            assertEquals("relay-live", directory.claimRoom("orphan", "relay-live", Duration.ofSeconds(30)),
                    "a dead node's rooms go to whoever claims them next");
        }
    }

    @Test
    void shouldReadBackWhatItWroteAndRefuseWhatItCannotRead() {
        NodeLoad load = load("relay-7", 12_345.5);
        assertEquals(Optional.of(load), RedisDirectory.decode(RedisDirectory.encode(load)));
        NodeLoad piping = new NodeLoad("relay-8", "wss://relay-8.example.com/ws", 0.25, 100, 3, 1, 60_000,
                "ws://10.1.2.3:8080/cluster/pipe");
        assertEquals(Optional.of(piping), RedisDirectory.decode(RedisDirectory.encode(piping)), "with its pipe URL");
        assertEquals(Optional.empty(), RedisDirectory.decode("2\trelay-7\tx"), "a newer version");
        assertEquals(Optional.empty(), RedisDirectory.decode("1\trelay-7\turl\tnot-a-number\t0\t0\t0\t1"));
        assertEquals(Optional.empty(), RedisDirectory.decode("1\trelay-7\turl\t2.0\t0\t0\t0\t1"), "cpu above 1");
        assertEquals(Optional.empty(), RedisDirectory.decode(""));
    }
}
