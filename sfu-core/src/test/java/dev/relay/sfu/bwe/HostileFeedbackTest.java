package dev.relay.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.TransportCcFeedback;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A subscriber's feedback is peer input (docs/security.md): any well-formed transport-cc message
 * (what {@link TransportCcFeedback#wrap} lets through, itself fuzzed) must leave the estimator
 * working: no exception, the estimate within its bounds, probe bytes never negative, whatever the
 * sequence numbers, receive deltas, reference times and repeats a peer makes up.
 */
class HostileFeedbackTest {
    private static final long MIN = 100_000;
    private static final long MAX = 20_000_000;
    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1_000_003})
    void shouldStayWithinBoundsWhateverTheFeedbackSays(long seed) {
        Random random = new Random(seed);
        SendSideEstimator estimator = new SendSideEstimator(1_500_000, MIN, MAX);
        TransportCcFeedback feedback = new TransportCcFeedback();
        byte[] buf = new byte[1200];
        int[] deltas = new int[300];
        int sent = 0;
        long now = 0;
        for (int round = 0; round < 2_000; round++) {
            now += random.nextInt(60) * MS;
            for (int i = 0; i < 20; i++) {
                estimator.onPacketSent(sent++ & 0xFFFF, 50 + random.nextInt(1200), now, -1);
            }
            if (random.nextInt(10) == 0) {
                estimator.startProbe(random.nextLong(1, 40_000_000), now);
            }
            int count = 1 + random.nextInt(deltas.length);
            for (int i = 0; i < count; i++) {
                int kind = random.nextInt(10);
                deltas[i] = kind == 0 ? TransportCcFeedback.NOT_RECEIVED
                        : kind == 1 ? random.nextInt(-32_768, 32_768) // large or negative
                        : random.nextInt(256);
            }
            int base = random.nextBoolean() ? (sent - random.nextInt(400)) & 0xFFFF : random.nextInt(65_536);
            int length = TransportCcFeedback.write(buf, 0, buf.length, 1, 2, base, random.nextInt(1 << 24),
                    random.nextInt(256), deltas, count);
            if (length > 0 && feedback.wrap(buf, 0, length)) {
                estimator.onFeedback(feedback, now);
            }
            if (random.nextInt(50) == 0) {
                estimator.onRemb(random.nextLong(0, Long.MAX_VALUE / 2), now);
            }
            long estimate = estimator.estimateBps();
            assertTrue(estimate >= MIN && estimate <= MAX, "estimate " + estimate + " in round " + round);
            assertTrue(estimator.probeBytesDue(now) >= 0, "probe bytes");
            assertTrue(estimator.ackedBps() >= 0 && estimator.lossFraction() >= 0 && estimator.lossFraction() <= 1,
                    "acked " + estimator.ackedBps() + ", loss " + estimator.lossFraction());
        }
    }
}
