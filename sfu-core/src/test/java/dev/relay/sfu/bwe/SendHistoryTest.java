package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SendHistoryTest {
    /** A ring of 8; sent is the sequence numbers added in order, then each looked up: its send time or "-". */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "holds what was sent                  | 1 2 3             | 1 2 3 4      | 1 2 3 -",
        "wraps after 65535                    | 65534 65535 0 1   | 65534 65535 0 1 2 | 1 2 3 4 -",
        "the ninth overwrites the first       | 0 1 2 3 4 5 6 7 8 | 0 8 1        | - 9 2",
        "a slot answers only its own number   | 3                 | 11 3 65531   | - 1 -",
    })
    void shouldFindOnlyWhatTheRingStillHolds(String name, String sent, String lookups, String expected) {
        SendHistory history = new SendHistory(8);
        long t = 0;
        for (String s : sent.trim().split(" ")) {
            history.add(Integer.parseInt(s), 100, ++t, -1);
        }
        StringBuilder actual = new StringBuilder();
        for (String s : lookups.trim().split(" ")) {
            int slot = history.slot(Integer.parseInt(s));
            actual.append(actual.length() == 0 ? "" : " ").append(slot < 0 ? "-" : Long.toString(history.sendNanos(slot)));
        }
        assertEquals(expected.trim(), actual.toString());
    }

    @Test
    void shouldKeepSizeClusterAndFate() {
        SendHistory history = new SendHistory();
        history.add(70_000, 1_200, 5L, 3);
        int slot = history.slot(70_000 & 0xFFFF);
        assertEquals(1_200, history.bytes(slot));
        assertEquals(3, history.cluster(slot));
        assertEquals(SendHistory.UNREPORTED, history.fate(slot));
        history.markLost(slot);
        assertEquals(SendHistory.LOST, history.fate(slot));
        history.markAcked(slot);
        assertEquals(SendHistory.ACKED, history.fate(slot));
        history.add(70_000, 900, 6L, -1);
        assertEquals(SendHistory.UNREPORTED, history.fate(slot), "a new packet in the slot starts unreported");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 12, 65536})
    void shouldRejectCapacityThatIsNotAPowerOfTwoUpToHalfTheSpace(int capacity) {
        assertThrows(IllegalArgumentException.class, () -> new SendHistory(capacity));
    }
}
