package dev.relay.codecs.rtp;

/**
 * Arithmetic on 16-bit RTP sequence numbers held in the low bits of an int.
 *
 * <p>Sequence numbers wrap (RFC 3550 §3), so "newer" means "ahead by less than half the space"
 * (serial number arithmetic, RFC 1982 §3.2), not "numerically greater".
 *
 * <p>At exactly half the space (32768 apart) the order is undefined by RFC 1982; here neither
 * number is newer than the other and {@link #diff} returns -32768 both ways. libwebrtc breaks
 * the tie by numeric order instead; nothing in a live stream sits 32768 apart.
 */
public final class SeqNum
{
    public static final int MASK = 0xFFFF;

    private SeqNum()
    {
    }

    /** @return true when {@code a} follows {@code b} by 1..32767 steps, modulo 2^16. */
    public static boolean isNewer(final int a, final int b)
    {
        return diff(a, b) > 0;
    }

    /** @return true when {@code a} equals {@code b} or {@link #isNewer(int, int)}. */
    public static boolean isNewerOrEqual(final int a, final int b)
    {
        return diff(a, b) >= 0;
    }

    /** @return the signed distance {@code a - b} modulo 2^16, in [-32768, 32767]. */
    public static int diff(final int a, final int b)
    {
        return (short)(a - b);
    }

    /** @return {@code a + delta} modulo 2^16, in [0, 65535]; {@code delta} may be negative. */
    public static int add(final int a, final int delta)
    {
        return (a + delta) & MASK;
    }
}
