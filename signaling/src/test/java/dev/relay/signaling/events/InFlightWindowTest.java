package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InFlightWindowTest {

    /**
     * Sent seqs, acknowledged seqs (in arrival order), then the mark: every record below it is
     * acknowledged. With nothing in flight the mark is the next seq to send (here 100).
     */
    @ParameterizedTest(name = "sent {0}, acked {1} -> below {2}")
    @CsvSource({
            "'',           '',           100",
            "'1 2 3',      '',           1",
            "'1 2 3',      '1',          2",
            "'1 2 3',      '2',          1",
            "'1 2 3',      '3 2',        1",
            "'1 2 3',      '3 2 1',      100",
            "'1 2 3',      '2 1',        3",
            "'5 9 40',     '5',          9",
            "'5 9 40',     '9 5',        40",
            "'5 9 40',     '7',          5",
            "'1 2 3',      '1 1',        2",
    })
    void shouldAdvanceOnlyOverAcknowledgedPrefix(String sent, String acked, long below) {
        InFlightWindow w = new InFlightWindow(8);
        longs(sent).forEach(w::sent);
        longs(acked).forEach(w::acknowledged);
        assertEquals(below, w.acknowledgedBelow(100));
    }

    private static java.util.stream.LongStream longs(String s) {
        return s.isBlank() ? java.util.stream.LongStream.empty()
                : Arrays.stream(s.trim().split("\\s+")).mapToLong(Long::parseLong);
    }

    @Test
    void shouldWrapAroundItsRingAndReportFull() {
        InFlightWindow w = new InFlightWindow(4);
        assertEquals(4, w.capacity());
        for (long seq = 0; seq < 1000; seq++) {
            w.sent(seq);
            if (w.isFull()) {
                assertTrue(w.acknowledged(seq - 3));
            }
        }
        assertEquals(3, w.size());
        assertEquals(997, w.acknowledgedBelow(1000));
        assertFalse(w.acknowledged(5), "long acknowledged");
    }

    @Test
    void shouldRefuseASeqThatDoesNotGrow() {
        InFlightWindow w = new InFlightWindow(4);
        w.sent(3);
        assertThrows(IllegalArgumentException.class, () -> w.sent(3));
    }
}
