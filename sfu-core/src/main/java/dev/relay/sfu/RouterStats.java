package dev.relay.sfu;

import java.util.List;

/**
 * A point-in-time copy of a Router's counters, made on its worker and handed to the control
 * path (quality samples, events). Immutable.
 */
public record RouterStats(List<ProducerSample> producers, List<ConsumerSample> consumers) {

    /** One incoming track: what the relay received from the publisher. */
    public record ProducerSample(int producerId, long packets, long bytes, int cumulativeLost, long expected,
                                 double jitterMs) {
    }

    /**
     * One forwarded track: what the relay sent to the subscriber and what the subscriber reported
     * back (RFC 3550 report block; rttMs is -1 until the subscriber reported on one of our SRs).
     */
    public record ConsumerSample(int consumerId, int producerId, long packets, long bytes, int fractionLost,
                                 int cumulativeLost, double jitterMs, double rttMs) {
    }
}
