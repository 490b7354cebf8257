package dev.relay.signaling.events;

import dev.relay.sfu.RouterStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One room's quality samples: turns successive {@link RouterStats} snapshots (cumulative
 * counters) into per-participant rates over each interval. Pure and single-threaded (the control
 * thread); time is passed in.
 *
 * <p>A track absent from the previous snapshot is counted from zero since that snapshot (or since
 * the sampler was made), so its first interval under-reports its bitrate a little.
 */
public final class QualitySampler {

    /** Which Producers and (active) Consumers belong to one participant, from the control path. */
    public record ParticipantMedia(String participantId, int[] producerIds, int[] consumerIds) {
    }

    private Map<Integer, RouterStats.ProducerSample> lastProducers = Map.of();
    private Map<Integer, RouterStats.ConsumerSample> lastConsumers = Map.of();
    private long lastNanos;

    public QualitySampler(long startNanos) {
        this.lastNanos = startNanos;
    }

    /**
     * One sample per participant over the time since the previous call. Returns nothing when no
     * time has passed.
     */
    public List<QualitySample> sample(RouterStats stats, List<ParticipantMedia> participants, long nowNanos) {
        long elapsedNanos = nowNanos - lastNanos;
        Map<Integer, RouterStats.ProducerSample> producers = new HashMap<>();
        for (RouterStats.ProducerSample p : stats.producers()) {
            producers.put(p.producerId(), p);
        }
        Map<Integer, RouterStats.ConsumerSample> consumers = new HashMap<>();
        for (RouterStats.ConsumerSample c : stats.consumers()) {
            consumers.put(c.consumerId(), c);
        }
        List<QualitySample> samples = new ArrayList<>();
        if (elapsedNanos > 0) {
            double seconds = elapsedNanos / 1e9;
            for (ParticipantMedia media : participants) {
                samples.add(new QualitySample(media.participantId(), Math.round(elapsedNanos / 1e6),
                        publish(media.producerIds(), producers, seconds),
                        subscribe(media.consumerIds(), consumers, seconds)));
            }
        }
        lastProducers = producers;
        lastConsumers = consumers;
        lastNanos = nowNanos;
        return samples;
    }

    private QualitySample.Direction publish(int[] ids, Map<Integer, RouterStats.ProducerSample> now, double seconds) {
        int tracks = 0;
        long bytes = 0;
        long lost = 0;
        long expected = 0;
        double jitter = 0;
        for (int id : ids) {
            RouterStats.ProducerSample cur = now.get(id);
            if (cur == null) {
                continue;
            }
            RouterStats.ProducerSample prev = lastProducers.get(id);
            tracks++;
            bytes += Math.max(0, cur.bytes() - (prev == null ? 0 : prev.bytes()));
            long dExpected = cur.expected() - (prev == null ? 0 : prev.expected());
            // cumulativeLost may go down (duplicates, RFC 3550 6.4.1); a negative interval counts as none.
            long dLost = (long) cur.cumulativeLost() - (prev == null ? 0 : prev.cumulativeLost());
            if (dExpected > 0) {
                expected += dExpected;
                lost += Math.max(0, Math.min(dLost, dExpected));
            }
            jitter = Math.max(jitter, cur.jitterMs());
        }
        if (tracks == 0) {
            return QualitySample.Direction.NONE;
        }
        return new QualitySample.Direction(tracks, Math.round(bytes * 8 / seconds),
                expected == 0 ? 0 : (double) lost / expected, jitter, -1);
    }

    private QualitySample.Direction subscribe(int[] ids, Map<Integer, RouterStats.ConsumerSample> now,
                                              double seconds) {
        int tracks = 0;
        long bytes = 0;
        double lossWeighted = 0;
        long packets = 0;
        double maxFraction = 0;
        double jitter = 0;
        double rtt = -1;
        long retransmissions = 0;
        List<Integer> layers = new ArrayList<>();
        long estimate = -1;
        long allocated = -1;
        int paused = 0;
        for (int id : ids) {
            RouterStats.ConsumerSample cur = now.get(id);
            if (cur == null) {
                continue;
            }
            RouterStats.ConsumerSample prev = lastConsumers.get(id);
            tracks++;
            bytes += Math.max(0, cur.bytes() - (prev == null ? 0 : prev.bytes()));
            long dPackets = Math.max(0, cur.packets() - (prev == null ? 0 : prev.packets()));
            // RFC 3550 6.4.1: fraction lost is an 8-bit fixed-point number (lost / 256).
            double fraction = cur.fractionLost() / 256.0;
            lossWeighted += fraction * dPackets;
            packets += dPackets;
            maxFraction = Math.max(maxFraction, fraction);
            jitter = Math.max(jitter, cur.jitterMs());
            if (cur.rttMs() >= 0) {
                rtt = Math.max(rtt, cur.rttMs());
            }
            retransmissions += Math.max(0, cur.retransmissions() - (prev == null ? 0 : prev.retransmissions()));
            if (cur.layer() >= 0) {
                layers.add(cur.layer());
            }
            estimate = Math.max(estimate, cur.estimateBps());
            allocated = Math.max(allocated, cur.allocatedBps());
            paused += cur.paused() ? 1 : 0;
        }
        if (tracks == 0) {
            return QualitySample.Direction.NONE;
        }
        double loss = packets > 0 ? lossWeighted / packets : maxFraction;
        return new QualitySample.Direction(tracks, Math.round(bytes * 8 / seconds), loss, jitter, rtt,
                retransmissions, layers, estimate, paused, allocated);
    }
}
