package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SequenceExtenderTest {
    private final SequenceExtender seqs = new SequenceExtender();

    /** Numbers recorded in order, then the extended value each one got, relative to the first. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "in order                       | 10 11 12          | 0 1 2",
        "across the wrap                | 65534 65535 0 1   | 0 1 2 3",
        "late across the wrap           | 1 65535 2         | 0 -2 1",
        "reordered                      | 100 102 101       | 0 2 1",
        "half the space ahead is newer  | 0 32767           | 0 32767",
        "half the space is behind       | 0 32768           | 0 -32768",
        "two wraps                      | 0 30000 60000 24464 54464 | 0 30000 60000 90000 120000",
    })
    void shouldExtendWithinHalfTheSpaceOfTheHighest(String name, String input, String expected) {
        String[] in = input.trim().split(" +");
        String[] want = expected.trim().split(" +");
        long first = seqs.update(Integer.parseInt(in[0]));
        assertTrue(first > 32768, "stays positive half a space back");
        for (int i = 1; i < in.length; i++) {
            assertEquals(Long.parseLong(want[i]), seqs.update(Integer.parseInt(in[i])) - first, name + " at " + i);
        }
    }

    @Test
    void shouldExtendWithoutRecording() {
        assertFalse(seqs.started());
        long first = seqs.update(5);

        assertEquals(first + 3, seqs.extend(8));
        assertEquals(first, seqs.highest());
        assertEquals(first - 6, seqs.extend(65535));
    }

    @Test
    void shouldRestartAboveEverythingBefore() {
        long first = seqs.update(100);
        seqs.update(200);
        seqs.restart(100);

        assertTrue(seqs.highest() > first + 65536 + 200);
        assertEquals(100, seqs.highest() & 0xFFFF);
        assertEquals(seqs.highest() + 1, seqs.update(101));
    }
}
