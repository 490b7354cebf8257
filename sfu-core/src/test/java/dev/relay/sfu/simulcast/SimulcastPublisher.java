package dev.relay.sfu.simulcast;

import dev.relay.codecs.rtp.RtpPacket;

/**
 * A VP8 simulcast sender shaped like Chromium's: three encodings, each its own SSRC with its own
 * sequence number, timestamp, PictureID and TL0PICIDX origins, each L1T3 (TIDs 0 2 1 2, the
 * pattern restarting at a keyframe), 30 frames a second, the encodings of one capture instant
 * arriving lowest first. A frame refers to the latest earlier frame of a lower TID (TL0 to the
 * previous TL0); Y is set when that reference is TL0. Keyframes come only when asked for (a
 * subscriber joins mid-stream) or when an encoding starts again.
 *
 * <p>Writes each packet into the caller's buffer and allocates nothing, so it can drive the
 * allocation test too.
 */
final class SimulcastPublisher {
    static final int LAYERS = 3;
    static final int FRAME_TICKS = 3000;
    static final long FRAME_NANOS = 1_000_000_000L / 30;
    static final int PAYLOAD_BYTES = 40;
    private static final int[] PATTERN = {0, 2, 1, 2};
    private static final int[] PACKETS_PER_FRAME = {1, 2, 3};
    private static final long MS = 1_000_000L;

    private final int[] ssrc = new int[LAYERS];
    private final int[] seq = new int[LAYERS];
    private final long[] timestampOrigin = new long[LAYERS];
    private final int[] pictureId = new int[LAYERS];
    private final int[] tl0PicIdx = new int[LAYERS];
    private final int[] patternIndex = new int[LAYERS];
    private final boolean[] active = {true, true, true};
    private final boolean[] keyframeNext = new boolean[LAYERS];
    /** A requested keyframe is sent with the first frame captured at or after this time; -1: none. */
    private final long[] keyframeAtNanos = {-1, -1, -1};

    private long frame;
    private int layer;
    private int packet;
    // The frame being sent.
    private int frameTid;
    private boolean frameKeyframe;
    private boolean frameSync;

    // The last packet written.
    int lastLayer;
    long lastArrivalNanos;
    long lastFrame;
    int lastTid;
    boolean lastKeyframe;
    boolean lastFirstOfFrame;

    /** @param nearWrap origins a few frames before every counter wraps, or ordinary ones. */
    SimulcastPublisher(boolean nearWrap) {
        for (int l = 0; l < LAYERS; l++) {
            ssrc[l] = 0x5100_0000 + l;
            if (nearWrap) {
                seq[l] = 65_536 - 20 - 7 * l;
                timestampOrigin[l] = (1L << 32) - 40L * FRAME_TICKS + 1234L * l;
                pictureId[l] = 32_768 - 15 - 3 * l;
                tl0PicIdx[l] = 256 - 5 - l;
            } else {
                seq[l] = 1000 + 20_000 * l;
                timestampOrigin[l] = 5_000_000L + 123_456_789L * l;
                pictureId[l] = 100 + 5000 * l;
                tl0PicIdx[l] = 10 + 70 * l;
            }
            patternIndex[l] = 1;
        }
        layer = -1;
    }

    int ssrc(int l) {
        return ssrc[l];
    }

    /** The RTP timestamp of capture instant 0 on layer {@code l}; its NTP time is the SR's. */
    long timestampOrigin(int l) {
        return timestampOrigin[l];
    }

    /** A keyframe request for layer {@code l} reaching the encoder at {@code atNanos}. */
    void requestKeyframe(int l, long atNanos) {
        if (keyframeAtNanos[l] < 0 || atNanos < keyframeAtNanos[l]) {
            keyframeAtNanos[l] = atNanos;
        }
    }

    /** The encoder stops or starts layer {@code l} (a bandwidth estimate falling or rising). */
    void setActive(int l, boolean on) {
        if (on && !active[l]) {
            keyframeNext[l] = true;
        }
        active[l] = on;
    }

    /** Writes the next packet into {@code out} at 0 and returns its length. */
    int next(byte[] out) {
        if (layer < 0 || packet + 1 >= PACKETS_PER_FRAME[layer] * (frameKeyframe ? 2 : 1)) {
            startNextFrame();
        } else {
            packet++;
        }
        int packets = PACKETS_PER_FRAME[layer] * (frameKeyframe ? 2 : 1);
        boolean first = packet == 0;
        boolean last = packet == packets - 1;
        long timestamp = (timestampOrigin[layer] + frame * FRAME_TICKS) & 0xFFFF_FFFFL;
        int length = RtpPacket.writeHeader(out, 0, last, 96, seq[layer], timestamp, ssrc[layer]);
        seq[layer] = (seq[layer] + 1) & 0xFFFF;
        // RFC 7741 §4.2 descriptor: X, S on the first packet; I L T; 15-bit PictureID; TL0PICIDX; TID Y.
        out[length++] = (byte) (0x80 | (first ? 0x10 : 0));
        out[length++] = (byte) 0xE0;
        out[length++] = (byte) (0x80 | (pictureId[layer] >>> 8));
        out[length++] = (byte) pictureId[layer];
        out[length++] = (byte) tl0PicIdx[layer];
        out[length++] = (byte) (frameTid << 6 | (frameSync ? 0x20 : 0));
        // RFC 7741 §4.3: the first payload byte's P bit is 0 for a key frame.
        out[length++] = (byte) (first && frameKeyframe ? 0x50 : 0x51);
        for (int i = 1; i < PAYLOAD_BYTES; i++) {
            out[length++] = (byte) i;
        }
        lastLayer = layer;
        lastArrivalNanos = arrivalNanos(frame, layer, packet);
        lastFrame = frame;
        lastTid = frameTid;
        lastKeyframe = frameKeyframe;
        lastFirstOfFrame = first;
        return length;
    }

    private void startNextFrame() {
        do {
            layer++;
            if (layer == LAYERS) {
                layer = 0;
                frame++;
            }
        } while (!active[layer]);
        packet = 0;
        long capture = frame * FRAME_NANOS;
        frameKeyframe = keyframeNext[layer] || (keyframeAtNanos[layer] >= 0 && capture >= keyframeAtNanos[layer]);
        if (frameKeyframe) {
            keyframeNext[layer] = false;
            keyframeAtNanos[layer] = -1;
            patternIndex[layer] = 0;
        }
        int position = patternIndex[layer] % PATTERN.length;
        frameTid = PATTERN[position];
        // Positions 1 (TID 2) and 2 (TID 1) refer only to the TL0 of position 0.
        frameSync = !frameKeyframe && (position == 1 || position == 2);
        patternIndex[layer]++;
        pictureId[layer] = (pictureId[layer] + 1) & 0x7FFF;
        if (frameTid == 0) {
            tl0PicIdx[layer] = (tl0PicIdx[layer] + 1) & 0xFF;
        }
    }

    /** Lowest layer first, a few ms apart; the packets of a frame 0.1 ms apart. */
    private static long arrivalNanos(long frame, int layer, int packet) {
        return frame * FRAME_NANOS + (2 + 3L * layer) * MS + packet * MS / 10;
    }
}
