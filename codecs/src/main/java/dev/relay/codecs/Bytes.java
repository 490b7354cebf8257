package dev.relay.codecs;

/**
 * Network-byte-order (big-endian) reads and writes on a {@code byte[]}, shared by the flyweights.
 *
 * <p>Kept to plain shifts so they compile to a few instructions and never allocate; callers
 * check bounds once in {@code wrap} rather than on every access.
 */
public final class Bytes
{
    private Bytes()
    {
    }

    /** @return true when {@code [off, off + len)} lies inside {@code buf}, overflow-safe. */
    public static boolean inBounds(final byte[] buf, final int off, final int len)
    {
        return buf != null && off >= 0 && len >= 0 && off <= buf.length - len;
    }

    public static int uint8(final byte[] buf, final int index)
    {
        return buf[index] & 0xFF;
    }

    public static int uint16(final byte[] buf, final int index)
    {
        return ((buf[index] & 0xFF) << 8) | (buf[index + 1] & 0xFF);
    }

    public static int uint24(final byte[] buf, final int index)
    {
        return ((buf[index] & 0xFF) << 16) | ((buf[index + 1] & 0xFF) << 8) | (buf[index + 2] & 0xFF);
    }

    public static int int32(final byte[] buf, final int index)
    {
        return ((buf[index] & 0xFF) << 24)
            | ((buf[index + 1] & 0xFF) << 16)
            | ((buf[index + 2] & 0xFF) << 8)
            | (buf[index + 3] & 0xFF);
    }

    public static long uint32(final byte[] buf, final int index)
    {
        return int32(buf, index) & 0xFFFF_FFFFL;
    }

    public static long int64(final byte[] buf, final int index)
    {
        return ((long)int32(buf, index) << 32) | uint32(buf, index + 4);
    }

    public static void putUint8(final byte[] buf, final int index, final int value)
    {
        buf[index] = (byte)value;
    }

    public static void putUint16(final byte[] buf, final int index, final int value)
    {
        buf[index] = (byte)(value >>> 8);
        buf[index + 1] = (byte)value;
    }

    public static void putUint24(final byte[] buf, final int index, final int value)
    {
        buf[index] = (byte)(value >>> 16);
        buf[index + 1] = (byte)(value >>> 8);
        buf[index + 2] = (byte)value;
    }

    public static void putInt32(final byte[] buf, final int index, final int value)
    {
        buf[index] = (byte)(value >>> 24);
        buf[index + 1] = (byte)(value >>> 16);
        buf[index + 2] = (byte)(value >>> 8);
        buf[index + 3] = (byte)value;
    }

    /** Writes the low 32 bits of {@code value}; RTP/RTCP carry unsigned 32-bit fields in longs. */
    public static void putUint32(final byte[] buf, final int index, final long value)
    {
        putInt32(buf, index, (int)value);
    }

    public static void putInt64(final byte[] buf, final int index, final long value)
    {
        putInt32(buf, index, (int)(value >>> 32));
        putInt32(buf, index + 4, (int)value);
    }
}
