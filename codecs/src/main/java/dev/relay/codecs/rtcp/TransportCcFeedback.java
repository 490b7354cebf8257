package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.SeqNum;

/**
 * Flyweight over a transport-wide congestion control feedback message (RTPFB FMT=15): for a
 * range of transport-wide sequence numbers, which packets arrived and when. The media sender
 * feeds it to its delay-based bandwidth estimate; Chromium raises its send rate and turns on
 * upper simulcast layers only while it gets this feedback.
 *
 * <p>Reading: {@link #wrap} checks the whole message once, then {@link #nextStatus()} walks the
 * statuses in sequence-number order without allocating. Writing: {@link #write} encodes one
 * message from per-packet receive deltas, as much of them as the caller's capacity holds.
 */
public final class TransportCcFeedback
{
    /*
     * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
     * https://datatracker.ietf.org/doc/html/draft-holmer-rmcat-transport-wide-cc-extensions-01#section-3.1
     * Common header in FeedbackHeader (RFC 4585 §6.1), then:
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |      base sequence number     |      packet status count      |  12
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                 reference time                | fb pkt. count |  16
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |          packet chunk         |         packet chunk          |  20
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * .                                                               .
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |         packet chunk          |  recv delta   |  recv delta   |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * .                                                               .
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |           recv delta          |  recv delta   | zero padding  |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * Status symbols, §3.1.1: 00 not received; 01 received, small delta; 10 received, large or
     * negative delta; 11 reserved. Packet chunks, §3.1.3 and §3.1.4, cover the statuses in order:
     *
     *  0                   1
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |0| S |       run length        |   run length: one symbol S repeated
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |1|0|       symbol list         |   status vector: 14 one-bit symbols (0 not received,
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                  1 received with a small delta)
     * |1|1|       symbol list         |   status vector: 7 two-bit symbols
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * Receive deltas, §3.1.5, one per received packet in sequence-number order, in 250 us ticks:
     * the first relative to the reference time (24 bits of 64 ms), each next one relative to the
     * previous received packet. A small delta is one unsigned byte (0 to 63.75 ms), a large one
     * two bytes, signed (-8192 to 8191.75 ms). The last chunk's unused symbols, past the packet
     * status count, are ignored.
     */
    static final int BASE_SEQUENCE_OFFSET = 12;
    static final int STATUS_COUNT_OFFSET = 14;
    static final int REFERENCE_TIME_OFFSET = 16;
    static final int FEEDBACK_COUNT_OFFSET = 19;
    static final int CHUNKS_OFFSET = 20;
    /** Everything before the first packet chunk. */
    public static final int HEADER_LENGTH = 20;
    public static final int FMT = 15;

    public static final int SYMBOL_NOT_RECEIVED = 0;
    public static final int SYMBOL_SMALL_DELTA = 1;
    public static final int SYMBOL_LARGE_DELTA = 2;
    static final int SYMBOL_RESERVED = 3;

    static final int CHUNK_LENGTH = 2;
    static final int VECTOR_BIT = 0x8000;
    static final int TWO_BIT_SYMBOLS_BIT = 0x4000;
    static final int RUN_SYMBOL_SHIFT = 13;
    /** Run length is 13 bits. */
    public static final int MAX_RUN_LENGTH = 0x1FFF;
    public static final int ONE_BIT_VECTOR_CAPACITY = 14;
    public static final int TWO_BIT_VECTOR_CAPACITY = 7;

    /** Receive delta resolution. */
    public static final long DELTA_TICK_NANOS = 250_000L;
    /** 64 ms of reference time in receive-delta ticks. */
    public static final int TICKS_PER_REFERENCE_TIME = 256;
    public static final int REFERENCE_TIME_MASK = 0xFF_FFFF;
    public static final int MAX_SMALL_DELTA = 0xFF;
    public static final int MIN_LARGE_DELTA = Short.MIN_VALUE;
    public static final int MAX_LARGE_DELTA = Short.MAX_VALUE;
    public static final int MAX_STATUS_COUNT = 0xFFFF;
    /** The RTCP length field counts at most 65536 words (RFC 3550 §6.4.1). */
    public static final int MAX_LENGTH = 0x1_0000 * 4;
    /** {@link #write} input for a packet that did not arrive; no delta is that far out of range. */
    public static final int NOT_RECEIVED = Integer.MIN_VALUE;

    /** Length of the transport-wide sequence number header extension element, draft §2. */
    static final int SEQUENCE_NUMBER_EXTENSION_LENGTH = 2;

    /** {@link #chunkAt} answers a kind in the high half and the statuses it covers in the low half. */
    private static final int KIND_SHIFT = 16;
    private static final int COVERAGE_MASK = 0xFFFF;
    private static final int RUN = 0;
    private static final int ONE_BIT_VECTOR = 1;
    private static final int TWO_BIT_VECTOR = 2;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;
    private int statusCount;
    private int chunkCount;
    private int receivedCount;
    private int deltasOffset;
    private int deltasLength;

    private int statusIndex;
    private int nextChunkOffset;
    private int chunk;
    private int chunkSymbols;
    private int chunkPosition;
    private int nextDeltaOffset;
    private int symbol;
    private int delta;
    private long receiveTimeTicks;

    /**
     * Checks every chunk and that every receive delta lies inside the packet, then rewinds the
     * status cursor.
     *
     * @return false unless this is an RTPFB message with FMT=15, a packet status count of at
     *     least 1 (libwebrtc refuses empty ones too), chunks that cover that count without the
     *     reserved symbol, and a receive delta for each received packet. RTCP padding (P=1, the
     *     count in the last byte) is honoured; zero padding after the deltas is ignored. A message
     *     without receive deltas (transport-cc-02's timestamp-less mode, never sent for -01) is
     *     refused.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || !FeedbackHeader.matches(header, RtcpHeader.PT_RTPFB, FMT))
        {
            return false;
        }
        final int length = header.lengthInBytes();
        if (length < HEADER_LENGTH + CHUNK_LENGTH)
        {
            return false;
        }
        int end = off + length;
        if (header.padding())
        {
            // RFC 3550 §6.4.1: the last octet counts the padding, itself included.
            final int padding = buf[end - 1] & 0xFF;
            if (padding == 0 || padding > length - HEADER_LENGTH)
            {
                return false;
            }
            end -= padding;
        }
        final int count = Bytes.uint16(buf, off + STATUS_COUNT_OFFSET);
        if (count == 0)
        {
            return false;
        }

        int position = off + CHUNKS_OFFSET;
        int covered = 0;
        int chunks = 0;
        int received = 0;
        int deltaBytes = 0;
        while (covered < count)
        {
            if (position + CHUNK_LENGTH > end)
            {
                return false;
            }
            final int word = Bytes.uint16(buf, position);
            position += CHUNK_LENGTH;
            chunks++;
            final int symbols = Math.min(capacity(word), count - covered);
            if ((word & VECTOR_BIT) == 0)
            {
                // A run is one symbol: account for all of it at once.
                final int s = symbol(word, 0);
                if (s == SYMBOL_RESERVED && symbols > 0)
                {
                    return false;
                }
                received += s == SYMBOL_NOT_RECEIVED ? 0 : symbols;
                deltaBytes += symbols * s;
            }
            else
            {
                for (int i = 0; i < symbols; i++)
                {
                    final int s = symbol(word, i);
                    if (s == SYMBOL_RESERVED)
                    {
                        return false;
                    }
                    received += s == SYMBOL_NOT_RECEIVED ? 0 : 1;
                    // A symbol's value is its delta's size in bytes.
                    deltaBytes += s;
                }
            }
            covered += symbols;
        }
        if (deltaBytes > end - position)
        {
            return false;
        }

        buffer = buf;
        offset = off;
        statusCount = count;
        chunkCount = chunks;
        receivedCount = received;
        deltasOffset = position;
        deltasLength = deltaBytes;
        rewind();
        return true;
    }

    public byte[] buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /** @return the message's size from its length field, padding included. */
    public int length()
    {
        return header.lengthInBytes();
    }

    public int senderSsrc()
    {
        return FeedbackHeader.senderSsrc(buffer, offset);
    }

    /** libwebrtc fills in the SSRC of one of the media streams; transport-wide feedback ignores it. */
    public int mediaSsrc()
    {
        return FeedbackHeader.mediaSsrc(buffer, offset);
    }

    /** @return the transport-wide sequence number of the first status. */
    public int baseSequenceNumber()
    {
        return Bytes.uint16(buffer, offset + BASE_SEQUENCE_OFFSET);
    }

    public int packetStatusCount()
    {
        return statusCount;
    }

    /**
     * @return the 24-bit reference time in multiples of 64 ms. The draft calls it signed; senders
     *     (libwebrtc among them) write their clock modulo 2^24, so compare two messages' values
     *     modulo 2^24 too.
     */
    public int referenceTime()
    {
        return Bytes.uint24(buffer, offset + REFERENCE_TIME_OFFSET);
    }

    /** @return the 8-bit count of feedback messages the sender has sent, for spotting lost ones. */
    public int feedbackPacketCount()
    {
        return Bytes.uint8(buffer, offset + FEEDBACK_COUNT_OFFSET);
    }

    public int chunkCount()
    {
        return chunkCount;
    }

    /** @return the i-th packet chunk as the 16-bit word on the wire; {@code i} below {@link #chunkCount()}. */
    public int chunk(final int i)
    {
        return Bytes.uint16(buffer, offset + CHUNKS_OFFSET + i * CHUNK_LENGTH);
    }

    /** @return how many of the statuses say received, each with a receive delta. */
    public int receivedCount()
    {
        return receivedCount;
    }

    /** @return bytes taken by the receive deltas. */
    public int deltasLength()
    {
        return deltasLength;
    }

    /** Puts the status cursor before the first status; {@link #wrap} does this already. */
    public void rewind()
    {
        statusIndex = -1;
        nextChunkOffset = offset + CHUNKS_OFFSET;
        chunk = 0;
        chunkSymbols = 0;
        chunkPosition = 0;
        nextDeltaOffset = deltasOffset;
        symbol = SYMBOL_NOT_RECEIVED;
        delta = 0;
        receiveTimeTicks = (long)referenceTime() * TICKS_PER_REFERENCE_TIME;
    }

    /**
     * Moves the cursor to the next status, in sequence-number order from the base.
     *
     * @return false once all {@link #packetStatusCount()} statuses have been visited.
     */
    public boolean nextStatus()
    {
        if (statusIndex + 1 >= statusCount)
        {
            return false;
        }
        statusIndex++;
        // Zero-length runs are legal, if useless: skip them as libwebrtc does.
        while (chunkPosition == chunkSymbols)
        {
            chunk = Bytes.uint16(buffer, nextChunkOffset);
            nextChunkOffset += CHUNK_LENGTH;
            chunkSymbols = capacity(chunk);
            chunkPosition = 0;
        }
        symbol = symbol(chunk, chunkPosition++);
        if (symbol == SYMBOL_SMALL_DELTA)
        {
            delta = Bytes.uint8(buffer, nextDeltaOffset);
            nextDeltaOffset += 1;
        }
        else if (symbol == SYMBOL_LARGE_DELTA)
        {
            delta = (short)Bytes.uint16(buffer, nextDeltaOffset);
            nextDeltaOffset += 2;
        }
        else
        {
            delta = 0;
        }
        receiveTimeTicks += delta;
        return true;
    }

    /** @return the current status's transport-wide sequence number, wrapping after 65535. */
    public int statusSequenceNumber()
    {
        return SeqNum.add(baseSequenceNumber(), statusIndex);
    }

    /** @return {@link #SYMBOL_NOT_RECEIVED}, {@link #SYMBOL_SMALL_DELTA} or {@link #SYMBOL_LARGE_DELTA}. */
    public int statusSymbol()
    {
        return symbol;
    }

    public boolean statusReceived()
    {
        return symbol != SYMBOL_NOT_RECEIVED;
    }

    /** @return the current packet's receive delta in 250 us ticks, 0 when not received. */
    public int statusDeltaTicks()
    {
        return delta;
    }

    /**
     * @return arrival of the current packet, or of the last received one before it, in 250 us
     *     ticks of the feedback sender's clock: reference time plus the deltas so far.
     */
    public long statusReceiveTimeTicks()
    {
        return receiveTimeTicks;
    }

    /**
     * Reads the transport-wide sequence number header extension (draft §2: one 16-bit value).
     *
     * @param rtp a wrapped packet.
     * @param extensionId the id negotiated for the extension.
     * @return 0..65535, or -1 when the packet has no such element or it is shorter than 2 bytes.
     *     A longer element (transport-cc-02 appends a feedback request) still starts with it.
     */
    public static int transportSequenceNumber(final RtpPacket rtp, final int extensionId)
    {
        final int index = rtp.findExtension(extensionId);
        if (index < 0 || rtp.lastExtensionLength() < SEQUENCE_NUMBER_EXTENSION_LENGTH)
        {
            return -1;
        }
        return Bytes.uint16(rtp.buffer(), index);
    }

    /** @return the status symbol that carries {@code delta}, or -1 when no symbol can. */
    public static int symbolFor(final int delta)
    {
        if (delta == NOT_RECEIVED)
        {
            return SYMBOL_NOT_RECEIVED;
        }
        if (delta >= 0 && delta <= MAX_SMALL_DELTA)
        {
            return SYMBOL_SMALL_DELTA;
        }
        if (delta >= MIN_LARGE_DELTA && delta <= MAX_LARGE_DELTA)
        {
            return SYMBOL_LARGE_DELTA;
        }
        return -1;
    }

    /**
     * Writes one feedback message for as many of {@code deltas[0..count)} as fit in
     * {@code capacity} bytes. The number of statuses it covers is its packet status count, read
     * back with {@link #writtenStatusCount}; the caller reports the rest in a next message, from
     * base sequence number {@code baseSequenceNumber + writtenStatusCount}.
     *
     * <p>Each chunk is the one that covers the most statuses from where the last one ended: a run
     * when one symbol repeats 14 times or more; else a one-bit vector of 14 when none of those
     * 14 needs a large delta; else a run of 7 to 13; else a two-bit vector of 7. The last chunk
     * may leave symbols unused.
     *
     * <p>The message stops early, and then always after a received packet (the lost ones after
     * it go in the next message, with the arrival that ends them), when
     * <ul>
     * <li>the next status would take the message past {@code capacity} (padding included),</li>
     * <li>the next delta fits in no symbol (more than 8191.75 ms from the previous arrival: draft
     * §3.1.5 asks for a new message, whose reference time can cover the gap), or</li>
     * <li>65535 statuses are reached.</li>
     * </ul>
     *
     * @param capacity bytes available at {@code dst[off]}, at most the array's rest; 24 hold one
     *     received packet, 28 one after a run of lost ones.
     * @param referenceTime in 64 ms units; its low 24 bits are written.
     * @param feedbackPacketCount its low 8 bits are written.
     * @param deltas per status from {@code baseSequenceNumber} on: the receive delta in 250 us
     *     ticks (from the reference time for the first received, else from the previous
     *     received), or {@link #NOT_RECEIVED}.
     * @return bytes written, a multiple of 4; 0, with nothing written, when {@code count} is 0
     *     or the message would have to stop before its first received packet.
     */
    public static int write(
        final byte[] dst,
        final int off,
        final int capacity,
        final int senderSsrc,
        final int mediaSsrc,
        final int baseSequenceNumber,
        final int referenceTime,
        final int feedbackPacketCount,
        final int[] deltas,
        final int count)
    {
        final int limit = Math.min(Math.min(capacity, MAX_LENGTH), dst.length - off);
        final int statuses = Math.min(count, MAX_STATUS_COUNT);

        // Pass 1: how many statuses fit. Only sizes are added up here; pass 2 makes the same
        // chunk choices (same lookahead) and writes, so it cannot outgrow what was measured.
        int size = HEADER_LENGTH;
        int fitted = 0;
        int endAfterReceived = 0;
        fit:
        while (fitted < statuses)
        {
            final int covers = chunkAt(deltas, fitted, statuses) & COVERAGE_MASK;
            if (padded(size + CHUNK_LENGTH) > limit)
            {
                break;
            }
            size += CHUNK_LENGTH;
            for (int i = fitted; i < fitted + covers; i++)
            {
                final int s = symbolFor(deltas[i]);
                if (s < 0 || padded(size + s) > limit)
                {
                    break fit;
                }
                // A symbol's value is its delta's size in bytes.
                size += s;
                if (s != SYMBOL_NOT_RECEIVED)
                {
                    endAfterReceived = i + 1;
                }
            }
            fitted += covers;
        }
        final int encoded = fitted >= count ? count : endAfterReceived;
        if (encoded == 0)
        {
            return 0;
        }

        // Pass 2: chunks, then deltas, then zero padding (draft §3.1's figure).
        int position = off + CHUNKS_OFFSET;
        for (int i = 0; i < encoded; )
        {
            final int plan = chunkAt(deltas, i, statuses);
            final int covers = Math.min(plan & COVERAGE_MASK, encoded - i);
            Bytes.putUint16(dst, position, encodeChunk(plan >>> KIND_SHIFT, deltas, i, covers));
            position += CHUNK_LENGTH;
            i += covers;
        }
        for (int i = 0; i < encoded; i++)
        {
            final int d = deltas[i];
            final int s = symbolFor(d);
            if (s == SYMBOL_SMALL_DELTA)
            {
                dst[position++] = (byte)d;
            }
            else if (s == SYMBOL_LARGE_DELTA)
            {
                Bytes.putUint16(dst, position, d);
                position += 2;
            }
        }
        while (((position - off) & 3) != 0)
        {
            dst[position++] = 0;
        }

        final int length = position - off;
        FeedbackHeader.write(dst, off, FMT, RtcpHeader.PT_RTPFB, length, senderSsrc, mediaSsrc);
        Bytes.putUint16(dst, off + BASE_SEQUENCE_OFFSET, baseSequenceNumber & SeqNum.MASK);
        Bytes.putUint16(dst, off + STATUS_COUNT_OFFSET, encoded);
        Bytes.putUint24(dst, off + REFERENCE_TIME_OFFSET, referenceTime & REFERENCE_TIME_MASK);
        Bytes.putUint8(dst, off + FEEDBACK_COUNT_OFFSET, feedbackPacketCount);
        return length;
    }

    /** @return the packet status count of a message {@link #write} put at {@code buf[off]}. */
    public static int writtenStatusCount(final byte[] buf, final int off)
    {
        return Bytes.uint16(buf, off + STATUS_COUNT_OFFSET);
    }

    /**
     * The chunk that covers the most statuses from {@code start}, looking no further than
     * {@code end}: a run of 14 or more beats any vector; 14 symbols without a large delta make
     * a one-bit vector; else a run of 7 or more beats a two-bit vector of 7. Statuses whose delta
     * fits no symbol are planned as large deltas: the message is cut before them anyway.
     */
    private static int chunkAt(final int[] deltas, final int start, final int end)
    {
        final int first = plannedSymbol(deltas[start]);
        final int runLimit = Math.min(end - start, MAX_RUN_LENGTH);
        int run = 1;
        while (run < runLimit && plannedSymbol(deltas[start + run]) == first)
        {
            run++;
        }
        if (run >= ONE_BIT_VECTOR_CAPACITY)
        {
            return (RUN << KIND_SHIFT) | run;
        }

        final int oneBit = Math.min(ONE_BIT_VECTOR_CAPACITY, end - start);
        if (oneBit > run)
        {
            int i = 0;
            while (i < oneBit && plannedSymbol(deltas[start + i]) != SYMBOL_LARGE_DELTA)
            {
                i++;
            }
            if (i == oneBit)
            {
                return (ONE_BIT_VECTOR << KIND_SHIFT) | oneBit;
            }
        }

        final int twoBit = Math.min(TWO_BIT_VECTOR_CAPACITY, end - start);
        if (run >= twoBit)
        {
            return (RUN << KIND_SHIFT) | run;
        }
        return (TWO_BIT_VECTOR << KIND_SHIFT) | twoBit;
    }

    private static int plannedSymbol(final int delta)
    {
        final int s = symbolFor(delta);
        return s < 0 ? SYMBOL_LARGE_DELTA : s;
    }

    private static int encodeChunk(final int kind, final int[] deltas, final int start, final int covers)
    {
        if (kind == RUN)
        {
            return (symbolFor(deltas[start]) << RUN_SYMBOL_SHIFT) | covers;
        }
        if (kind == ONE_BIT_VECTOR)
        {
            int word = VECTOR_BIT;
            for (int i = 0; i < covers; i++)
            {
                word |= symbolFor(deltas[start + i]) << (ONE_BIT_VECTOR_CAPACITY - 1 - i);
            }
            return word;
        }
        int word = VECTOR_BIT | TWO_BIT_SYMBOLS_BIT;
        for (int i = 0; i < covers; i++)
        {
            word |= symbolFor(deltas[start + i]) << (2 * (TWO_BIT_VECTOR_CAPACITY - 1 - i));
        }
        return word;
    }

    /** @return how many symbols {@code word} holds: its run length, 14 or 7. */
    private static int capacity(final int word)
    {
        if ((word & VECTOR_BIT) == 0)
        {
            return word & MAX_RUN_LENGTH;
        }
        return (word & TWO_BIT_SYMBOLS_BIT) == 0 ? ONE_BIT_VECTOR_CAPACITY : TWO_BIT_VECTOR_CAPACITY;
    }

    /** @return the i-th symbol of {@code word}; {@code i} below {@link #capacity}. */
    private static int symbol(final int word, final int i)
    {
        if ((word & VECTOR_BIT) == 0)
        {
            return (word >>> RUN_SYMBOL_SHIFT) & 3;
        }
        if ((word & TWO_BIT_SYMBOLS_BIT) == 0)
        {
            return (word >>> (ONE_BIT_VECTOR_CAPACITY - 1 - i)) & 1;
        }
        return (word >>> (2 * (TWO_BIT_VECTOR_CAPACITY - 1 - i))) & 3;
    }

    private static int padded(final int length)
    {
        return (length + 3) & ~3;
    }
}
