package dev.relay.signaling.sdp;

import java.util.List;

/**
 * One track a publisher offers, as the relay accepted it in its answer.
 *
 * @param mid         the m-section's mid
 * @param kind        "audio" or "video"
 * @param trackId     the msid track id, or the mid if the offer has none
 * @param codecName   "opus", "VP8", "H264", ...
 * @param payloadType the publisher's payload type for that codec
 * @param fmtp        the codec's fmtp parameters ("" if none)
 * @param ssrc        the primary SSRC from a=ssrc (RTX excluded), 0 if the offer names none
 *                    (simulcast: the SSRCs are bound from the rid header extension)
 * @param rids        the simulcast layers (RFC 8853), lowest first as the offer lists them; empty
 *                    for a single encoding
 * @param rtxSsrc     the publisher's RTX stream for {@code ssrc} when the relay took RTX (RFC 4588), else 0
 *                    (also 0 for simulcast, whose layers' RTX streams are bound by repaired-rid)
 * @param rtxPayloadType the RTX payload type the relay took with NACK, -1 if none
 * @param redPayloadType the payload type of the publisher's redundant audio (RFC 2198) the relay
 *                       asked for, -1 if none
 */
public record TrackOffer(String mid, String kind, String trackId, String codecName, int payloadType,
                         String fmtp, long ssrc, List<String> rids, long rtxSsrc, int rtxPayloadType,
                         int redPayloadType) {
    public TrackOffer {
        rids = List.copyOf(rids);
    }

    /** A single-encoding track. */
    public TrackOffer(String mid, String kind, String trackId, String codecName, int payloadType, String fmtp,
                      long ssrc) {
        this(mid, kind, trackId, codecName, payloadType, fmtp, ssrc, List.of(), 0, -1, -1);
    }

    /** The publisher sends its audio in RED (RFC 2198). */
    public boolean red() {
        return redPayloadType >= 0;
    }

    /** The relay NACKs this track's publisher and takes its RTX. */
    public boolean repaired() {
        return rtxPayloadType >= 0;
    }

    public boolean simulcast() {
        return !rids.isEmpty();
    }
}
