package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrendlineEstimatorTest {
    private static final long MS = 1_000_000L;

    /**
     * Groups sent 10 ms apart arrive arrivalMs apart: the queue grows by (arrival - 10) ms per
     * arrivalMs of time, and the slope of the smoothed delay settles at exactly that ratio.
     */
    @ParameterizedTest(name = "arrivals {0} ms apart")
    @CsvSource({
        "10, 0",
        "11, 0.0909090909",
        "15, 0.3333333333",
        "9, -0.1111111111",
        "5, -1.0",
    })
    void shouldFindTheQueuesGrowthRate(int arrivalMs, double slope) {
        TrendlineEstimator trendline = new TrendlineEstimator();
        long arrival = 0;
        double signal = 0;
        for (int i = 0; i < 300; i++) {
            arrival += arrivalMs * MS;
            signal = trendline.update(10 * MS, arrivalMs * MS, arrival);
        }
        assertEquals(slope, trendline.slope(), 1e-6);
        assertEquals(TrendlineEstimator.MAX_SCALE * slope * TrendlineEstimator.DEFAULT_GAIN, signal, 1e-4);
    }

    @Test
    void shouldScaleByTheDeltasSeenUntilSixty() {
        TrendlineEstimator trendline = new TrendlineEstimator(3, 0.9, 4);
        long arrival = 0;
        for (int i = 1; i <= 80; i++) {
            arrival += 12 * MS;
            trendline.update(10 * MS, 12 * MS, arrival);
            assertEquals(Math.min(i, 60), trendline.scale());
        }
    }

    @Test
    void shouldSayNothingBeforeTheWindowFills() {
        TrendlineEstimator trendline = new TrendlineEstimator();
        long arrival = 0;
        for (int i = 0; i < TrendlineEstimator.DEFAULT_WINDOW - 1; i++) {
            arrival += 20 * MS;
            assertEquals(0.0, trendline.update(10 * MS, 20 * MS, arrival));
        }
    }
}
