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
     *
     * @param layer           the simulcast layer forwarded now (0 lowest), -1 without simulcast or
     *                        before the first keyframe
     * @param retransmissions packets resent on the subscriber's NACKs, since the Consumer began
     * @param estimateBps     the subscriber's downlink estimate (docs/quality.md), -1 without transport-cc
     * @param paused          the subscriber's allocation paused this video: even its lowest layer does not fit
     * @param allocatedBps    what the subscriber's allocation gives its simulcast videos now, -1 without transport-cc
     */
    public record ConsumerSample(int consumerId, int producerId, long packets, long bytes, int fractionLost,
                                 int cumulativeLost, double jitterMs, double rttMs, int layer,
                                 long retransmissions, long estimateBps, boolean paused, long allocatedBps) {
        public ConsumerSample(int consumerId, int producerId, long packets, long bytes, int fractionLost,
                              int cumulativeLost, double jitterMs, double rttMs, int layer, long retransmissions) {
            this(consumerId, producerId, packets, bytes, fractionLost, cumulativeLost, jitterMs, rttMs, layer,
                    retransmissions, -1, false, -1);
        }

        /** Without simulcast or retransmissions. */
        public ConsumerSample(int consumerId, int producerId, long packets, long bytes, int fractionLost,
                              int cumulativeLost, double jitterMs, double rttMs) {
            this(consumerId, producerId, packets, bytes, fractionLost, cumulativeLost, jitterMs, rttMs, -1, 0);
        }
    }
}
