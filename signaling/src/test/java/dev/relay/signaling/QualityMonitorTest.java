package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.sfu.RouterStats;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySampler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tracks make up each participant's quality sample, and that a closed room gets none. */
class QualityMonitorTest {
    private static final RouterStats NO_MEDIA = new RouterStats(List.of(), List.of());

    @Test
    void shouldCountEachParticipantsProducersAndActiveConsumers() {
        Room room = PublishingRoom.create();

        List<QualitySampler.ParticipantMedia> media = QualityMonitor.media(room);

        assertEquals(2, media.size());
        assertEquals("p1", media.get(0).participantId());
        assertArrayEquals(new int[] {1, 2}, media.get(0).producerIds());
        assertArrayEquals(new int[0], media.get(0).consumerIds());
        assertEquals("p2", media.get(1).participantId());
        assertArrayEquals(new int[0], media.get(1).producerIds());
        assertArrayEquals(new int[] {8}, media.get(1).consumerIds(), "an inactive slot's Consumer is gone");
    }

    @Test
    void shouldSampleEveryoneInAnOpenRoomAndNobodyOnceItClosed() {
        try (RoomsFixture fixture = new RoomsFixture()) {
            QualityMonitor monitor = new QualityMonitor(fixture.rooms, fixture.events, Runnable::run);
            Participant alice = fixture.join("alice", "r");
            Room first = alice.room();
            fixture.transcript.drain();

            monitor.onRouterStats(first, NO_MEDIA, System.nanoTime() + 1_000_000_000L);
            assertEquals(List.of("event participant.quality r p1 publish=0 subscribe=0"), fixture.transcript.drain());

            // The room closes and opens again under the same name before the old answer arrives;
            // that answer samples nobody (a room closes only when empty, so this holds with or
            // without QualityMonitor's isOpen check).
            fixture.rooms.leave(alice, LeaveReason.LEFT);
            fixture.join("bob", "r");
            fixture.transcript.drain();
            monitor.onRouterStats(first, NO_MEDIA, System.nanoTime() + 2_000_000_000L);
            assertEquals(List.of(), fixture.transcript.drain());
        }
    }
}
