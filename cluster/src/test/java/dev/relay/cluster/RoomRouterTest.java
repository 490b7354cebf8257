package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where joins go, with three nodes registered in a real redis-server. */
@Timeout(60)
class RoomRouterTest extends RedisTest {
    private static final HeadroomPlacement HEADROOM = new HeadroomPlacement(new Admission(0.1, 1_000));

    private static NodeLoad node(String id, double egress) {
        return new NodeLoad(id, "wss://" + id + ".example.com/ws", 0.1, egress, 0, 0, 100_000,
                "ws://" + id + ".internal:8080/cluster/pipe");
    }

    @Test
    void shouldPlaceANewRoomOnTheNodeWithTheMostHeadroomAndSendEveryJoinThere() throws Exception {
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), "r1:", TIMEOUT)) {
            directory.register(node("relay-0", 60_000), Duration.ofSeconds(30));
            directory.register(node("relay-1", 10_000), Duration.ofSeconds(30));
            directory.register(node("relay-2", 40_000), Duration.ofSeconds(30));
            RoomRouter at0 = new RoomRouter(directory, HEADROOM, "relay-0", Duration.ofSeconds(30));
            RoomRouter at1 = new RoomRouter(directory, HEADROOM, "relay-1", Duration.ofSeconds(30));

            RoomRouter.Route first = at0.route("standup");
            assertEquals(new RoomRouter.Redirect("relay-1", "wss://relay-1.example.com/ws"), first,
                    "the least-loaded node gets the room, whichever node the first join reached");
            assertEquals(new RoomRouter.Local(), at1.route("standup"), "and keeps it");
            assertEquals(first, at0.route("standup"), "later joins at another node are sent there too");
        }
    }

    @Test
    void shouldMoveARoomWhoseNodeDiedOnTheNextJoin() throws Exception {
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), "r2:", TIMEOUT)) {
            directory.register(node("relay-0", 50_000), Duration.ofSeconds(30));
            directory.register(node("relay-1", 5_000), Duration.ofMillis(400));
            RoomRouter at0 = new RoomRouter(directory, HEADROOM, "relay-0", Duration.ofSeconds(30));
            assertInstanceOf(RoomRouter.Redirect.class, at0.route("retro"));

            Thread.sleep(800); // relay-1 stops reporting: its entry expires, its room's claim does not yet
            assertEquals(new RoomRouter.Local(), at0.route("retro"), "a rejoin lands on a live node");
        }
    }

    @Test
    void shouldRefuseWhenNoNodeHasRoom() throws Exception {
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), "r3:", TIMEOUT)) {
            RoomRouter router = new RoomRouter(directory, HEADROOM, "relay-0", Duration.ofSeconds(30));
            assertInstanceOf(RoomRouter.Refused.class, router.route("empty-cluster"));
            directory.register(node("relay-0", 99_500), Duration.ofSeconds(30));
            assertInstanceOf(RoomRouter.Refused.class, router.route("full-cluster"), "full: over its reserve");
        }
    }

    @Test
    void shouldKeepAJoinWhereItLandsWhenTheRoomsNodeIsFullOrAlwaysByConfiguration() throws Exception {
        try (RedisDirectory directory = RedisDirectory.connect(redis.url(), "r4:", TIMEOUT)) {
            directory.register(node("relay-0", 10_000), Duration.ofSeconds(30));
            directory.register(node("relay-1", 20_000), Duration.ofSeconds(30));
            RoomRouter whenFullAt1 = new RoomRouter(directory, HEADROOM, "relay-1", Duration.ofSeconds(30),
                    RoomRouter.Span.WHEN_FULL, 0.1);
            assertEquals(new RoomRouter.Redirect("relay-0", "wss://relay-0.example.com/ws"),
                    whenFullAt1.route("town-hall"), "a new room is placed, and its first join sent there");
            assertEquals(new RoomRouter.Redirect("relay-0", "wss://relay-0.example.com/ws"),
                    whenFullAt1.route("town-hall"), "its node has headroom: the next join is sent there too");

            directory.register(node("relay-0", 95_000), Duration.ofSeconds(30));
            assertEquals(new RoomRouter.Spanned("relay-0", "wss://relay-0.example.com/ws",
                    "ws://relay-0.internal:8080/cluster/pipe"),
                    whenFullAt1.route("town-hall"), "its node is full: the join stays, the room spans both");

            RoomRouter alwaysAt1 = new RoomRouter(directory, HEADROOM, "relay-1", Duration.ofSeconds(30),
                    RoomRouter.Span.ALWAYS, 0);
            directory.register(node("relay-0", 10_000), Duration.ofSeconds(30));
            assertEquals(new RoomRouter.Spanned("relay-0", "wss://relay-0.example.com/ws",
                    "ws://relay-0.internal:8080/cluster/pipe"),
                    alwaysAt1.route("town-hall"));
            RoomRouter neverAt1 = new RoomRouter(directory, HEADROOM, "relay-1", Duration.ofSeconds(30));
            directory.register(node("relay-0", 95_000), Duration.ofSeconds(30));
            assertInstanceOf(RoomRouter.Redirect.class, neverAt1.route("town-hall"), "full or not, by default");
            directory.register(new NodeLoad("relay-0", "wss://relay-0.example.com/ws", 0.1, 95_000, 0, 0, 100_000),
                    Duration.ofSeconds(30));
            assertInstanceOf(RoomRouter.Redirect.class, alwaysAt1.route("town-hall"),
                    "a node that takes no pipes is never spanned to");
        }
    }
}
