package dev.relay.cluster;

import static dev.relay.cluster.NodeLoadTest.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdmissionTest {
    /** 10 % reserve of a 1,000 packets/s node = 100; a room is expected to cost 50. */
    private static final Admission ADMISSION = new Admission(0.10, 50);

    @ParameterizedTest(name = "egress {0}, cpu {1}, {2} growing: effective {3}, admitted {4}")
    @CsvSource({
        // empty node
        "0,   0.0, 0, 1000, true",
        // 850 used: 150 free, the room's 50 leaves exactly the reserve
        "850, 0.0, 0,  150, true",
        // one more packet and the reserve would be touched
        "851, 0.0, 0,  149, false",
        // growing rooms are charged their expected cost: 700 used, 300 free, 3 x 50 to come
        "700, 0.0, 3,  150, true",
        "700, 0.0, 4,  100, false",
        // CPU limits even when egress is low
        "100, 0.9, 0,  100, false",
        // past capacity: negative effective headroom, never admitted
        "990, 0.0, 5, -240, false",
    })
    void shouldKeepTheReserveFreeOnceGrowingRoomsHaveGrown(double egress, double cpu, int growing,
                                                           double effective, boolean admitted) {
        NodeLoad n = node("relay-0", cpu, egress, 0, growing, 1000);
        assertEquals(effective, ADMISSION.effectiveHeadroom(n), 1e-9);
        assertEquals(admitted, ADMISSION.admits(n));
    }

    @Test
    void shouldRejectAReserveOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Admission(1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Admission(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Admission(0.1, -1));
    }
}
