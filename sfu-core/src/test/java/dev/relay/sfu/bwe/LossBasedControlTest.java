package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LossBasedControlTest {
    private static final long MS = 1_000_000L;

    /** draft-ietf-rmcat-gcc-02 §6, from a target of 1 Mbit/s; the bound starts at 2 Mbit/s. */
    @ParameterizedTest(name = "{0} lost, {1} received")
    @CsvSource({
        "0, 40, true, 1050000, 0.0",
        "0, 100, true, 1050000, 0.0",
        "1, 59, true, 1050000, 0.0166666667",
        "1, 49, true, 1000000, 0.02",
        "2, 38, true, 1000000, 0.05",
        "4, 36, true, 1000000, 0.1",
        "8, 32, true, 900000, 0.2",
        "20, 20, true, 750000, 0.5",
        "40, 0, true, 500000, 1.0",
        "1, 10, false, 2000000, 0.0",
    })
    void shouldBoundTheTargetByTheLossOfAWindow(int lost, int received, boolean closed, long bound, double fraction) {
        LossBasedControl control = new LossBasedControl(2_000_000, 30_000, 10_000_000);
        assertEquals(closed, control.onReport(lost, received, 1_000_000, 0));
        assertEquals(bound, control.boundBps());
        assertEquals(fraction, control.lossFraction(), 1e-9);
    }

    @Test
    void shouldAddReportsUpUntilTheWindowHoldsEnough() {
        LossBasedControl control = new LossBasedControl(1_000_000, 30_000, 10_000_000);
        assertFalse(control.onReport(3, 7, 1_000_000, 0));
        assertFalse(control.onReport(3, 7, 1_000_000, 50 * MS));
        assertFalse(control.onReport(3, 7, 1_000_000, 100 * MS));
        assertTrue(control.onReport(3, 7, 1_000_000, 150 * MS));
        assertEquals(0.3, control.lossFraction(), 1e-9);
        assertEquals(850_000, control.boundBps());
    }

    @Test
    void shouldCloseASparseWindowAfterASecond() {
        LossBasedControl control = new LossBasedControl(1_000_000, 30_000, 10_000_000);
        assertFalse(control.onReport(1, 4, 1_000_000, 0));
        assertFalse(control.onReport(0, 0, 1_000_000, 999 * MS));
        assertTrue(control.onReport(2, 3, 1_000_000, 1_001 * MS));
        assertEquals(0.3, control.lossFraction(), 1e-9);
    }

    @Test
    void shouldStayWithinMinAndMaxAndRiseWithAProbe() {
        LossBasedControl control = new LossBasedControl(1_000_000, 30_000, 1_040_000);
        control.onReport(0, 50, 1_000_000, 0);
        assertEquals(1_040_000, control.boundBps());
        control.onReport(50, 0, 40_000, 10 * MS);
        assertEquals(30_000, control.boundBps());
        control.raiseTo(700_000);
        assertEquals(700_000, control.boundBps());
        control.raiseTo(5_000_000);
        assertEquals(1_040_000, control.boundBps());
    }
}
