package dev.relay.codecs.fuzz;

import java.util.Arrays;

/**
 * Everything the accessors answered for one input, in order, with absolute offsets made
 * relative to the wrapped range, so that the same packet wrapped at two offsets compares equal.
 */
final class Trace
{
    private long[] values = new long[64];
    private int size;

    Trace add(final long value)
    {
        if (size == values.length)
        {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
        return this;
    }

    Trace add(final boolean value)
    {
        return add(value ? 1 : 0);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Trace that && Arrays.equals(values, 0, size, that.values, 0, that.size);
    }

    @Override
    public int hashCode()
    {
        int hash = 1;
        for (int i = 0; i < size; i++)
        {
            hash = 31 * hash + Long.hashCode(values[i]);
        }
        return hash;
    }

    @Override
    public String toString()
    {
        return Arrays.toString(Arrays.copyOf(values, size));
    }
}
