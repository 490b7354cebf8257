package dev.relay.codecs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.relay.codecs.rtcp.TransportCcFeedback;

/**
 * {@link TransportCcFeedback}: wrap, every accessor, a walk over every status, and a re-encode:
 * whatever the reader accepts, the writer must carry to an equal list of statuses and deltas.
 */
class TransportCcFuzzTest
{
    private final TransportCcFeedback feedback = new TransportCcFeedback();
    private final TransportCcFeedback reread = new TransportCcFeedback();
    private final int[] deltas = new int[TransportCcFeedback.MAX_STATUS_COUNT];
    private final byte[] rewritten = new byte[TransportCcFeedback.MAX_LENGTH];

    @FuzzTest
    void transportCc(final byte[] data)
    {
        final byte[] embedded = Placement.embed(data);
        final Trace exact = trace(data, 0, data.length);
        assertEquals(exact, trace(embedded, Placement.PREFIX, data.length));
        Placement.assertUnchanged(data, embedded);
        Placement.assertRejectsRangesOutside(data, feedback::wrap);
    }

    private Trace trace(final byte[] buf, final int off, final int len)
    {
        final Trace trace = new Trace();
        final boolean wrapped = feedback.wrap(buf, off, len);
        trace.add(wrapped);
        if (!wrapped)
        {
            return trace;
        }
        assertSame(buf, feedback.buffer());
        assertEquals(off, feedback.offset());
        final int length = feedback.length();
        final int count = feedback.packetStatusCount();
        final int chunks = feedback.chunkCount();
        assertTrue(length <= len && length % 4 == 0, "length " + length);
        assertTrue(count >= 1 && count <= TransportCcFeedback.MAX_STATUS_COUNT, "status count " + count);
        assertTrue(chunks >= 1, "no chunk");
        assertTrue(TransportCcFeedback.HEADER_LENGTH + 2 * chunks + feedback.deltasLength() <= length,
            "chunks and deltas run past the packet");
        final int referenceTime = feedback.referenceTime();
        assertTrue(referenceTime >= 0 && referenceTime <= TransportCcFeedback.REFERENCE_TIME_MASK);
        trace.add(length).add(feedback.senderSsrc()).add(feedback.mediaSsrc()).add(feedback.baseSequenceNumber())
            .add(count).add(referenceTime).add(feedback.feedbackPacketCount()).add(chunks)
            .add(feedback.receivedCount()).add(feedback.deltasLength());
        for (int i = 0; i < chunks; i++)
        {
            trace.add(feedback.chunk(i));
        }

        walk(trace, count, referenceTime);
        reencode(count);
        return trace;
    }

    /** Statuses are consecutive, symbols and deltas in their ranges, receive time their sum. */
    private void walk(final Trace trace, final int count, final int referenceTime)
    {
        long time = (long)referenceTime * TransportCcFeedback.TICKS_PER_REFERENCE_TIME;
        int received = 0;
        int deltaBytes = 0;
        for (int i = 0; i < count; i++)
        {
            assertTrue(feedback.nextStatus(), "status " + i + " of " + count);
            assertEquals((feedback.baseSequenceNumber() + i) & 0xFFFF, feedback.statusSequenceNumber());
            final int symbol = feedback.statusSymbol();
            final int delta = feedback.statusDeltaTicks();
            assertEquals(symbol != TransportCcFeedback.SYMBOL_NOT_RECEIVED, feedback.statusReceived());
            switch (symbol)
            {
                case TransportCcFeedback.SYMBOL_NOT_RECEIVED -> assertEquals(0, delta);
                case TransportCcFeedback.SYMBOL_SMALL_DELTA -> assertTrue(delta >= 0 && delta <= 255, "small " + delta);
                case TransportCcFeedback.SYMBOL_LARGE_DELTA -> assertTrue(delta >= -32768 && delta <= 32767, "large " + delta);
                default -> throw new AssertionError("symbol " + symbol);
            }
            time += delta;
            received += symbol == TransportCcFeedback.SYMBOL_NOT_RECEIVED ? 0 : 1;
            deltaBytes += symbol;
            assertEquals(time, feedback.statusReceiveTimeTicks());
            deltas[i] = symbol == TransportCcFeedback.SYMBOL_NOT_RECEIVED ? TransportCcFeedback.NOT_RECEIVED : delta;
            trace.add(symbol).add(delta);
        }
        assertFalse(feedback.nextStatus(), "the cursor stays at its end");
        assertEquals(feedback.receivedCount(), received);
        assertEquals(feedback.deltasLength(), deltaBytes);
    }

    private void reencode(final int count)
    {
        final int written = TransportCcFeedback.write(
            rewritten, 0, rewritten.length, feedback.senderSsrc(), feedback.mediaSsrc(), feedback.baseSequenceNumber(),
            feedback.referenceTime(), feedback.feedbackPacketCount(), deltas, count);
        assertTrue(written > 0 && written % 4 == 0, "rewritten length " + written);
        assertEquals(count, TransportCcFeedback.writtenStatusCount(rewritten, 0), "every status fits");
        assertTrue(reread.wrap(rewritten, 0, written), "the reader accepts what the writer wrote");
        assertEquals(written, reread.length());
        assertEquals(feedback.baseSequenceNumber(), reread.baseSequenceNumber());
        assertEquals(feedback.referenceTime(), reread.referenceTime());
        assertEquals(feedback.feedbackPacketCount(), reread.feedbackPacketCount());
        // Delta lengths may shrink: a peer may send a small delta with the large symbol.
        assertEquals(feedback.receivedCount(), reread.receivedCount());
        for (int i = 0; i < count; i++)
        {
            assertTrue(reread.nextStatus());
            final int expected = deltas[i];
            assertEquals(expected != TransportCcFeedback.NOT_RECEIVED, reread.statusReceived(), "status " + i);
            if (reread.statusReceived())
            {
                assertEquals(expected, reread.statusDeltaTicks(), "delta " + i);
            }
        }
    }
}
