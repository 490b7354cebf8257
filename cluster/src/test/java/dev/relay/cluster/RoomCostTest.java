package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoomCostTest {

    @ParameterizedTest(name = "{0} participants: {1} streams, a join adds {2}")
    @CsvSource({
        "0,      0,   0",
        "1,      0,   2",
        "2,      2,   4",
        "3,      6,   6",
        "5,     20,  10",
        "10,    90,  20",
        "50,  2450, 100",
        "100, 9900, 200",
    })
    void shouldCostEveryParticipantForwardedToEveryOther(int participants, long streams, long addedByJoin) {
        assertEquals(streams, RoomCost.streams(participants));
        assertEquals(addedByJoin, RoomCost.streamsAddedByJoin(participants));
    }

    @Test
    void shouldConvertStreamsToPacketsPerSecond() {
        RoomCost cost = new RoomCost(150);
        assertEquals(90 * 150.0, cost.packetsPerSecond(10), 1e-9);
        assertEquals(7 * 150.0, cost.packetsPerSecond(7L), 1e-9);
    }

    @Test
    void shouldRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> RoomCost.streams(-1));
        assertThrows(IllegalArgumentException.class, () -> new RoomCost(0));
        assertThrows(IllegalArgumentException.class, () -> new RoomCost(Double.NaN));
    }
}
