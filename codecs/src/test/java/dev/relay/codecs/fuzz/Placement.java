package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;

/**
 * Where a fuzz target puts its input: exactly sized (every stray read throws) and embedded
 * between fill bytes (a stray read or write shows as a changed answer or a changed fill byte).
 */
final class Placement
{
    static final int PREFIX = 3;
    static final int SUFFIX = 5;
    /** All flags set: a stray read of a fill byte turns on every optional field. */
    static final byte FILL = (byte)0xFF;

    /** A parser entry point: wrap(), reset(), or a static check adapted to return a boolean. */
    @FunctionalInterface
    interface Wrap
    {
        boolean wrap(byte[] buf, int off, int len);
    }

    private Placement()
    {
    }

    /** @return {@code data} at {@link #PREFIX} in an array of {@link #FILL} bytes. */
    static byte[] embed(final byte[] data)
    {
        final byte[] buf = new byte[PREFIX + data.length + SUFFIX];
        Arrays.fill(buf, FILL);
        System.arraycopy(data, 0, buf, PREFIX, data.length);
        return buf;
    }

    /** Setters must restore what they changed and never write outside the wrapped range. */
    static void assertUnchanged(final byte[] data, final byte[] embedded)
    {
        final byte[] fill = new byte[PREFIX];
        Arrays.fill(fill, FILL);
        assertArrayEquals(fill, Arrays.copyOfRange(embedded, 0, PREFIX), "prefix written");
        assertArrayEquals(data, Arrays.copyOfRange(embedded, PREFIX, PREFIX + data.length), "input changed");
        final byte[] tail = new byte[SUFFIX];
        Arrays.fill(tail, FILL);
        assertArrayEquals(tail, Arrays.copyOfRange(embedded, PREFIX + data.length, embedded.length), "suffix written");
    }

    /** Ranges that do not lie inside the array are refused, never indexed. */
    static void assertRejectsRangesOutside(final byte[] data, final Wrap wrap)
    {
        final int len = data.length;
        assertFalse(wrap.wrap(data, 1, len), "range one past the end");
        assertFalse(wrap.wrap(data, 0, len + 1), "length one past the end");
        assertFalse(wrap.wrap(data, -1, len), "negative offset");
        assertFalse(wrap.wrap(data, 0, -1), "negative length");
        assertFalse(wrap.wrap(data, Integer.MAX_VALUE, 2), "offset + length overflows");
        assertFalse(wrap.wrap(null, 0, len), "null buffer");
    }
}
