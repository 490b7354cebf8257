package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import org.junit.jupiter.api.Test;

/** The public API over hand-made feedback; {@link SendSideEstimatorSimulationTest} has the dynamics. */
class SendSideEstimatorTest {
    private static final long MS = 1_000_000L;
    private static final long TICK = TransportCcFeedback.DELTA_TICK_NANOS;

    private final byte[] buf = new byte[1500];
    private final int[] deltas = new int[1000];
    private final TransportCcFeedback feedback = new TransportCcFeedback();

    /**
     * Sends {@code count} packets of 1,250 bytes 10 ms apart (1 Mbit/s) from {@code firstSeq}, and
     * feeds back one message saying each arrived 30 ms after it left, except every
     * {@code lossEvery}-th (0: none).
     */
    private long sendAndFeedBack(SendSideEstimator estimator, int firstSeq, int count, long start, int lossEvery) {
        long reference = 1_000;
        long previousTicks = reference * TransportCcFeedback.TICKS_PER_REFERENCE_TIME;
        long receiverOrigin = reference * 64 * MS;
        for (int i = 0; i < count; i++) {
            long sent = start + i * 10 * MS;
            estimator.onPacketSent((firstSeq + i) & 0xFFFF, 1_250, sent, -1);
            if (lossEvery > 0 && i % lossEvery == lossEvery - 1) {
                deltas[i] = TransportCcFeedback.NOT_RECEIVED;
                continue;
            }
            long ticks = (receiverOrigin + sent - start + 30 * MS) / TICK;
            deltas[i] = (int)(ticks - previousTicks);
            previousTicks = ticks;
        }
        int length = TransportCcFeedback.write(buf, 0, buf.length, 1, 2, firstSeq & 0xFFFF, (int)reference, 0, deltas, count);
        assertEquals(count, TransportCcFeedback.writtenStatusCount(buf, 0));
        assertTrue(feedback.wrap(buf, 0, length));
        long now = start + count * 10 * MS + 40 * MS;
        estimator.onFeedback(feedback, now);
        return now;
    }

    @Test
    void shouldAckTheRateAndSeeNoLossOrQueueOnAnEmptyPath() {
        SendSideEstimator estimator = new SendSideEstimator(800_000, 30_000, 5_000_000);
        sendAndFeedBack(estimator, 65_500, 100, 0, 0);
        // Within a 10 ms bucket of the 500 ms window: 2 %.
        assertEquals(1_000_000, estimator.ackedBps(), 25_000);
        assertEquals(0.0, estimator.lossFraction());
        assertEquals(SendSideEstimator.NORMAL, estimator.delayState());
        assertTrue(estimator.estimateBps() >= 800_000, "no reason to go down: " + estimator.estimateBps());
        assertEquals(0, estimator.unknownStatusCount());
    }

    @Test
    void shouldCutTheEstimateOnHeavyLoss() {
        SendSideEstimator estimator = new SendSideEstimator(1_000_000, 30_000, 5_000_000);
        sendAndFeedBack(estimator, 0, 100, 0, 4);
        assertEquals(0.25, estimator.lossFraction(), 1e-9);
        // §6: 1 - 0.5 * 0.25 of the 1 Mbit/s target.
        assertEquals(875_000, estimator.estimateBps());
    }

    @Test
    void shouldCountStatusesForPacketsItNeverSent() {
        SendSideEstimator estimator = new SendSideEstimator(1_000_000, 30_000, 5_000_000);
        sendAndFeedBack(estimator, 100, 10, 0, 0);
        deltas[0] = 4;
        int length = TransportCcFeedback.write(buf, 0, buf.length, 1, 2, 5_000, 1_000, 1, deltas, 1);
        assertTrue(feedback.wrap(buf, 0, length));
        estimator.onFeedback(feedback, 500 * MS);
        assertEquals(1, estimator.unknownStatusCount());
    }

    @Test
    void shouldTakeRembAsTheEstimateWithoutFeedbackAndAsACapWithIt() {
        SendSideEstimator estimator = new SendSideEstimator(1_000_000, 30_000, 5_000_000);
        estimator.onRemb(2_000_000, 0);
        assertEquals(2_000_000, estimator.estimateBps(), "no transport-cc yet: REMB is the estimate");
        estimator.onRemb(9_000_000, 1 * MS);
        assertEquals(5_000_000, estimator.estimateBps(), "clamped to the maximum");

        long now = sendAndFeedBack(estimator, 0, 100, 10 * MS, 0);
        estimator.onRemb(600_000, now);
        assertEquals(600_000, estimator.estimateBps(), "a lower REMB caps");
        estimator.onRemb(4_000_000, now + MS);
        assertEquals(600_000, estimator.estimateBps(), "a higher one does not raise it");
    }

    @Test
    void shouldClampTheInitialEstimate() {
        assertEquals(30_000, new SendSideEstimator(1, 30_000, 5_000_000).estimateBps());
        assertEquals(5_000_000, new SendSideEstimator(50_000_000, 30_000, 5_000_000).estimateBps());
        assertThrows(IllegalArgumentException.class, () -> new SendSideEstimator(1, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new SendSideEstimator(1, 10, 5));
    }

    @Test
    void shouldCountMediaSentDuringAProbeTowardsIt() {
        SendSideEstimator estimator = new SendSideEstimator(1_000_000, 30_000, 5_000_000);
        int id = estimator.startProbe(2_000_000, 0);
        assertEquals(0, estimator.probeBytesDue(0));
        assertEquals(1_250, estimator.probeBytesDue(5 * MS));
        estimator.onPacketSent(1, 1_000, 5 * MS, -1);
        assertEquals(250, estimator.probeBytesDue(5 * MS), "untagged media joined the cluster");
        estimator.onPacketSent(2, 250, 5 * MS, id);
        assertEquals(0, estimator.probeBytesDue(5 * MS));
    }

    @Test
    void shouldRaiseTheEstimateOnASuccessfulProbe() {
        SendSideEstimator estimator = new SendSideEstimator(500_000, 30_000, 5_000_000);
        int id = estimator.startProbe(2_000_000, 0);
        // Ten 1,000-byte packets 2 ms apart (4 Mbit/s sent), arriving 4 ms apart: 2 Mbit/s through.
        for (int i = 0; i < 10; i++) {
            estimator.onPacketSent(i, 1_000, i * 2 * MS, id);
            deltas[i] = i == 0 ? 40 : 16;
        }
        long sent = ProbeCluster.MIN_DURATION_NANOS;
        assertEquals(0, estimator.probeBytesDue(sent), "the cluster has lasted its minimum and is sent");
        int length = TransportCcFeedback.write(buf, 0, buf.length, 1, 2, 0, 0, 0, deltas, 10);
        assertTrue(feedback.wrap(buf, 0, length));
        estimator.onFeedback(feedback, sent + 70 * MS);
        assertEquals(1, estimator.probeResultCount());
        assertEquals(2_000_000, estimator.lastProbeResultBps());
        assertEquals(1_900_000, estimator.estimateBps());
    }
}
