package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.rtp.RtpPacket;

/** {@link RtpPacket}: wrap, every accessor, every extension id, and the in-place setters. */
class RtpPacketFuzzTest
{
    /** Past both RFC 8285 ranges (1..14 one-byte, 1..255 two-byte) on each side. */
    private static final int MIN_ID = -1;
    private static final int MAX_ID = 256;

    private final RtpPacket rtp = new RtpPacket();

    @FuzzTest
    void rtpPacket(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = trace(data, 0, data.length);
        assertEquals(exact, trace(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, rtp::wrap);
    }

    private Trace trace(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = rtp.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            return trace;
        }
        assertSame(buf, rtp.buffer());
        assertEquals(off, rtp.offset());
        assertEquals(len, rtp.length());

        final int csrcCount = rtp.csrcCount();
        trace.add(rtp.padding()).add(rtp.hasExtension()).add(csrcCount).add(rtp.marker()).add(rtp.payloadType())
            .add(rtp.sequenceNumber()).add(rtp.timestamp()).add(rtp.ssrc());
        for (int i = 0; i < csrcCount; i++)
        {
            trace.add(rtp.csrc(i));
        }

        final int end = off + len;
        final int headerLength = rtp.headerLength();
        final int payloadOffset = rtp.payloadOffset();
        final int payloadLength = rtp.payloadLength();
        final int paddingLength = rtp.paddingLength();
        trace.add(headerLength).add(payloadOffset - off).add(payloadLength).add(paddingLength);
        assertTrue(headerLength >= RtpPacket.FIXED_HEADER_LENGTH + 4 * csrcCount, "header length");
        assertEquals(off + headerLength, payloadOffset);
        assertTrue(payloadLength >= 0 && paddingLength >= 0, "negative payload or padding");
        assertTrue(payloadOffset + payloadLength + paddingLength <= end, "payload runs past the packet");
        assertEquals(rtp.padding(), paddingLength > 0);

        final int extensionOffset = rtp.extensionOffset();
        final int extensionLength = rtp.extensionLength();
        final int profile = rtp.extensionProfile();
        trace.add(profile).add(extensionOffset < 0 ? -1 : extensionOffset - off).add(extensionLength);
        if (rtp.hasExtension())
        {
            // RFC 3550 §5.3.1: the extension is the last part of the header.
            assertEquals(off + RtpPacket.FIXED_HEADER_LENGTH + 4 * csrcCount + 4, extensionOffset);
            assertEquals(payloadOffset, extensionOffset + extensionLength);
            assertTrue(profile >= 0 && profile <= 0xFFFF, "profile");
        }
        else
        {
            assertEquals(-1, extensionOffset);
            assertEquals(0, extensionLength);
            assertEquals(-1, profile);
            assertEquals(off + RtpPacket.FIXED_HEADER_LENGTH + 4 * csrcCount, payloadOffset);
        }

        for (int id = MIN_ID; id <= MAX_ID; id++)
        {
            final int data = rtp.findExtension(id);
            final int dataLength = rtp.lastExtensionLength();
            trace.add(data < 0 ? -1 : data - off).add(dataLength);
            if (data < 0)
            {
                assertEquals(-1, data);
                assertEquals(-1, dataLength, "length of an absent element");
                continue;
            }
            assertTrue(id >= 1 && id <= 255, "found reserved id " + id);
            assertTrue(data >= extensionOffset && data + dataLength <= extensionOffset + extensionLength,
                "element " + id + " outside the extension block");
            if (profile == RtpPacket.ONE_BYTE_PROFILE)
            {
                assertTrue(id <= 14, "one-byte id " + id);
                assertTrue(dataLength >= 1 && dataLength <= 16, "one-byte element length " + dataLength);
            }
            else
            {
                assertEquals(RtpPacket.TWO_BYTE_PROFILE, profile & 0xFFF0);
                assertTrue(dataLength >= 0 && dataLength <= 255, "two-byte element length " + dataLength);
            }
        }

        exerciseSetters();
        return trace;
    }

    /** Each setter changes its field only, and writing the old value back restores the bytes. */
    private void exerciseSetters()
    {
        final boolean marker = rtp.marker();
        final int payloadType = rtp.payloadType();
        final int sequenceNumber = rtp.sequenceNumber();
        final long timestamp = rtp.timestamp();
        final int ssrc = rtp.ssrc();

        rtp.marker(!marker);
        rtp.payloadType(payloadType ^ 0x7F);
        rtp.sequenceNumber(sequenceNumber ^ 0xFFFF);
        rtp.timestamp(timestamp ^ 0xFFFF_FFFFL);
        rtp.ssrc(~ssrc);
        assertEquals(!marker, rtp.marker());
        assertEquals(payloadType ^ 0x7F, rtp.payloadType());
        assertEquals(sequenceNumber ^ 0xFFFF, rtp.sequenceNumber());
        assertEquals(timestamp ^ 0xFFFF_FFFFL, rtp.timestamp());
        assertEquals(~ssrc, rtp.ssrc());

        rtp.marker(marker);
        rtp.payloadType(payloadType);
        rtp.sequenceNumber(sequenceNumber);
        rtp.timestamp(timestamp);
        rtp.ssrc(ssrc);
    }
}
