package dev.relay.codecs.rtcp;

/**
 * NTP timestamps as RTCP carries them (RFC 3550 §4): 64 bits, seconds since 1900 in the upper
 * 32 and the fraction in the lower 32 (RFC 5905 §6), and the "compact" middle 32 bits that
 * report blocks echo as LSR and that DLSR is measured in (1/65536 s).
 */
public final class NtpTime
{
    /** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
    private static final long EPOCH_OFFSET_SECONDS = 2_208_988_800L;

    private NtpTime()
    {
    }

    /** @return the 64-bit NTP timestamp of a Unix time in milliseconds. */
    public static long fromEpochMillis(final long epochMillis)
    {
        final long seconds = epochMillis / 1000 + EPOCH_OFFSET_SECONDS;
        final long fraction = ((epochMillis % 1000) << 32) / 1000;
        return (seconds << 32) | fraction;
    }

    /** @return the middle 32 bits of a 64-bit NTP timestamp (RFC 3550 §6.4.1 LSR), unsigned. */
    public static long compact(final long ntp)
    {
        return (ntp >>> 16) & 0xFFFF_FFFFL;
    }

    /**
     * Round-trip time from a report block (RFC 3550 §6.4.1, the figure under "DLSR"): A - LSR - DLSR,
     * all in compact NTP units.
     *
     * @return the RTT in milliseconds, or -1 when the result is negative or over 10 s (a clock
     *         step or a bogus DLSR, which wraps modulo 2^32)
     */
    public static double roundTripMillis(final long nowCompact, final long lsr, final long dlsr)
    {
        final long rtt = (nowCompact - lsr - dlsr) & 0xFFFF_FFFFL;
        if (rtt >= 65536L * 10)
        {
            return -1;
        }
        return rtt * 1000.0 / 65536.0;
    }
}
