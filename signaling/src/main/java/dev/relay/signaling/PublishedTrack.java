package dev.relay.signaling;

import dev.relay.sfu.Codec;
import java.util.List;

/**
 * A Producer as the control path knows it.
 *
 * @param ssrc   the SDP's SSRC; 0 for simulcast, whose layers are bound by rid
 * @param rids   the simulcast layers (RFC 8853), lowest first as the offer lists them; empty for
 *               a single stream
 */
record PublishedTrack(int producerId, String mid, String trackId, String kind, Codec codec, String fmtp,
                      long ssrc, List<String> rids, Participant owner) {

    PublishedTrack {
        rids = List.copyOf(rids);
    }

    /** A single-stream track. */
    PublishedTrack(int producerId, String mid, String trackId, String kind, Codec codec, String fmtp, long ssrc,
                   Participant owner) {
        this(producerId, mid, trackId, kind, codec, fmtp, ssrc, List.of(), owner);
    }

    /** The number of simulcast layers, 0 for a single stream. */
    int layers() {
        return rids.size();
    }

    /** The codec as SDP rtpmap and session events name it: {@code opus}, {@code VP8}, {@code H264}. */
    String codecName() {
        return codec == Codec.OPUS ? "opus" : codec.name();
    }
}
