package dev.relay.signaling;

/**
 * How the relay repairs what is lost on the way to subscribers (docs/quality.md): both are on
 * unless turned off to measure what they are worth.
 *
 * @param nack retransmit video a subscriber NACKs (RFC 4585 §6.2.1), on its RTX stream where
 *             negotiated (RFC 4588), and NACK publishers for what the relay lost
 * @param red  ask publishers that offer it for Opus in RED, each packet carrying the frame before
 *             it too (RFC 2198), and pass that redundancy on to subscribers that accept it
 */
public record LossRepair(boolean nack, boolean red) {
    public static LossRepair on() {
        return new LossRepair(true, true);
    }

    public static LossRepair off() {
        return new LossRepair(false, false);
    }
}
