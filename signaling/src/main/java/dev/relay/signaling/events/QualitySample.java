package dev.relay.signaling.events;

import java.util.List;

/**
 * One participant's media quality over one sampling interval, as the relay saw it.
 *
 * @param participantId the participant
 * @param intervalMs    how long the interval was
 * @param publish       what the relay received from the participant (its Producers)
 * @param subscribe     what the relay sent to the participant (its Consumers) and what it reported back
 */
public record QualitySample(String participantId, long intervalMs, Direction publish, Direction subscribe) {

    /**
     * One direction, aggregated over the participant's tracks.
     *
     * @param tracks     Producers (publish) or active Consumers (subscribe) sampled
     * @param bitrateBps bits per second over the interval, RTP payload and headers, summed over tracks
     * @param packetLoss 0..1: publish: packets lost / expected over the interval (RFC 3550 A.3);
     *                   subscribe: the subscriber's reported fraction lost, weighted by packets sent
     * @param jitterMs   the largest interarrival jitter of the tracks (RFC 3550 6.4.1), milliseconds
     * @param rttMs      subscribe only: the largest round-trip time from the subscriber's receiver
     *                   reports; -1 when unknown (always -1 for publish)
     * @param retransmissions subscribe only: packets resent on the subscriber's NACKs over the interval
     * @param layers     subscribe only: the simulcast layer (0 lowest) each simulcast track is
     *                   forwarded at (a track not started yet is left out); empty without simulcast
     * @param estimateBps subscribe only: the participant's downlink estimate at the end of the
     *                   interval (docs/quality.md), -1 without transport-cc
     * @param paused     subscribe only: videos its allocation has paused (even the lowest layer does not fit)
     * @param allocatedBps subscribe only: what that estimate gives its simulcast videos, -1 without transport-cc
     */
    public record Direction(int tracks, long bitrateBps, double packetLoss, double jitterMs, double rttMs,
                            long retransmissions, List<Integer> layers, long estimateBps, int paused,
                            long allocatedBps) {
        public static final Direction NONE = new Direction(0, 0, 0, 0, -1);

        public Direction {
            layers = List.copyOf(layers);
        }

        public Direction(int tracks, long bitrateBps, double packetLoss, double jitterMs, double rttMs,
                         long retransmissions, List<Integer> layers) {
            this(tracks, bitrateBps, packetLoss, jitterMs, rttMs, retransmissions, layers, -1, 0, -1);
        }

        public Direction(int tracks, long bitrateBps, double packetLoss, double jitterMs, double rttMs) {
            this(tracks, bitrateBps, packetLoss, jitterMs, rttMs, 0, List.of());
        }
    }
}
