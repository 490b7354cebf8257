package dev.relay.sfu;

/**
 * What the media path counts besides packets: feedback, repair and layer changes, each a
 * counter a worker keeps and publishes (docs/operations.md "Metrics", docs/quality.md).
 */
public enum MediaEvent {
    /** A PLI sent to a publisher (RFC 4585 §6.3.1), after the throttle. */
    KEYFRAME_REQUEST_SENT("relay.keyframe.requests", "Keyframe requests (PLI) sent to publishers"),
    /** A sequence number a subscriber NACKed (RFC 4585 §6.2.1). */
    NACK_RECEIVED("relay.nack.requested", "Sequence numbers subscribers asked to be retransmitted (NACK)"),
    /** A NACK the relay sent a publisher for packets it lost itself. */
    NACK_SENT("relay.nack.sent", "NACKs sent to publishers for packets the relay lost"),
    /** A publisher's retransmission (RTX) that arrived and was taken as the original. */
    RETRANSMISSION_RECEIVED("relay.retransmissions.received", "Retransmissions (RTX) received from publishers"),
    /** A NACKed packet sent again (RTX, RFC 4588, or as first sent). */
    RETRANSMISSION_SENT("relay.retransmissions", "Packets retransmitted to subscribers"),
    /** A NACKed packet no longer in the cache (too old or never received). */
    RETRANSMISSION_MISSED("relay.retransmissions.missed", "NACKed packets the relay no longer held"),
    /** A simulcast Consumer moved to another layer at a keyframe. */
    LAYER_SWITCH("relay.simulcast.layer.switches", "Simulcast layer switches of subscribers"),
    /** A transport-wide congestion control feedback message sent to a publisher. */
    TRANSPORT_CC_FEEDBACK_SENT("relay.transport.cc.feedback", "Transport-cc feedback messages sent to publishers"),
    /** An audio packet lost before the relay, rebuilt from the next packet's RED redundancy (RFC 2198). */
    RED_RECOVERED("relay.red.recovered", "Audio packets rebuilt from RED redundancy for subscribers without RED"),
    /** A probe cluster started on a subscriber's downlink (docs/quality.md "Downlink estimate and allocation"). */
    PROBE_STARTED("relay.bwe.probes", "Bandwidth probes started on subscribers' downlinks"),
    /** A subscriber's video paused because even its lowest layer did not fit its downlink estimate. */
    STREAM_PAUSED("relay.allocation.pauses", "Subscribers' videos paused for bandwidth"),
    /** A subscriber's video moved to a lower layer because its downlink estimate fell. */
    LAYER_DOWN_FOR_BANDWIDTH("relay.allocation.downgrades", "Simulcast layer downgrades for bandwidth");

    private final String metricName;
    private final String description;

    MediaEvent(String metricName, String description) {
        this.metricName = metricName;
        this.description = description;
    }

    public String metricName() {
        return metricName;
    }

    public String description() {
        return description;
    }
}
