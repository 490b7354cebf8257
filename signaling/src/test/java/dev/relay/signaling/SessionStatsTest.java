package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.sfu.RouterStats;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionStatsTest {

    @Test
    void shouldCountJoinsAndLeavesByReason() {
        try (RoomsFixture fixture = new RoomsFixture()) {
            Participant alice = fixture.join("alice", "r");
            Participant bob = fixture.join("bob", "r");
            fixture.join("carol", "s");
            fixture.rooms.leave(alice, LeaveReason.LEFT);
            fixture.rooms.leave(bob, LeaveReason.ICE_FAILED);
            fixture.rooms.leave(bob, LeaveReason.LEFT); // a second leave of one participant is not counted

            assertEquals(3, fixture.stats.joins());
            assertEquals(1, fixture.stats.leaves(LeaveReason.LEFT));
            assertEquals(1, fixture.stats.leaves(LeaveReason.ICE_FAILED));
            assertEquals(0, fixture.stats.leaves(LeaveReason.SHUTDOWN));
        }
    }

    @Test
    void shouldCountProducersAndActiveConsumersByKind() {
        Room room = PublishingRoom.create();
        SessionStats stats = new SessionStats();

        stats.countTracks(List.of(room));

        assertEquals(1, stats.producers("audio"));
        assertEquals(1, stats.producers("video"));
        assertEquals(0, stats.consumers("audio"), "an inactive slot is not forwarding");
        assertEquals(1, stats.consumers("video"));
    }

    @Test
    void shouldHandEachQualitySampleToTheListener() {
        try (RoomsFixture fixture = new RoomsFixture()) {
            List<QualitySample> seen = new ArrayList<>();
            fixture.stats.onQualitySample(seen::add);
            QualityMonitor monitor = new QualityMonitor(fixture.rooms, fixture.events, Runnable::run, fixture.stats);
            Room room = fixture.join("alice", "r").room();
            fixture.join("bob", "r");

            monitor.onRouterStats(room, new RouterStats(List.of(), List.of()), System.nanoTime() + 1_000_000_000L);

            assertEquals(2, seen.size(), "one sample per participant: " + seen);
        }
    }
}
