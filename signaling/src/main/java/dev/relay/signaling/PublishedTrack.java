package dev.relay.signaling;

import dev.relay.sfu.Codec;

/** A Producer as the control path knows it. */
record PublishedTrack(int producerId, String mid, String trackId, String kind, Codec codec, String fmtp,
                      long ssrc, Participant owner) {

    /** The codec as SDP rtpmap and session events name it: {@code opus}, {@code VP8}, {@code H264}. */
    String codecName() {
        return codec == Codec.OPUS ? "opus" : codec.name();
    }
}
