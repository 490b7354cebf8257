package dev.relay.codecs.rtcp;

import static dev.relay.codecs.rtcp.TransportCcFeedback.NOT_RECEIVED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Fuzz;
import dev.relay.codecs.Hex;
import dev.relay.codecs.rtp.RtpPacket;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransportCcFeedbackTest
{
    private static final int SENDER = 0xfa17fa17;
    private static final int MEDIA = 0xe430b15b;

    /** Three small deltas across the sequence-number wrap, one run-length chunk, zero padding. */
    static final byte[] RUN_ACROSS_WRAP = Hex.bytes("""
        8f            # V=2 P=0 FMT=15 (transport-cc)
        cd            # PT=205 RTPFB
        00 06         # length 6 -> 28 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # SSRC of media source
        ff ff         # base sequence number 65535
        00 03         # packet status count 3: 65535, 0, 1
        00 01 02      # reference time 258 x 64 ms
        07            # feedback packet count 7
        20 03         # run length chunk: T=0 S=01 (small delta), run length 3
        04            # 65535 at reference time + 1 ms
        00            # 0 at the same time
        ff            # 1 63.75 ms later
        00 00 00      # zero padding to 32 bits
        """);

    /** A two-bit vector: lost packets, a negative delta and one too long for a byte. */
    static final byte[] TWO_BIT_VECTOR = Hex.bytes("""
        8f cd 00 06   # FMT=15 | PT=205 | length 6 -> 28 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # SSRC of media source
        01 00         # base sequence number 256
        00 07         # packet status count 7
        ff ff ff      # reference time 2^24 - 1
        00            # feedback packet count 0
        d2 81         # T=1 S=1, symbols 01 00 10 10 00 00 01
        01            # 256: +0.25 ms, small
                      # 257: not received
        ff fc         # 258: -1 ms, large (negative)
        01 2c         # 259: +75 ms, large (over 63.75 ms)
                      # 260, 261: not received
        0a            # 262: +2.5 ms, small
        """);

    /** A one-bit vector, a run of 20 lost packets, then a run of one: 35 statuses in 3 chunks. */
    static final byte[] ONE_BIT_VECTOR_AND_RUNS = Hex.bytes("""
        8f cd 00 09   # FMT=15 | PT=205 | length 9 -> 40 bytes
        fa 17 fa 17   # SSRC of packet sender
        e4 30 b1 5b   # SSRC of media source
        00 64         # base sequence number 100
        00 23         # packet status count 35
        00 00 2a      # reference time 42 x 64 ms
        ff            # feedback packet count 255
        b7 fe         # T=1 S=0, 14 symbols 11011111111110: 102 and 113 lost
        00 14         # run length: S=00 (not received) x 20, 114..133
        20 01         # run length: S=01 x 1, 134
        05 06 07 08 09 0a 0b 0c 0d 0e 0f 10   # 100, 101, 103..112
        11            # 134
        00            # zero padding
        """);

    private static final int[] ONE_BIT_VECTOR_AND_RUNS_DELTAS = deltas(
        5, 6, NOT_RECEIVED, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, NOT_RECEIVED,
        lost(20), 17);

    private final TransportCcFeedback feedback = new TransportCcFeedback();

    @Test
    void shouldReadRunAcrossSequenceWrap()
    {
        assertTrue(feedback.wrap(RUN_ACROSS_WRAP, 0, RUN_ACROSS_WRAP.length));

        assertEquals(RUN_ACROSS_WRAP, feedback.buffer());
        assertEquals(0, feedback.offset());
        assertEquals(28, feedback.length());
        assertEquals(SENDER, feedback.senderSsrc());
        assertEquals(MEDIA, feedback.mediaSsrc());
        assertEquals(65535, feedback.baseSequenceNumber());
        assertEquals(3, feedback.packetStatusCount());
        assertEquals(258, feedback.referenceTime());
        assertEquals(7, feedback.feedbackPacketCount());
        assertEquals(1, feedback.chunkCount());
        assertEquals(0x2003, feedback.chunk(0));
        assertEquals(3, feedback.receivedCount());
        assertEquals(3, feedback.deltasLength());
        assertEquals("65535:1:4:66052 0:1:0:66052 1:1:255:66307", statuses());
    }

    @Test
    void shouldReadTwoBitVectorWithLargeAndNegativeDeltas()
    {
        assertTrue(feedback.wrap(TWO_BIT_VECTOR, 0, TWO_BIT_VECTOR.length));

        assertEquals(256, feedback.baseSequenceNumber());
        assertEquals(0xFF_FFFF, feedback.referenceTime());
        assertEquals(0, feedback.feedbackPacketCount());
        assertEquals(4, feedback.receivedCount());
        assertEquals(6, feedback.deltasLength());
        final long base = 0xFF_FFFFL * 256;
        assertEquals("256:1:1:" + (base + 1) + " 257:0:0:" + (base + 1) + " 258:2:-4:" + (base - 3)
            + " 259:2:300:" + (base + 297) + " 260:0:0:" + (base + 297) + " 261:0:0:" + (base + 297)
            + " 262:1:10:" + (base + 307), statuses());
    }

    @Test
    void shouldReadOneBitVectorAndRuns()
    {
        assertTrue(feedback.wrap(ONE_BIT_VECTOR_AND_RUNS, 0, ONE_BIT_VECTOR_AND_RUNS.length));

        assertEquals(35, feedback.packetStatusCount());
        assertEquals(3, feedback.chunkCount());
        assertEquals(13, feedback.receivedCount());
        assertArrayEquals(ONE_BIT_VECTOR_AND_RUNS_DELTAS, readDeltas());
    }

    @Test
    void shouldWriteRunAcrossWrapBack()
    {
        assertWrites(RUN_ACROSS_WRAP, 65535, 258, 7, new int[] {4, 0, 255});
    }

    @Test
    void shouldWriteTwoBitVectorBack()
    {
        assertWrites(TWO_BIT_VECTOR, 256, 0xFF_FFFF, 0, new int[] {1, NOT_RECEIVED, -4, 300, NOT_RECEIVED, NOT_RECEIVED, 10});
    }

    @Test
    void shouldWriteOneBitVectorAndRunsBack()
    {
        assertWrites(ONE_BIT_VECTOR_AND_RUNS, 100, 42, 255, ONE_BIT_VECTOR_AND_RUNS_DELTAS);
    }

    @Test
    void shouldWriteAtOffsetWithoutTouchingNeighbours()
    {
        final byte[] dst = new byte[RUN_ACROSS_WRAP.length + 8];
        Arrays.fill(dst, (byte)0x55);

        final int length = TransportCcFeedback.write(
            dst, 3, RUN_ACROSS_WRAP.length, SENDER, MEDIA, 65535, 258, 7, new int[] {4, 0, 255}, 3);

        assertEquals(RUN_ACROSS_WRAP.length, length);
        assertArrayEquals(RUN_ACROSS_WRAP, Arrays.copyOfRange(dst, 3, 3 + length));
        assertEquals(0x55, dst[2]);
        assertEquals(0x55, dst[3 + length]);
        assertTrue(feedback.wrap(dst, 3, length));
        assertEquals(3, feedback.receivedCount());
    }

    /**
     * Statuses as characters: {@code s} small delta (1 tick), {@code L} large delta (-1 tick),
     * {@code .} not received; {@code sx8200} repeats. Chunks as the hex words on the wire.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "15 small deltas: one run;                    sx15;              200f",
        "15 lost: one run;                            .x15;              000f",
        "14 alternating: one-bit vector;              s.s.s.s.s.s.s.;    aaaa",
        "7 alternating at the end: part of a one-bit; s.s.s.s;           aa80",
        "large deltas: two-bit vector;                L.L.L.L;           e222",
        "a large delta in 14: two two-bit vectors;    s.s.s.s.s.s.sL;    d111 c446",
        "run of 8 beats a two-bit vector of 7;        sx8 L;             2008 4001",
        "one-bit vector of 14 beats a run of 13;      sx13 .s;           bffe 2001",
        "6 then a large: two-bit of 7;                sx6 L sx6;         d556 2006",
        "14 small then lost: run, run;                sx14 .x3;          200e 0003",
        "longest run, then the rest;                  sx8200;            3fff 2009",
        "lost run then one: run, run;                 .x20 s;            0014 2001",
        "runs of large deltas;                        Lx20;              4014",
    })
    void shouldChooseTheChunkThatCoversMost(final String name, final String statuses, final String chunks)
    {
        final int[] input = statuses(statuses);
        final byte[] dst = new byte[TransportCcFeedback.MAX_LENGTH];

        final int length = TransportCcFeedback.write(dst, 0, dst.length, 1, 2, 1000, 0, 0, input, input.length);

        assertTrue(feedback.wrap(dst, 0, length), name);
        final String[] words = chunks.trim().split(" ");
        assertEquals(words.length, feedback.chunkCount(), name);
        for (int i = 0; i < words.length; i++)
        {
            assertEquals(Integer.parseInt(words[i], 16), feedback.chunk(i), name + " chunk " + i);
        }
        assertArrayEquals(input, readDeltas(), name);
        assertEquals(0, length % 4);
    }

    @Test
    void shouldRoundTripAllReceived()
    {
        final int[] input = new int[300];
        for (int i = 0; i < input.length; i++)
        {
            input[i] = i % 256;
        }

        assertRoundTrip(input, 0);
        assertEquals(1, feedback.chunkCount());
        assertEquals(300, feedback.receivedCount());
    }

    @Test
    void shouldRoundTripAllLost()
    {
        final int[] input = lost(20_000);

        assertRoundTrip(input, 1);
        assertEquals(3, feedback.chunkCount(), "runs of 8191, 8191, 3618");
        assertEquals(0, feedback.receivedCount());
        assertEquals(28, feedback.length());
    }

    @Test
    void shouldRoundTripMixedRunsAndVectors()
    {
        final int[] input = deltas(
            lost(3), 1, 2, 3, NOT_RECEIVED, 300, -300, 4, lost(40), 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
            19, 20, NOT_RECEIVED, 21, 32767, -32768, 0, 255);

        assertRoundTrip(input, 65530);
        assertEquals(input.length, feedback.packetStatusCount());
    }

    @Test
    void shouldRoundTripLargeNegativeDelta()
    {
        final int[] input = {200, -32768, 40, 32767};

        assertRoundTrip(input, 7);
        assertEquals(256L * 9 + 200 - 32768 + 40 + 32767, feedback.statusReceiveTimeTicks());
        assertEquals(1, feedback.chunkCount());
        assertEquals(0xd980, feedback.chunk(0), "two-bit vector 01 10 01 10");
    }

    @Test
    void shouldStopAtCapacityAndReportWhatFitted()
    {
        final int[] input = new int[100];
        Arrays.fill(input, 1);
        final byte[] dst = new byte[200];

        // 20 header + 2 chunk + 18 deltas = 40; a 19th delta would need 44 with padding.
        final int first = TransportCcFeedback.write(dst, 0, 40, 1, 2, 500, 9, 3, input, input.length);

        assertEquals(40, first);
        assertEquals(18, TransportCcFeedback.writtenStatusCount(dst, 0));
        assertTrue(feedback.wrap(dst, 0, first));
        assertEquals(0x2012, feedback.chunk(0));

        final int[] rest = Arrays.copyOfRange(input, 18, input.length);
        final int second = TransportCcFeedback.write(dst, first, dst.length - first, 1, 2, 518, 9, 4, rest, rest.length);

        assertEquals(20 + 2 + 82, second);
        assertTrue(feedback.wrap(dst, first, second));
        assertEquals(518, feedback.baseSequenceNumber());
        assertEquals(82, feedback.packetStatusCount());
    }

    @Test
    void shouldEndCutMessageAtItsLastReceivedPacket()
    {
        // Chunks: a one-bit vector for 0..13, another for 14..24. With 34 bytes the second does
        // not fit: the message ends at packet 9, and the lost 10..14 start the next one.
        final int[] input = statuses("sx10 .x5 sx10");
        final byte[] dst = new byte[64];

        final int length = TransportCcFeedback.write(dst, 0, 34, 1, 2, 0, 0, 0, input, input.length);

        assertEquals(32, length);
        assertTrue(feedback.wrap(dst, 0, length));
        assertEquals(10, feedback.packetStatusCount());
        assertArrayEquals(Arrays.copyOf(input, 10), readDeltas());
    }

    @Test
    void shouldStopBeforeDeltaNoSymbolCanCarry()
    {
        final int[] input = {3, 4, NOT_RECEIVED, 32768, 5};
        final byte[] dst = new byte[64];

        final int length = TransportCcFeedback.write(dst, 0, dst.length, 1, 2, 0, 0, 0, input, input.length);

        assertTrue(feedback.wrap(dst, 0, length));
        assertEquals(2, feedback.packetStatusCount());
        assertEquals(-1, TransportCcFeedback.symbolFor(32768));
        assertEquals(-1, TransportCcFeedback.symbolFor(-32769));
    }

    @Test
    void shouldStopAtMaximumStatusCount()
    {
        final int[] input = lost(70_000);
        input[65_000] = 1;
        input[69_999] = 2;
        final byte[] dst = new byte[64];

        final int length = TransportCcFeedback.write(dst, 0, dst.length, 1, 2, 0, 0, 0, input, input.length);

        assertTrue(feedback.wrap(dst, 0, length));
        assertEquals(65_001, feedback.packetStatusCount());
    }

    @Test
    void shouldWriteNothingWhenNothingFits()
    {
        final byte[] dst = new byte[64];
        Arrays.fill(dst, (byte)0x55);

        assertEquals(0, TransportCcFeedback.write(dst, 0, 23, 1, 2, 0, 0, 0, new int[] {1}, 1));
        assertEquals(0, TransportCcFeedback.write(dst, 0, 64, 1, 2, 0, 0, 0, new int[0], 0));
        assertEquals(0, TransportCcFeedback.write(dst, 0, 64, 1, 2, 0, 0, 0, new int[] {70_000}, 1));
        assertEquals(0, TransportCcFeedback.write(dst, 60, 64, 1, 2, 0, 0, 0, new int[] {1}, 1), "past the array");
        assertEquals(24, TransportCcFeedback.write(dst, 0, 24, 1, 2, 0, 0, 0, new int[] {1}, 1));
        for (int i = 24; i < dst.length; i++)
        {
            assertEquals(0x55, dst[i]);
        }
    }

    @Test
    void shouldHonourRtcpPadding()
    {
        // libwebrtc pads with the P bit and the count in the last byte instead of zero padding.
        final byte[] padded = RUN_ACROSS_WRAP.clone();
        padded[0] = (byte)0xaf;
        padded[padded.length - 1] = 3;

        assertTrue(feedback.wrap(padded, 0, padded.length));
        assertEquals("65535:1:4:66052 0:1:0:66052 1:1:255:66307", statuses());

        padded[padded.length - 1] = 4;
        assertFalse(feedback.wrap(padded, 0, padded.length), "padding over a delta");
    }

    @Test
    void shouldIterateAgainAfterRewind()
    {
        feedback.wrap(TWO_BIT_VECTOR, 0, TWO_BIT_VECTOR.length);
        final String first = statuses();

        feedback.rewind();

        assertEquals(first, statuses());
        assertFalse(feedback.nextStatus());
    }

    @Test
    void shouldReadTransportSequenceNumberExtension()
    {
        // Header of an Opus packet from chromium-156/chromium-to-chromium-loopback.pcap (datagram 10).
        final byte[] packet = Hex.bytes("""
            90 ef 1b 79 24 18 48 8d cb 03 2b 69   # V=2 X=1, PT=111, seq 7033
            be de 00 03   # RFC 8285 one-byte profile, 3 words
            22 c5 0f 56   # id 2 L=2: abs-send-time
            31 00 01      # id 3 L=1: transport-wide sequence number 1
            40 30         # id 4 L=0: mid "0"
            10 ff 00      # id 1 L=0: audio level, padding
            08 87 22 d1   # payload
            """);
        final RtpPacket rtp = new RtpPacket();
        assertTrue(rtp.wrap(packet, 0, packet.length));

        assertEquals(1, TransportCcFeedback.transportSequenceNumber(rtp, 3));
        assertEquals(-1, TransportCcFeedback.transportSequenceNumber(rtp, 4), "one byte is too short");
        assertEquals(-1, TransportCcFeedback.transportSequenceNumber(rtp, 5), "absent");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "no status; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 00 00 00 00 00 20 01 05 00",
        "no chunk; 8f cd 00 04 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00",
        "chunks short of the count; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 03 00 00 00 00 00 01 00 01",
        "missing delta; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 03 00 00 00 00 20 03 05 06",
        "large deltas cut short; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 02 00 00 00 00 40 02 05 00",
        "reserved symbol in a run; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 60 01 05 00",
        "reserved symbol in a vector; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 f0 00 05 00",
        "NACK format; 81 cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 20 01 05 00",
        "payload-specific feedback (REMB's PT); 8f ce 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 20 01 05 00",
        "truncated datagram; 8f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 20 01 05",
        "padding count 0; af cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 20 01 05 00",
        "padding into the header; af cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 20 01 05 08",
        "version 1; 4f cd 00 05 fa 17 fa 17 e4 30 b1 5b 00 01 00 01 00 00 00 00 20 01 05 00",
    })
    void shouldRejectMalformedFeedback(final String reason, final String hex)
    {
        final byte[] buf = Hex.bytes(hex);

        assertFalse(feedback.wrap(buf, 0, buf.length), reason);
    }

    @Test
    void shouldAcceptWhatLibwebrtcAccepts()
    {
        // Reserved symbols past the status count are never read, zero-length runs add nothing,
        // and bytes after the deltas are ignored.
        final byte[] buf = Hex.bytes("""
            8f cd 00 06 fa 17 fa 17 e4 30 b1 5b   # FMT=15 | PT=205 | length 6 -> 28 bytes
            00 01 00 02   # base 1, 2 statuses
            00 00 00 00   # reference time 0, feedback packet count 0
            00 00         # run length 0
            d7 ff         # two-bit vector: 01 01, then five reserved 11 past the count
            05 06         # deltas
            aa bb         # not zero padding
            """);

        assertTrue(feedback.wrap(buf, 0, buf.length));
        assertEquals(2, feedback.receivedCount());
        assertEquals("1:1:5:5 2:1:6:11", statuses());
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final TransportCcFeedback packet = new TransportCcFeedback();
        Fuzz.run(15205, List.of(RUN_ACROSS_WRAP, TWO_BIT_VECTOR, ONE_BIT_VECTOR_AND_RUNS), (buf, off, len) ->
        {
            if (packet.wrap(buf, off, len))
            {
                packet.senderSsrc();
                packet.mediaSsrc();
                packet.referenceTime();
                packet.feedbackPacketCount();
                for (int i = 0; i < packet.chunkCount(); i++)
                {
                    packet.chunk(i);
                }
                int statuses = 0;
                int received = 0;
                while (packet.nextStatus())
                {
                    statuses++;
                    received += packet.statusReceived() ? 1 : 0;
                }
                assertEquals(packet.packetStatusCount(), statuses);
                assertEquals(packet.receivedCount(), received);
            }
        });
    }

    private static void assertWrites(
        final byte[] expected, final int base, final int referenceTime, final int feedbackCount, final int[] input)
    {
        final byte[] dst = new byte[64];

        final int length = TransportCcFeedback.write(
            dst, 0, dst.length, SENDER, MEDIA, base, referenceTime, feedbackCount, input, input.length);

        assertEquals(expected.length, length);
        assertArrayEquals(expected, Arrays.copyOf(dst, length));
        assertEquals(input.length, TransportCcFeedback.writtenStatusCount(dst, 0));
    }

    private void assertRoundTrip(final int[] input, final int base)
    {
        final byte[] dst = new byte[TransportCcFeedback.MAX_LENGTH];
        final int length = TransportCcFeedback.write(dst, 0, dst.length, SENDER, MEDIA, base, 9, 200, input, input.length);

        assertTrue(length > 0 && length % 4 == 0, "length " + length);
        assertTrue(feedback.wrap(dst, 0, length));
        assertEquals(length, feedback.length());
        assertEquals(base, feedback.baseSequenceNumber());
        assertEquals(input.length, feedback.packetStatusCount());
        assertEquals(9, feedback.referenceTime());
        assertEquals(200, feedback.feedbackPacketCount());
        assertArrayEquals(input, readDeltas());
        feedback.rewind();
        for (int i = 0; i < input.length; i++)
        {
            assertTrue(feedback.nextStatus());
            assertEquals((base + i) & 0xFFFF, feedback.statusSequenceNumber());
        }
    }

    /** @return the wrapped message's statuses as the writer's input. */
    private int[] readDeltas()
    {
        feedback.rewind();
        final int[] out = new int[feedback.packetStatusCount()];
        for (int i = 0; feedback.nextStatus(); i++)
        {
            out[i] = feedback.statusReceived() ? feedback.statusDeltaTicks() : NOT_RECEIVED;
        }
        return out;
    }

    /** @return "seq:symbol:delta:receiveTimeTicks" per status. */
    private String statuses()
    {
        final StringBuilder sb = new StringBuilder();
        while (feedback.nextStatus())
        {
            sb.append(sb.length() == 0 ? "" : " ")
                .append(feedback.statusSequenceNumber()).append(':')
                .append(feedback.statusSymbol()).append(':')
                .append(feedback.statusDeltaTicks()).append(':')
                .append(feedback.statusReceiveTimeTicks());
        }
        return sb.toString();
    }

    /** "s.L" -> {1, NOT_RECEIVED, -1}; "sx3" -> three of them; groups separated by spaces. */
    private static int[] statuses(final String spec)
    {
        final StringBuilder expanded = new StringBuilder();
        for (final String group : spec.trim().split(" "))
        {
            final int times = group.indexOf('x');
            if (times > 0)
            {
                expanded.append(group.substring(0, times).repeat(Integer.parseInt(group.substring(times + 1))));
            }
            else
            {
                expanded.append(group);
            }
        }
        return expanded.chars()
            .map(c -> c == 's' ? 1 : c == 'L' ? -1 : NOT_RECEIVED)
            .toArray();
    }

    private static int[] lost(final int count)
    {
        final int[] out = new int[count];
        Arrays.fill(out, NOT_RECEIVED);
        return out;
    }

    /** Flattens ints and int[] runs into one array. */
    private static int[] deltas(final Object... parts)
    {
        return Arrays.stream(parts)
            .flatMapToInt(p -> p instanceof int[] a ? Arrays.stream(a) : IntStream.of((Integer)p))
            .toArray();
    }
}
