package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LossLedgerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void shouldMergeConsecutiveRoomSeqsIntoRangesPerRoom() throws Exception {
        LossLedger ledger = new LossLedger(10);
        ledger.record(LossLedger.Reason.SPOOL_FULL, "a", 3, T0);
        ledger.record(LossLedger.Reason.SPOOL_FULL, "a", 4, T0.plusMillis(5));
        ledger.record(LossLedger.Reason.SPOOL_FULL, "b", 1, T0.plusMillis(6));
        ledger.record(LossLedger.Reason.BUFFER_FULL, "a", 5, T0.plusMillis(7));
        ledger.record(LossLedger.Reason.REFUSED, "a", 9, T0.plusMillis(8));

        assertEquals(JSON.readTree("""
                {"lost":5,"reasons":{"buffer_full":1,"spool_full":3,"refused":1},
                 "since":"2026-11-29T10:00:00Z","until":"2026-11-29T10:00:00.008Z",
                 "rooms":[{"room":"a","from":3,"to":5},{"room":"a","from":9,"to":9},{"room":"b","from":1,"to":1}],
                 "truncated":false}"""), JSON.readTree(ledger.toData().toString()));
    }

    @Test
    void shouldKeepTheCountExactWhenTheRangesAreCapped() {
        LossLedger ledger = new LossLedger(2);
        for (long seq = 1; seq <= 20; seq += 2) {
            ledger.record(LossLedger.Reason.SPOOL_FULL, "a", seq, T0);
        }
        assertEquals(10, ledger.count());
        assertEquals(2, ledger.toData().get("rooms").size());
        assertTrue(ledger.toData().get("truncated").asBoolean());
    }

    @Test
    void shouldCountEventsOutsideAnyRoomWithoutARange() {
        LossLedger ledger = new LossLedger(2);
        ledger.record(LossLedger.Reason.BUFFER_FULL, null, 0, T0);
        assertEquals(1, ledger.count());
        assertEquals(0, ledger.toData().get("rooms").size());
        ledger.clear();
        assertTrue(ledger.isEmpty());
        assertEquals(0, ledger.toData().get("lost").asLong());
    }

    @Test
    void shouldTakeBackTheLossesOfAReportThatWasLostItself() throws Exception {
        LossLedger lostReport = new LossLedger(10);
        lostReport.record(LossLedger.Reason.SPOOL_FULL, "a", 3, T0);
        lostReport.record(LossLedger.Reason.SPOOL_FULL, "a", 4, T0.plusMillis(5));
        LossLedger ledger = new LossLedger(10);
        ledger.record(LossLedger.Reason.SPOOL_ERROR, "b", 7, T0.plusMillis(9));
        ledger.absorb(lostReport.toData());

        assertEquals(JSON.readTree("""
                {"lost":3,"reasons":{"spool_full":2,"spool_error":1},
                 "since":"2026-11-29T10:00:00Z","until":"2026-11-29T10:00:00.009Z",
                 "rooms":[{"room":"b","from":7,"to":7},{"room":"a","from":3,"to":4}],
                 "truncated":false}"""), JSON.readTree(ledger.toData().toString()));
    }
}
