package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadTest {
    private static final Workload MEETINGS = Workload.meetings(10_000, 0.5);

    @Test
    void shouldGenerateTheSameRoomsFromTheSameSeed() {
        List<RoomPlan> a = MEETINGS.generate(11);
        List<RoomPlan> b = MEETINGS.generate(11);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).arrivalMillis(), b.get(i).arrivalMillis());
            assertEquals(a.get(i).durationMillis(), b.get(i).durationMillis());
            assertArrayEquals(a.get(i).joinDelaysMillis(), b.get(i).joinDelaysMillis());
        }
        assertNotEquals(a.get(0).arrivalMillis(), MEETINGS.generate(12).get(0).arrivalMillis());
    }

    @Test
    void shouldArriveAsAPoissonProcessWithLogNormalDurations() {
        List<RoomPlan> rooms = MEETINGS.generate(5);
        assertEquals(10_000, rooms.size());
        long[] durations = new long[rooms.size()];
        long previous = 0;
        for (int i = 0; i < rooms.size(); i++) {
            RoomPlan room = rooms.get(i);
            assertTrue(room.arrivalMillis() >= previous, "arrivals in order");
            previous = room.arrivalMillis();
            durations[i] = room.durationMillis();
            assertTrue(room.durationMillis() >= 300_000 && room.durationMillis() <= 14_400_000);
            for (long delay : room.joinDelaysMillis()) {
                assertTrue(delay >= 0 && delay <= room.durationMillis() / 2 + 1, "join within the first half");
            }
        }
        // mean gap 2 s; over 10,000 gaps its standard error is 1 %, so 5 % does not flake
        assertEquals(2.0, previous / 1000.0 / rooms.size(), 0.1);
        Arrays.sort(durations);
        // median 30 minutes; its standard error here is about 1 %
        assertEquals(1_800_000, durations[durations.length / 2], 90_000);
    }

    @ParameterizedTest(name = "offered {0}: {1} rooms/s")
    @CsvSource({
        // 200,000 streams x load / (mean duration 1,800 s x e^(0.7^2 / 2) = 2,300 s x mean 93.6 streams)
        "0.8, 0.7430",
        "1.1, 1.0216",
        "0.0, 0.0",
    })
    void shouldOfferTheLoadByLittlesLaw(double offered, double rate) {
        assertEquals(rate, Workload.arrivalsPerSecondFor(offered, 200_000, 1800, 0.7, MeetingSizes.typical()),
                0.001);
    }
}
