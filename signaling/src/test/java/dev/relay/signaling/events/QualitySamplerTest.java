package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.sfu.RouterStats;
import dev.relay.sfu.RouterStats.ConsumerSample;
import dev.relay.sfu.RouterStats.ProducerSample;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualitySamplerTest {
    private static final long SECOND = 1_000_000_000L;

    private final QualitySampler sampler = new QualitySampler(0);
    private final List<QualitySampler.ParticipantMedia> alice = List.of(
            new QualitySampler.ParticipantMedia("alice", new int[] {1, 2}, new int[] {10}));

    @Test
    void shouldTurnCumulativeCountersIntoRatesOverTheInterval() {
        sampler.sample(stats(List.of(producer(1, 1_000, 100, 0, 100, 2.0), producer(2, 10_000, 50, 0, 50, 5.0)),
                List.of(consumer(10, 100, 20_000, 0, 1.0, -1))), alice, 10 * SECOND);

        QualitySample sample = sampler.sample(
                stats(List.of(producer(1, 11_000, 200, 2, 200, 3.0), producer(2, 30_000, 150, 8, 150, 4.0)),
                        List.of(consumer(10, 300, 70_000, 64, 2.5, 20.0))),
                alice, 12 * SECOND).get(0);

        assertEquals("alice", sample.participantId());
        assertEquals(2_000, sample.intervalMs());
        // (10,000 + 20,000) bytes in 2 s
        assertEquals(new QualitySample.Direction(2, 120_000, 10.0 / 200, 4.0, -1), sample.publish());
        // 50,000 bytes in 2 s; fraction lost 64/256
        assertEquals(new QualitySample.Direction(1, 200_000, 0.25, 2.5, 20.0), sample.subscribe());
    }

    @Test
    void shouldCountANewTrackFromTheLastSample() {
        sampler.sample(stats(List.of(), List.of()), alice, 10 * SECOND);
        QualitySample sample = sampler.sample(stats(List.of(producer(1, 5_000, 40, 0, 40, 1.0)), List.of()),
                alice, 20 * SECOND).get(0);
        assertEquals(4_000, sample.publish().bitrateBps());
        assertEquals(1, sample.publish().tracks());
        assertEquals(QualitySample.Direction.NONE, sample.subscribe());
    }

    @Test
    void shouldNotReportNegativeLossWhenDuplicatesLowerTheCumulativeCount() {
        sampler.sample(stats(List.of(producer(1, 0, 0, 5, 100, 0)), List.of()), alice, SECOND);
        QualitySample sample = sampler.sample(stats(List.of(producer(1, 0, 0, 3, 200, 0)), List.of()), alice,
                2 * SECOND).get(0);
        assertEquals(0.0, sample.publish().packetLoss());
    }

    @Test
    void shouldReportNothingForAnEmptyInterval() {
        assertEquals(List.of(), sampler.sample(stats(List.of(), List.of()), alice, 0));
    }

    private static RouterStats stats(List<ProducerSample> producers, List<ConsumerSample> consumers) {
        return new RouterStats(producers, consumers);
    }

    private static ProducerSample producer(int id, long bytes, long packets, int lost, long expected, double jitter) {
        return new ProducerSample(id, packets, bytes, lost, expected, jitter);
    }

    private static ConsumerSample consumer(int id, long packets, long bytes, int fractionLost, double jitter,
                                           double rtt) {
        return new ConsumerSample(id, 1, packets, bytes, fractionLost, 0, jitter, rtt);
    }
}
