package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterArrivalTest {
    private static final long MS = 1_000_000L;

    /** Packets "sent@arrived" in ms; expected: each delta yielded, "send/arrival" in ms. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "packets within 5 ms form a group       | 0@100 1@101 6@106 7@107 12@112          | 6/6",
        "a growing queue shows in the deltas    | 0@100 10@112 20@124 30@136              | 10/12 10/12",
        "a late burst joins the group           | 0@100 10@130 18@131 30@150              | 18/31",
        "sent before the group is ignored       | 10@100 5@101 20@120 30@130              | 10/20",
        "a receive clock jump forward restarts  | 0@100 10@110 20@5000 30@5010 40@5020    | 10/10",
        "a receive clock jump back restarts     | 0@100 10@110 20@50 30@60 40@70 50@80    | 10/10 10/10",
        "one group yields nothing               | 0@100 1@101 2@102                       | ''",
    })
    void shouldYieldDeltasBetweenGroups(String name, String packets, String expected) {
        InterArrival groups = new InterArrival();
        StringBuilder actual = new StringBuilder();
        for (String p : packets.trim().split(" ")) {
            int at = p.indexOf('@');
            long sent = Long.parseLong(p.substring(0, at)) * MS;
            long arrived = Long.parseLong(p.substring(at + 1)) * MS;
            if (groups.onPacket(sent, arrived, 100)) {
                actual.append(actual.length() == 0 ? "" : " ")
                    .append(groups.sendDeltaNanos() / MS).append('/').append(groups.arrivalDeltaNanos() / MS);
            }
        }
        assertEquals(expected.trim(), actual.toString());
    }

    @Test
    void shouldReportSizeDeltaAndTheLaterGroupsArrival() {
        InterArrival groups = new InterArrival();
        assertFalse(groups.onPacket(0, 100 * MS, 1_000));
        assertFalse(groups.onPacket(2 * MS, 102 * MS, 1_000));
        assertFalse(groups.onPacket(10 * MS, 111 * MS, 500));
        assertTrue(groups.onPacket(20 * MS, 121 * MS, 500));
        assertEquals(500 - 2_000, groups.sizeDeltaBytes());
        assertEquals(111 * MS, groups.arrivalNanos());
        assertEquals(8 * MS, groups.sendDeltaNanos());
        assertEquals(9 * MS, groups.arrivalDeltaNanos());
    }
}
