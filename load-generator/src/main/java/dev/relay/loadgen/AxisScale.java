package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * A linear axis from {@code min} to {@code max} onto pixels, with round tick values (1, 2 or 5
 * times a power of ten apart). Pure, so the plot's layout is tested without drawing.
 *
 * @param min     the value at the axis's start pixel
 * @param max     the value at its end pixel, greater than min
 * @param step    the distance between ticks
 */
record AxisScale(double min, double max, double step) {

    /**
     * An axis from 0 up to the first tick at or above {@code dataMax}, with at most about
     * {@code ticks} intervals; NaN values are ignored, and no data gives 0..1.
     */
    static AxisScale fromZero(double dataMax, int ticks) {
        if (Double.isNaN(dataMax) || Double.isInfinite(dataMax) || dataMax <= 0) {
            return new AxisScale(0, 1, niceStep(1, ticks));
        }
        double step = niceStep(dataMax, ticks);
        double top = Math.ceil(dataMax / step - 1e-9) * step;
        return new AxisScale(0, top, step);
    }

    /** An axis from {@code from} to {@code to} with its ticks only where the caller draws them. */
    static AxisScale between(double from, double to) {
        if (!(to > from)) {
            return new AxisScale(from - 1, from + 1, 1);
        }
        return new AxisScale(from, to, to - from);
    }

    /** The largest of the known values, NaN if none is known. */
    static double maxOf(double[] values) {
        double max = Double.NaN;
        for (double v : values) {
            if (!Double.isNaN(v) && !Double.isInfinite(v) && (Double.isNaN(max) || v > max)) {
                max = v;
            }
        }
        return max;
    }

    /** 1, 2 or 5 times a power of ten, so that range / step is at most about {@code ticks}. */
    static double niceStep(double range, int ticks) {
        double raw = range / Math.max(1, ticks);
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }

    List<Double> ticks() {
        List<Double> out = new ArrayList<>();
        long n = Math.round((max - min) / step);
        for (long i = 0; i <= n; i++) {
            out.add(min + i * step);
        }
        return out;
    }

    /** The pixel of {@code value} on an axis running from pixel {@code from} to pixel {@code to}. */
    int pixel(double value, int from, int to) {
        return (int) Math.round(from + (value - min) / (max - min) * (to - from));
    }
}
