package dev.relay.signaling.sdp;

import java.util.Map;
import java.util.Set;

/**
 * A subscriber's answer to a relay offer, as far as the relay acts on it.
 *
 * @param remote       the browser's transport parameters
 * @param rejectedMids the mids of m-sections the browser answered with port 0 (RFC 8829
 *                     §5.3.1: it cannot or will not receive them, e.g. a codec it does not decode)
 * @param audioLevel   the answer kept the audio level extension (RFC 6464) the offer proposed
 *                     (RFC 8285 §5: an extension the answer leaves out is not sent)
 * @param redPayloadTypes for each accepted audio m-section whose answer keeps redundant audio
 *                     (RFC 2198 {@code red}) and the Opus it carries, its mid and that payload type
 * @param transportCc  the answer kept transport-wide sequence numbers under the offered id
 *                     (draft-holmer-rmcat-transport-wide-cc-extensions-01): the browser will send
 *                     feedback on what the relay sends it
 */
public record SubscribeAnswer(RemoteTransportInfo remote, Set<String> rejectedMids, boolean audioLevel,
                              Map<String, Integer> redPayloadTypes, boolean transportCc) {
    /** Whether the answer takes RED as {@code payloadType} on m-section {@code mid}. */
    public boolean takesRed(String mid, int payloadType) {
        Integer pt = redPayloadTypes.get(mid);
        return pt != null && pt == payloadType;
    }
}
