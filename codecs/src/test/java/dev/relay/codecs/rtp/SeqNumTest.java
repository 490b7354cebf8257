package dev.relay.codecs.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeqNumTest
{
    @ParameterizedTest(name = "diff({0}, {1}) = {2}")
    @CsvSource({
        "1,     0,     1",
        "0,     1,     -1",
        "0,     65535, 1",       // wrapped forward
        "65535, 0,     -1",
        "5,     65530, 11",
        "65530, 5,     -11",
        "32767, 0,     32767",   // largest forward distance
        "32768, 0,     -32768",  // half the space: never "newer"
        "0,     32768, -32768",
        "1234,  1234,  0",
    })
    void shouldComputeSignedDistanceAcrossWrap(final int a, final int b, final int expected)
    {
        assertEquals(expected, SeqNum.diff(a, b));
    }

    @Test
    void shouldTreatWrappedSequenceNumberAsNewer()
    {
        assertTrue(SeqNum.isNewer(0, 65535));
        assertTrue(SeqNum.isNewer(10, 65500));
        assertFalse(SeqNum.isNewer(65535, 0));
        assertTrue(SeqNum.isNewer(100, 99));
        assertFalse(SeqNum.isNewer(99, 100));
    }

    @Test
    void shouldNotTreatEqualOrHalfSpaceApartAsNewer()
    {
        assertFalse(SeqNum.isNewer(7, 7));
        assertTrue(SeqNum.isNewerOrEqual(7, 7));
        assertFalse(SeqNum.isNewer(32768, 0));
        assertFalse(SeqNum.isNewer(0, 32768));
        assertTrue(SeqNum.isNewer(32767, 0));
    }

    @ParameterizedTest(name = "add({0}, {1}) = {2}")
    @CsvSource({
        "65535, 1,      0",
        "65530, 10,     4",
        "0,     -1,     65535",
        "3,     -5,     65534",
        "100,   65536,  100",
        "100,   -65536, 100",
        "0,     0,      0",
    })
    void shouldAddModulo16Bits(final int a, final int delta, final int expected)
    {
        assertEquals(expected, SeqNum.add(a, delta));
    }
}
