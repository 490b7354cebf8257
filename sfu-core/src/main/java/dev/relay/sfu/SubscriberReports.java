package dev.relay.sfu;

import dev.relay.codecs.rtcp.NtpTime;
import dev.relay.codecs.rtcp.ReceiverReport;

/**
 * What a subscriber last reported about one stream a Consumer sends it (its RTCP report block,
 * RFC 3550 §6.4.1): loss, jitter and the round-trip time computed from our Sender Reports. Every
 * Consumer keeps one. Owned by the Router's worker thread.
 */
final class SubscriberReports {
    private int fractionLost;
    private int cumulativeLost;
    private long jitter;
    private double rttMs = -1;

    /** Takes block {@code block} of {@code report}; returns the new RTT in ms, or -1 if it has none. */
    double onReportBlock(ReceiverReport report, int block, long nowCompactNtp) {
        fractionLost = report.fractionLost(block);
        cumulativeLost = report.cumulativeLost(block);
        jitter = report.jitter(block);
        long lsr = report.lsr(block);
        if (lsr != 0) {
            double rtt = NtpTime.roundTripMillis(nowCompactNtp, lsr, report.dlsr(block));
            if (rtt >= 0) {
                rttMs = rtt;
                return rtt;
            }
        }
        return -1;
    }

    /** The sample of a Consumer sending {@code producer}'s stream under these reports. */
    RouterStats.ConsumerSample sample(int consumerId, Producer producer, long packets, long bytes, int layer,
                                      long retransmissions, RouterTransport sink, boolean paused) {
        DownlinkControl downlink = sink.downlink();
        return new RouterStats.ConsumerSample(consumerId, producer.id(), packets, bytes, fractionLost, cumulativeLost,
                jitter * 1000.0 / producer.codec().clockRate(), rttMs, layer, retransmissions,
                downlink == null ? -1 : downlink.estimateBps(), paused,
                downlink == null ? -1 : downlink.allocatedBps());
    }
}
