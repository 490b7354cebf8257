package dev.relay.cluster;

import java.util.Arrays;

/**
 * Node utilisation sampled at each tick of a simulation: the highest, lowest and mean over the
 * nodes, and their standard deviation. Utilisation is a node's streams over its capacity.
 */
public record UtilisationSeries(long[] tickMillis, float[] max, float[] min, float[] mean, float[] stdDev) {

    public UtilisationSeries {
        int n = tickMillis.length;
        if (max.length != n || min.length != n || mean.length != n || stdDev.length != n) {
            throw new IllegalArgumentException("series of different lengths");
        }
    }

    public int size() {
        return tickMillis.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UtilisationSeries s && Arrays.equals(tickMillis, s.tickMillis)
                && Arrays.equals(max, s.max) && Arrays.equals(min, s.min) && Arrays.equals(mean, s.mean)
                && Arrays.equals(stdDev, s.stdDev);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tickMillis) * 31 + Arrays.hashCode(max);
    }

    @Override
    public String toString() {
        return "UtilisationSeries[" + size() + " ticks]";
    }
}
