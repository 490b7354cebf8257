package dev.relay.cluster;

import java.util.random.RandomGenerator;

/**
 * The number of participants a room reaches: a discrete power law truncated to
 * [minimum, maximum], P(n) proportional to n^-exponent (docs/scale-out.md "Meeting sizes").
 *
 * <p>Why this shape: most calls are small (one-to-one calls and small team meetings) and a few are
 * large (all-hands, classes, webinars). With exponent 2.2 over 2..100: 45 % of rooms have 2
 * participants, 79 % have 2 to 5, 11 % have 10 or more and 2 % have 30 or more, with a mean of
 * 5.3 participants. The tail matters more than its share of rooms: a room's cost grows as n(n - 1)
 * ({@link RoomCost}), so the 2 % of rooms with 30 or more participants make most of the load.
 * Sampling is by inverse CDF over a precomputed table, so a seeded generator gives the same sizes.
 */
public final class MeetingSizes {
    private final int minimum;
    private final int maximum;
    private final double exponent;
    /** cumulative[i] = P(size <= minimum + i). */
    private final double[] cumulative;

    public MeetingSizes(int minimum, int maximum, double exponent) {
        if (minimum < 1 || maximum < minimum) {
            throw new IllegalArgumentException("need 1 <= minimum <= maximum: " + minimum + ".." + maximum);
        }
        if (!(exponent > 0)) {
            throw new IllegalArgumentException("exponent must be positive: " + exponent);
        }
        this.minimum = minimum;
        this.maximum = maximum;
        this.exponent = exponent;
        this.cumulative = new double[maximum - minimum + 1];
        double total = 0;
        for (int n = minimum; n <= maximum; n++) {
            total += Math.pow(n, -exponent);
            cumulative[n - minimum] = total;
        }
        for (int i = 0; i < cumulative.length; i++) {
            cumulative[i] /= total;
        }
        cumulative[cumulative.length - 1] = 1.0;
    }

    /** The distribution the simulation uses: 2..100 participants, exponent 2.2. */
    public static MeetingSizes typical() {
        return new MeetingSizes(2, 100, 2.2);
    }

    public int minimum() {
        return minimum;
    }

    public int maximum() {
        return maximum;
    }

    public double exponent() {
        return exponent;
    }

    public double probability(int participants) {
        if (participants < minimum || participants > maximum) {
            return 0;
        }
        int i = participants - minimum;
        return i == 0 ? cumulative[0] : cumulative[i] - cumulative[i - 1];
    }

    /** P(minimum <= size <= participants). */
    public double cumulative(int participants) {
        if (participants < minimum) {
            return 0;
        }
        return participants >= maximum ? 1.0 : cumulative[participants - minimum];
    }

    public double meanParticipants() {
        double mean = 0;
        for (int n = minimum; n <= maximum; n++) {
            mean += n * probability(n);
        }
        return mean;
    }

    /** Mean of n(n - 1) over the distribution: the expected streams of a room once full. */
    public double meanStreams() {
        double mean = 0;
        for (int n = minimum; n <= maximum; n++) {
            mean += RoomCost.streams(n) * probability(n);
        }
        return mean;
    }

    public int sample(RandomGenerator random) {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return minimum + lo;
    }
}
