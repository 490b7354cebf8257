package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransportCcRecorderTest {
    private static final long MS = 1_000_000L;
    private static final int SENDER = 0x5E1F;
    private static final int MEDIA = 0xCAFE;

    private final byte[] buf = new byte[1500];
    private final TransportCcFeedback feedback = new TransportCcFeedback();

    /**
     * Steps are "seq@ms" (a packet arrives) or "f" (a feedback is due); the expected string has,
     * per "f", the feedback's base sequence number and a symbol per status (s small delta,
     * L large or negative delta, . not received), or "-" when nothing was written.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "in order                               | 1@0 2@1 3@2 f                    | 1:sss",
        "loss is a gap                          | 1@0 2@1 4@3 5@4 f                | 1:ss.ss",
        "reordered within the window            | 1@0 3@2 2@3 4@4 f                | 1:ssLs",
        "reordered before the first feedback    | 3@0 2@1 1@2 f                    | 1:sLL",
        "nothing new, nothing written           | 1@0 f f                          | 1:s -",
        "each feedback starts where the last ended | 1@0 2@1 f 3@2 f               | 1:ss 3:s",
        "a gap at the boundary goes in the next | 1@0 f 3@2 f                      | 1:s 2:.s",
        "late packet is not reported again      | 1@0 3@2 f 2@3 4@4 f              | 1:s.s 4:s",
        "duplicate keeps its first arrival      | 1@0 2@1 2@90 f                   | 1:ss",
        "sequence number wrap                   | 65534@0 65535@1 0@2 1@3 f        | 65534:ssss",
        "reordered across the wrap              | 0@0 65535@1 1@2 f                | 65535:sLs",
        "over 63.75 ms is a large delta         | 1@0 2@100 f                      | 1:sL",
        "over 8191.75 ms starts a new feedback  | 1@0 2@9000 f f f                 | 1:s 2:s -",
        "lost after a cut go with the next arrival | 1@0 3@9000 f f                | 1:s 2:.s",
    })
    void shouldReportWhatArrivedSinceTheLastFeedback(String name, String steps, String expected) {
        TransportCcRecorder recorder = new TransportCcRecorder();
        StringBuilder actual = new StringBuilder();
        for (String step : steps.trim().split(" ")) {
            if (step.equals("f")) {
                int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
                actual.append(actual.length() == 0 ? "" : " ").append(length == 0 ? "-" : describe(length));
            } else {
                int at = step.indexOf('@');
                recorder.record(Integer.parseInt(step.substring(0, at)), Long.parseLong(step.substring(at + 1)) * MS);
            }
        }
        assertEquals(expected.trim(), actual.toString());
    }

    @Test
    void shouldReportArrivalsAgainstReferenceTimeRoundedToTicks() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        long t0 = 1_000_000 * MS + 130_000;    // 1,000,000.13 ms: tick 4,000,001 (rounded), 64 ms unit 15625
        recorder.record(7, t0);
        recorder.record(8, t0 + 20 * MS);      // +80 ticks
        recorder.record(9, t0 + 20 * MS + 124_999);   // rounds to the same tick
        recorder.record(10, t0 + 10 * MS);     // before 8 and 9: -40 ticks

        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);

        assertTrue(feedback.wrap(buf, 0, length));
        assertEquals(SENDER, feedback.senderSsrc());
        assertEquals(MEDIA, feedback.mediaSsrc());
        assertEquals(7, feedback.baseSequenceNumber());
        assertEquals(15625, feedback.referenceTime());
        long[] expectedTicks = {4_000_001, 4_000_081, 4_000_081, 4_000_041};
        for (long ticks : expectedTicks) {
            assertTrue(feedback.nextStatus());
            assertEquals(ticks, feedback.statusReceiveTimeTicks());
        }
        assertEquals(-40, feedback.statusDeltaTicks());
    }

    @Test
    void shouldWrapReferenceTimeAt24Bits() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        long wrap = (1L << 24) * 64 * MS;
        recorder.record(1, wrap + 65 * MS);

        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);

        assertTrue(feedback.wrap(buf, 0, length));
        assertEquals(1, feedback.referenceTime());
        assertTrue(feedback.nextStatus());
        assertEquals(4, feedback.statusDeltaTicks());
    }

    @Test
    void shouldWorkOnNegativeClockValues() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        recorder.record(1, -65 * MS);
        recorder.record(2, -60 * MS);

        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);

        assertTrue(feedback.wrap(buf, 0, length));
        // -65 ms is 63 ms past the 64 ms unit -2, which is 2^24 - 2 modulo 2^24.
        assertEquals(TransportCcFeedback.REFERENCE_TIME_MASK - 1, feedback.referenceTime());
        assertTrue(feedback.nextStatus());
        assertEquals(252, feedback.statusDeltaTicks());
        assertTrue(feedback.nextStatus());
        assertEquals(20, feedback.statusDeltaTicks());
    }

    @Test
    void shouldCountFeedbackPacketsModulo256() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        for (int i = 0; i < 258; i++) {
            recorder.record(i, i * MS);
            int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
            assertTrue(feedback.wrap(buf, 0, length));
            assertEquals(i & 0xFF, feedback.feedbackPacketCount());
        }
        assertEquals(258, recorder.feedbackPackets());
    }

    @Test
    void shouldCountLateAndDuplicatePackets() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        recorder.record(1, 0);
        recorder.record(3, MS);
        recorder.record(3, 2 * MS);
        recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        recorder.record(2, 3 * MS);
        recorder.record(1, 4 * MS);

        assertEquals(2, recorder.duplicates(), "3 again, and 1 after its feedback");
        assertEquals(1, recorder.late(), "2 after a feedback reported it lost");
        assertEquals(0, recorder.dropped());
        assertEquals(0, recorder.pendingStatuses());
    }

    @Test
    void shouldSplitABurstOverTwoFeedbacks() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        for (int i = 0; i < 400; i++) {
            recorder.record(1000 + i, i * MS);
        }
        assertEquals(400, recorder.pendingStatuses());

        // 20 header + 2 for the run + 1 per delta: 278 in 300 bytes.
        int first = recorder.writeFeedback(buf, 0, 300, SENDER, MEDIA);
        assertEquals(300, first);
        assertTrue(feedback.wrap(buf, 0, first));
        assertEquals(1000, feedback.baseSequenceNumber());
        assertEquals(278, feedback.packetStatusCount());
        assertEquals(122, recorder.pendingStatuses());

        int second = recorder.writeFeedback(buf, 0, 300, SENDER, MEDIA);
        assertEquals(20 + 2 + 122, second);
        assertTrue(feedback.wrap(buf, 0, second));
        assertEquals(1278, feedback.baseSequenceNumber());
        assertEquals(122, feedback.packetStatusCount());
        assertEquals(1, feedback.feedbackPacketCount());
        assertEquals(278 * 4 / 256, feedback.referenceTime(), "from its own first arrival");

        assertEquals(0, recorder.writeFeedback(buf, 0, 300, SENDER, MEDIA));
    }

    @Test
    void shouldKeepStateWhenCapacityHoldsNothing() {
        TransportCcRecorder recorder = new TransportCcRecorder();
        recorder.record(5, 0);

        assertEquals(0, recorder.writeFeedback(buf, 0, 23, SENDER, MEDIA));
        assertEquals(1, recorder.pendingStatuses());
        assertEquals(0, recorder.feedbackPackets());
        assertEquals(24, recorder.writeFeedback(buf, 0, 24, SENDER, MEDIA));
        assertTrue(feedback.wrap(buf, 0, 24));
        assertEquals(0, feedback.feedbackPacketCount());
    }

    @Test
    void shouldWriteNothingBeforeTheFirstPacket() {
        assertEquals(0, new TransportCcRecorder().writeFeedback(buf, 0, buf.length, SENDER, MEDIA));
    }

    @Test
    void shouldDropPacketsPushedOutOfTheWindowUnreported() {
        TransportCcRecorder recorder = new TransportCcRecorder(16);
        for (int i = 1; i <= 40; i++) {
            if (i != 30) {
                recorder.record(i, i * MS);
            }
        }

        assertEquals(24, recorder.dropped(), "1..24 left the window of 16 before any feedback");
        assertEquals(16, recorder.pendingStatuses());
        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        assertTrue(feedback.wrap(buf, 0, length));
        assertEquals(25, feedback.baseSequenceNumber());
        assertEquals(16, feedback.packetStatusCount());
        assertEquals(15, feedback.receivedCount());
    }

    @Test
    void shouldDropPacketsOlderThanTheWindow() {
        TransportCcRecorder recorder = new TransportCcRecorder(16);
        recorder.record(100, 0);
        recorder.record(84, MS);
        recorder.record(85, MS);

        assertEquals(1, recorder.dropped());
        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        assertTrue(feedback.wrap(buf, 0, length));
        assertEquals(85, feedback.baseSequenceNumber(), "85 is inside the window and before any feedback");
        assertEquals(16, feedback.packetStatusCount());
    }

    @Test
    void shouldClearTheWholeRingOnAJumpLongerThanTheWindow() {
        TransportCcRecorder recorder = new TransportCcRecorder(16);
        recorder.record(1, 0);
        recorder.record(2, MS);
        recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        recorder.record(3, 2 * MS);
        recorder.record(1003, 3 * MS);

        assertEquals(1, recorder.dropped(), "3 was never reported");
        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        assertTrue(feedback.wrap(buf, 0, length));
        assertEquals(988, feedback.baseSequenceNumber());
        assertEquals(16, feedback.packetStatusCount());
        assertEquals(1, feedback.receivedCount(), "nothing left of the old ring");
    }

    @Test
    void shouldFollowTheSenderWhenItsNumberingJumpsBack() {
        TransportCcRecorder recorder = new TransportCcRecorder(16);
        for (int i = 0; i < 16; i++) {
            recorder.record(20_000 + i, i * MS);
        }
        recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        assertEquals(0, recorder.dropped());
        for (int i = 0; i < TransportCcRecorder.RESYNC_AFTER; i++) {
            recorder.record(5_000 + i, (100 + i) * MS);
        }
        assertEquals(TransportCcRecorder.RESYNC_AFTER - 1, recorder.dropped());
        recorder.record(5_000 + TransportCcRecorder.RESYNC_AFTER, 200 * MS);

        int length = recorder.writeFeedback(buf, 0, buf.length, SENDER, MEDIA);
        assertTrue(feedback.wrap(buf, 0, length));
        assertEquals(5_000 + TransportCcRecorder.RESYNC_AFTER - 1, feedback.baseSequenceNumber());
        assertEquals(2, feedback.packetStatusCount());
    }

    @Test
    void shouldRejectWindowThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new TransportCcRecorder(1000));
    }

    @Test
    void shouldRecordAndWriteFeedbackWithoutAllocating() {
        com.sun.management.ThreadMXBean threads = threadMxBean();
        assumeTrue(threads != null && threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        TransportCcRecorder recorder = new TransportCcRecorder();
        long[] state = new long[2];

        feedbackCycles(recorder, state, 2_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        long written = feedbackCycles(recorder, state, 2_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(written > 0);
        // One allocation per cycle would be at least 16 bytes * 2,000; leave room for noise.
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over 2,000 feedbacks");
    }

    /**
     * Each cycle: 50 ms of packets at 1 ms (one lost, two swapped, one duplicated), then the
     * feedbacks for them in MTU-sized messages.
     */
    private long feedbackCycles(TransportCcRecorder recorder, long[] state, int cycles) {
        long written = 0;
        for (int c = 0; c < cycles; c++) {
            for (int i = 0; i < 50; i++) {
                int seq = (int) state[0]++;
                long at = state[1]++ * MS;
                if (i == 10) {
                    continue;
                }
                recorder.record(i == 20 ? seq + 1 : i == 21 ? seq - 1 : seq, at);
                if (i == 30) {
                    recorder.record(seq, at);
                }
            }
            int length;
            while ((length = recorder.writeFeedback(buf, 0, 1200, SENDER, MEDIA)) > 0) {
                written += length;
            }
        }
        return written;
    }

    private String describe(int length) {
        assertTrue(feedback.wrap(buf, 0, length), "the reader accepts what the recorder wrote");
        StringBuilder sb = new StringBuilder().append(feedback.baseSequenceNumber()).append(':');
        while (feedback.nextStatus()) {
            switch (feedback.statusSymbol()) {
                case TransportCcFeedback.SYMBOL_SMALL_DELTA -> sb.append('s');
                case TransportCcFeedback.SYMBOL_LARGE_DELTA -> sb.append('L');
                default -> sb.append('.');
            }
        }
        return sb.toString();
    }

    private static com.sun.management.ThreadMXBean threadMxBean() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        return bean instanceof com.sun.management.ThreadMXBean t ? t : null;
    }
}
