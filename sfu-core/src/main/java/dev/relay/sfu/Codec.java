package dev.relay.sfu;

/** Codecs the relay forwards, with the RTP clock rate each uses (RFC 7587, RFC 7741, RFC 6184). */
public enum Codec {
    OPUS(MediaKind.AUDIO, 48000),
    VP8(MediaKind.VIDEO, 90000),
    VP9(MediaKind.VIDEO, 90000),
    H264(MediaKind.VIDEO, 90000),
    AV1(MediaKind.VIDEO, 90000);

    private final MediaKind kind;
    private final int clockRate;

    Codec(MediaKind kind, int clockRate) {
        this.kind = kind;
        this.clockRate = clockRate;
    }

    public MediaKind kind() {
        return kind;
    }

    public int clockRate() {
        return clockRate;
    }
}
