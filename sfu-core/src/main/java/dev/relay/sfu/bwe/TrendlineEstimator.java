package dev.relay.sfu.bwe;

/**
 * Turns the per-group delay variation of {@link InterArrival} into a queue-growth signal m(i)
 * for the {@link OveruseDetector} (the role of draft-ietf-rmcat-gcc-02 §5.3's arrival-time filter).
 *
 * <p>Instead of the draft's Kalman filter it fits a line: the delay variations are summed into
 * the one-way queuing delay (up to an unknown constant), smoothed exponentially, and the slope
 * of that smoothed delay against arrival time is taken by least squares over the last
 * {@link #DEFAULT_WINDOW} groups. A slope of 0.05 means the queue grows by 5 % of the elapsed time:
 * the link receives about 5 % more than it drains. The slope is scaled by the number of deltas
 * seen (up to {@link #MAX_SCALE}) and a gain, so that it is compared in the detector against a
 * threshold in milliseconds like the draft's m(i).
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing after construction.
 */
final class TrendlineEstimator {
    static final int DEFAULT_WINDOW = 20;
    static final double DEFAULT_SMOOTHING = 0.9;
    static final double DEFAULT_GAIN = 4.0;
    /** The scaling stops growing after this many deltas, so the signal settles in about a second. */
    static final int MAX_SCALE = 60;

    private final int window;
    private final double smoothing;
    private final double gain;
    private final double[] xs;
    private final double[] ys;
    private int head;
    private int size;
    private int deltas;
    private boolean started;
    private long firstArrival;
    private double accumulatedMs;
    private double smoothedMs;
    private double slope;
    private double signal;

    TrendlineEstimator() {
        this(DEFAULT_WINDOW, DEFAULT_SMOOTHING, DEFAULT_GAIN);
    }

    TrendlineEstimator(int window, double smoothing, double gain) {
        if (window < 2) {
            throw new IllegalArgumentException("window must hold at least 2 points: " + window);
        }
        this.window = window;
        this.smoothing = smoothing;
        this.gain = gain;
        xs = new double[window];
        ys = new double[window];
    }

    /**
     * One delay variation between two groups.
     *
     * @param arrivalNanos when the later group arrived, on the receiver's clock.
     * @return the scaled slope, the m(i) of the detector, in milliseconds.
     */
    double update(long sendDeltaNanos, long arrivalDeltaNanos, long arrivalNanos) {
        if (!started) {
            started = true;
            firstArrival = arrivalNanos;
        }
        deltas++;
        accumulatedMs += (arrivalDeltaNanos - sendDeltaNanos) / 1e6;
        smoothedMs = smoothing * smoothedMs + (1 - smoothing) * accumulatedMs;
        xs[head] = (arrivalNanos - firstArrival) / 1e6;
        ys[head] = smoothedMs;
        head = head + 1 == window ? 0 : head + 1;
        if (size < window) {
            size++;
        }
        if (size == window) {
            slope = fitSlope();
        }
        signal = Math.min(deltas, MAX_SCALE) * slope * gain;
        return signal;
    }

    /** @return the last least-squares slope, unscaled: queuing delay gained per unit of time. */
    double slope() {
        return slope;
    }

    /** @return the last value {@link #update} returned. */
    double signal() {
        return signal;
    }

    /** @return how many deltas the signal's scaling counts, at most {@link #MAX_SCALE}. */
    int scale() {
        return Math.min(deltas, MAX_SCALE);
    }

    private double fitSlope() {
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < size; i++) {
            meanX += xs[i];
            meanY += ys[i];
        }
        meanX /= size;
        meanY /= size;
        double numerator = 0;
        double denominator = 0;
        for (int i = 0; i < size; i++) {
            double dx = xs[i] - meanX;
            numerator += dx * (ys[i] - meanY);
            denominator += dx * dx;
        }
        // All points at one arrival time say nothing about a trend: keep the last one.
        return denominator == 0 ? slope : numerator / denominator;
    }
}
