package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.rtp.RedPayload;

/**
 * {@link RedPayload} over whatever a publisher sends with the RED payload type (RFC 2198): the
 * blocks it finds must tile the payload exactly (headers, then each block's data in order, the
 * primary taking the rest), lie inside the range, read the same at any offset, and a payload
 * type rewrite must touch only the block header's low seven bits.
 */
class RedPayloadFuzzTest
{
    private final RedPayload red = new RedPayload();

    @FuzzTest
    void red(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = trace(data, 0, data.length);
        assertEquals(exact, trace(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, red::wrap);
    }

    private Trace trace(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = red.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            assertEquals(0, red.blockCount());
            return trace;
        }
        final int blocks = red.blockCount();
        assertTrue(blocks >= 1 && blocks <= RedPayload.MAX_BLOCKS, "blocks " + blocks);
        int at = off + 4 * (blocks - 1) + 1;
        for (int i = 0; i < blocks; i++)
        {
            assertEquals(at, red.dataOffset(i), "block " + i + " starts where the one before ends");
            assertTrue(red.dataLength(i) >= 0 && red.dataLength(i) <= 1023, "length " + red.dataLength(i));
            assertTrue(red.timestampOffset(i) >= 0 && red.timestampOffset(i) < (1 << 14));
            at += red.dataLength(i);
            final int pt = red.payloadType(i);
            red.payloadType(i, ~pt);
            assertEquals(~pt & 0x7F, red.payloadType(i));
            red.payloadType(i, pt);
            trace.add(pt).add(red.timestampOffset(i)).add(red.dataLength(i));
        }
        assertEquals(off + len, at, "the blocks tile the payload");
        assertEquals(0, red.timestampOffset(red.primary()));
        return trace;
    }
}
