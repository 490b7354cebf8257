package dev.relay.codecs.rtp;

/**
 * Arithmetic on 32-bit RTP timestamps held unsigned in a long, as {@link RtpPacket#timestamp()}
 * returns them.
 *
 * <p>Same serial-number rules as {@link SeqNum} (RFC 1982 §3.2) over 2^32: at exactly 2^31 apart
 * neither timestamp is newer.
 */
public final class RtpTimestamp
{
    public static final long MASK = 0xFFFF_FFFFL;

    private RtpTimestamp()
    {
    }

    /** @return true when {@code a} follows {@code b} by 1..2^31-1 ticks, modulo 2^32. */
    public static boolean isNewer(final long a, final long b)
    {
        return diff(a, b) > 0;
    }

    /** @return true when {@code a} equals {@code b} or {@link #isNewer(long, long)}. */
    public static boolean isNewerOrEqual(final long a, final long b)
    {
        return diff(a, b) >= 0;
    }

    /** @return the signed distance {@code a - b} modulo 2^32, in [-2^31, 2^31 - 1]. */
    public static long diff(final long a, final long b)
    {
        return (int)(a - b);
    }

    /** @return {@code a + delta} modulo 2^32, in [0, 2^32 - 1]; {@code delta} may be negative. */
    public static long add(final long a, final long delta)
    {
        return (a + delta) & MASK;
    }
}
