package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Round tick steps, the axis top, and values onto pixels. */
class AxisScaleTest {

    @ParameterizedTest(name = "range {0} in {1} ticks: step {2}")
    @CsvSource({"100, 5, 20", "1, 5, 0.2", "95000, 6, 20000", "60000, 6, 10000", "7, 6, 2", "3, 6, 0.5",
        "12345, 5, 5000", "1000, 10, 100"})
    void shouldPickOneTwoOrFiveTimesAPowerOfTen(double range, int ticks, double step) {
        assertEquals(step, AxisScale.niceStep(range, ticks), step * 1e-9);
    }

    @ParameterizedTest(name = "max {0}: 0..{1} step {2}")
    @CsvSource({"95000, 100000, 20000", "60000, 60000, 10000", "36055, 40000, 10000", "0, 1, 0.2",
        "NaN, 1, 0.2", "-5, 1, 0.2"})
    void shouldStartAtZeroAndEndOnATick(double dataMax, double top, double step) {
        AxisScale axis = AxisScale.fromZero(dataMax, 6);
        assertEquals(0, axis.min());
        assertEquals(top, axis.max(), 1e-9);
        assertEquals(step, axis.step(), 1e-9);
    }

    @Test
    void shouldListTicksFromMinToMax() {
        assertEquals(List.of(0.0, 20000.0, 40000.0, 60000.0, 80000.0, 100000.0), AxisScale.fromZero(95000, 6).ticks());
    }

    @ParameterizedTest(name = "{0} on 0..100 -> pixel {1}")
    @CsvSource({"0, 400", "100, 40", "50, 220", "25, 310"})
    void shouldMapValuesOntoPixelsEitherWay(double value, int pixel) {
        // A y axis: value 0 at the bottom pixel 400, 100 at the top pixel 40.
        assertEquals(pixel, new AxisScale(0, 100, 20).pixel(value, 400, 40));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"1 5 3 | 5", "NaN 2 NaN | 2", "NaN NaN | NaN", "-1 -3 | -1"})
    void shouldTakeTheLargestKnownValue(String values, double max) {
        double[] v = java.util.Arrays.stream(values.split(" ")).mapToDouble(Double::parseDouble).toArray();
        assertEquals(max, AxisScale.maxOf(v));
    }

    @Test
    void shouldSpanAnEmptyRange() {
        AxisScale axis = AxisScale.between(5, 5);
        assertEquals(4, axis.min());
        assertEquals(6, axis.max());
    }
}
