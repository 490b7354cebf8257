package dev.relay.codecs.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtpTimestampTest
{
    @ParameterizedTest(name = "diff({0}, {1}) = {2}")
    @CsvSource({
        "3000,       0,          3000",
        "0,          3000,       -3000",
        "1000,       4294966296, 2000",         // 2^32 - 1000: wrapped forward
        "4294966296, 1000,       -2000",
        "2147483647, 0,          2147483647",   // largest forward distance
        "2147483648, 0,          -2147483648",  // half the space
        "90000,      90000,      0",
    })
    void shouldComputeSignedDistanceAcrossWrap(final long a, final long b, final long expected)
    {
        assertEquals(expected, RtpTimestamp.diff(a, b));
    }

    @Test
    void shouldTreatWrappedTimestampAsNewer()
    {
        assertTrue(RtpTimestamp.isNewer(0L, 0xFFFF_FFFFL));
        assertFalse(RtpTimestamp.isNewer(0xFFFF_FFFFL, 0L));
        assertTrue(RtpTimestamp.isNewer(3000L, 0L));
        assertFalse(RtpTimestamp.isNewer(3000L, 3000L));
        assertTrue(RtpTimestamp.isNewerOrEqual(3000L, 3000L));
        assertFalse(RtpTimestamp.isNewer(0x8000_0000L, 0L));
    }

    @ParameterizedTest(name = "add({0}, {1}) = {2}")
    @CsvSource({
        "4294967295, 1,           0",
        "4294967000, 3000,        2704",
        "0,          -1,          4294967295",
        "100,        4294967296,  100",
        "100,        -4294967296, 100",
    })
    void shouldAddModulo32Bits(final long a, final long delta, final long expected)
    {
        assertEquals(expected, RtpTimestamp.add(a, delta));
    }
}
