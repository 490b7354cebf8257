package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.Demux;
import dev.relay.codecs.PacketKind;

/** {@link Demux#classify} on any datagram, against RFC 7983 §7 written out a second time. */
class DemuxFuzzTest
{
    @FuzzTest
    void classify(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final PacketKind kind = Demux.classify(data, 0, data.length);
        assertEquals(expected(data), kind);
        assertEquals(kind, Demux.classify(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(
            data, (buf, off, len) -> Demux.classify(buf, off, len) != PacketKind.UNKNOWN);
    }

    private static PacketKind expected(final byte[] data)
    {
        if (data.length == 0)
        {
            return PacketKind.UNKNOWN;
        }
        final int b0 = data[0] & 0xFF;
        final int b1 = data.length > 1 ? data[1] & 0xFF : -1;
        if (b0 <= 3 && data.length >= 20)
        {
            return PacketKind.STUN;
        }
        if (b0 >= 20 && b0 <= 63 && data.length >= 13)
        {
            return PacketKind.DTLS;
        }
        if (b0 >= 128 && b0 <= 191)
        {
            // RFC 5761 §4: RTCP packet types 192..223 in the second byte.
            final boolean rtcp = b1 >= 192 && b1 <= 223;
            if (rtcp && data.length >= 8)
            {
                return PacketKind.RTCP;
            }
            if (!rtcp && data.length >= 12)
            {
                return PacketKind.RTP;
            }
        }
        return PacketKind.UNKNOWN;
    }
}
