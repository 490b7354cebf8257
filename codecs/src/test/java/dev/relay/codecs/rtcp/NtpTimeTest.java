package dev.relay.codecs.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NtpTimeTest
{
    @Test
    void shouldPlaceTheUnixEpochAtItsNtpSeconds()
    {
        assertEquals(2_208_988_800L << 32, NtpTime.fromEpochMillis(0));
    }

    @Test
    void shouldWriteMillisecondsAsABinaryFraction()
    {
        final long ntp = NtpTime.fromEpochMillis(1_500);
        assertEquals(2_208_988_801L, ntp >>> 32);
        assertEquals(0x8000_0000L, ntp & 0xFFFF_FFFFL);
    }

    @Test
    void shouldTakeTheMiddleThirtyTwoBitsAsCompactTime()
    {
        assertEquals(0x5678_9ABCL, NtpTime.compact(0x1234_5678_9ABC_DEF0L));
    }

    @ParameterizedTest(name = "now={0} lsr={1} dlsr={2} -> {3} ms")
    @CsvSource({
        // 0.1 s round trip: 6553.6 compact units
        "100000, 80000, 13446, 100.006103515625",
        // no time in the peer, the whole delay is the path
        "65536, 0, 0, 1000.0",
        // wrap of the 32-bit compact clock between LSR and now
        "100, 4294967286, 0, 1.678466796875",
        // DLSR larger than the elapsed time: a negative RTT is refused
        "1000, 900, 200, -1",
        // over 10 s: refused as a clock step
        "700000, 0, 0, -1",
    })
    void shouldComputeRoundTripFromReportBlock(final long now, final long lsr, final long dlsr, final double ms)
    {
        assertEquals(ms, NtpTime.roundTripMillis(now, lsr, dlsr), 1e-9);
    }
}
