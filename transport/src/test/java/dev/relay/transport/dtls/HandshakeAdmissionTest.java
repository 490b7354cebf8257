package dev.relay.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.dtls.HandshakeAdmission.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The caps and the eviction rule on a fake clock: handshakes are plain objects, time is a long. */
class HandshakeAdmissionTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long STALL = 3 * SECOND;

    /** A handshake: compared by identity, like a DtlsSession. */
    private static final class Hs {
        final String name;

        Hs(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Each row: caps, then a script of "address@seconds" arrivals, and the outcome of each.
     * Arrivals never released hold their slot.
     */
    static Stream<Arguments> scripts() {
        return Stream.of(
                Arguments.of("under both caps", 2, 2,
                        List.of("a@0", "b@0"), List.of("ADMITTED", "ADMITTED")),
                Arguments.of("total cap, nothing stalled yet", 2, 2,
                        List.of("a@0", "b@1", "c@2.9"), List.of("ADMITTED", "ADMITTED", "REFUSED_CAP")),
                Arguments.of("total cap, oldest stalled: evicted for the newcomer", 2, 2,
                        List.of("a@0", "b@1", "c@3"), List.of("ADMITTED", "ADMITTED", "ADMITTED evicts a@0")),
                Arguments.of("evictions go oldest first", 2, 4,
                        List.of("a@0", "b@1", "c@3", "d@3.5", "e@4"),
                        List.of("ADMITTED", "ADMITTED", "ADMITTED evicts a@0", "REFUSED_CAP", "ADMITTED evicts b@1")),
                Arguments.of("per-address cap, other addresses still admitted", 4, 2,
                        List.of("a@0", "a@0", "a@0", "b@0"),
                        List.of("ADMITTED", "ADMITTED", "REFUSED_IP_CAP", "ADMITTED")),
                Arguments.of("per-address cap wins over eviction", 2, 1,
                        List.of("a@0", "b@0", "a@10"), List.of("ADMITTED", "ADMITTED", "REFUSED_IP_CAP")),
                Arguments.of("eviction frees the evicted address's count", 1, 1,
                        List.of("a@0", "b@5", "a@5"), List.of("ADMITTED", "ADMITTED evicts a@0", "REFUSED_CAP")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void shouldDecideEachArrivalByCapsAndAge(String name, int maxInFlight, int maxPerAddress, List<String> arrivals,
                                             List<String> expected) {
        HandshakeAdmission<Hs> admission = new HandshakeAdmission<>(maxInFlight, maxPerAddress, STALL);
        List<String> outcomes = new ArrayList<>();
        for (String arrival : arrivals) {
            String address = arrival.substring(0, arrival.indexOf('@'));
            long now = (long) (Double.parseDouble(arrival.substring(arrival.indexOf('@') + 1)) * SECOND);
            HandshakeAdmission.Decision<Hs> decision = admission.admit(new Hs(arrival), address, now);
            outcomes.add(decision.outcome() + (decision.evicted() == null ? "" : " evicts " + decision.evicted()));
        }
        assertEquals(expected, outcomes);
        assertTrue(admission.inFlight() <= maxInFlight);
    }

    @Test
    void shouldFreeTheSlotOnReleaseOnceAndForgetTheAddress() {
        HandshakeAdmission<Hs> admission = new HandshakeAdmission<>(1, 1, STALL);
        Hs first = new Hs("first");
        assertEquals(Outcome.ADMITTED, admission.admit(first, "a", 0).outcome());
        assertEquals(Outcome.REFUSED_IP_CAP, admission.admit(new Hs("second"), "a", 0).outcome());

        assertTrue(admission.release(first));
        assertFalse(admission.release(first), "a second release frees nothing");
        assertEquals(0, admission.inFlight());
        assertEquals(0, admission.inFlight("a"));
        assertEquals(0, admission.addresses(), "no address kept at zero");
        assertEquals(Outcome.ADMITTED, admission.admit(new Hs("third"), "a", 0).outcome());
    }

    @Test
    void shouldNotTakeASecondSlotForAHandshakeAlreadyAdmitted() {
        HandshakeAdmission<Hs> admission = new HandshakeAdmission<>(2, 2, STALL);
        Hs hs = new Hs("hs");
        admission.admit(hs, "a", 0);
        HandshakeAdmission.Decision<Hs> again = admission.admit(hs, "a", 0);

        assertEquals(Outcome.ADMITTED, again.outcome());
        assertNull(again.evicted());
        assertEquals(1, admission.inFlight());
        assertEquals(1, admission.inFlight("a"));
    }

    @Test
    void shouldReleaseNothingForAnEvictedHandshake() {
        HandshakeAdmission<Hs> admission = new HandshakeAdmission<>(1, 1, STALL);
        Hs old = new Hs("old");
        admission.admit(old, "a", 0);
        HandshakeAdmission.Decision<Hs> decision = admission.admit(new Hs("new"), "b", STALL);

        assertSame(old, decision.evicted());
        assertFalse(admission.release(old), "its slot went to the newcomer");
        assertEquals(1, admission.inFlight());
        assertEquals(0, admission.inFlight("a"));
        assertEquals(1, admission.inFlight("b"));
    }

    @Test
    void shouldRejectNonPositiveLimits() {
        assertThrows(IllegalArgumentException.class, () -> new HandshakeAdmission<Hs>(0, 1, STALL));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeAdmission<Hs>(1, 0, STALL));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeAdmission<Hs>(1, 1, 0));
    }
}
