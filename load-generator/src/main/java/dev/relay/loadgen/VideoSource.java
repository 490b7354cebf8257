package dev.relay.loadgen;

import dev.relay.codecs.Bytes;
import dev.relay.codecs.rtp.RtpPacket;

/**
 * A synthetic VP8 camera: 30 frames per second at a target bitrate, each frame split into
 * equal packets of at most {@link #MAX_PAYLOAD} bytes. The packets of a frame leave paced at a
 * multiple of the bitrate, as libwebrtc's pacer sends them (pacing factor 2.5: a 1,100-byte
 * packet every 3.5 ms at 1 Mbit/s), or as one burst when pacing is off. A keyframe is at least
 * {@link #KEYFRAME_PACKETS} packets; one is sent every keyframe interval and on the next frame
 * after the relay asks for one (PLI or FIR).
 *
 * <p>Each packet carries a valid VP8 payload descriptor (RFC 7741 §4.2) with a 15-bit PictureID,
 * then the 3-byte frame tag whose P bit says key (0) or inter (1) frame (RFC 7741 §4.3), then
 * the {@link Probe}. The marker bit ends a frame (RFC 7741 §4.1). Owned by one I/O loop.
 */
final class VideoSource {
    static final int CLOCK_RATE = 90_000;
    static final int FPS = 30;
    /** Largest RTP payload (descriptor included): ~1,100-byte packets like a browser's on a 1,200 MTU budget. */
    static final int MAX_PAYLOAD = 1100;
    static final int KEYFRAME_PACKETS = 10;

    /*
     * RFC 7741 §4.2, the descriptor we write (4 bytes):
     *
     *       0 1 2 3 4 5 6 7
     *      +-+-+-+-+-+-+-+-+
     *      |X|R|N|S|R| PID |  X=1, S=1 on the first packet of a frame, PID=0
     *      +-+-+-+-+-+-+-+-+
     *      |I|L|T|K| RSV   |  I=1
     *      +-+-+-+-+-+-+-+-+
     *      |M| PictureID   |  M=1: 15-bit PictureID
     *      +-+-+-+-+-+-+-+-+
     *      |   PictureID   |
     *      +-+-+-+-+-+-+-+-+
     *
     * RFC 6386 §9.1 frame tag, first byte: |size0(3)|show_frame|version(3)|P|, P=0 for a key frame.
     */
    static final int DESCRIPTOR_LENGTH = 4;
    private static final int X_BIT = 0x80;
    private static final int S_BIT = 0x10;
    private static final int I_BIT = 0x80;
    private static final int M_BIT = 0x80;
    private static final int SHOW_FRAME = 0x10;
    private static final int INTER_FRAME = 0x01;
    static final int PROBE_OFFSET = DESCRIPTOR_LENGTH + Probe.VP8_FRAME_TAG_LENGTH;

    private final int ssrc;
    private final int publisher;
    private final long frameIntervalNanos;
    private final long keyframeIntervalNanos;
    private final int deltaFrameBytes;
    private final int keyframeBytes;

    private int seq;
    private long timestamp;
    private int pictureId;
    private long nextFrameNanos;
    private long nextKeyframeNanos;
    private boolean keyframeRequested;
    private boolean running;
    /** 0: a frame leaves as one burst; else libwebrtc-style pacing at this rate. */
    private final long pacingBitsPerSecond;
    // The frame being paced out.
    private boolean frameKey;
    private int framePackets;
    private int framePayloadSize;
    private long frameTimestamp;
    private int framePictureId;
    private int packetsLeft;
    private long nextPacketNanos;
    private long packetIntervalNanos;

    long packetsSent;
    long bytesSent;
    long frames;
    long keyframes;
    long keyframesOnRequest;
    long keyframeRequests;
    /** Largest delay of a frame behind its schedule (in the window once it starts): the load generator is saturated. */
    long maxLateNanos;
    /** Packets sent and the RTP time of the last one, for our Sender Reports. */
    long lastRtpTimestamp;
    long payloadBytesSent;

    long framesLateOver10ms;
    private long windowPackets;
    private long windowFramesLateOver10ms;
    private long windowKeyframes;
    private long windowKeyframesOnRequest;
    private long windowKeyframeRequests;

    /**
     * @param pacingFactor packets leave at this multiple of the bitrate (libwebrtc's pacer uses
     *        2.5); 0 sends each frame as one burst
     */
    VideoSource(int ssrc, int publisher, int bitrateKbps, double keyframeIntervalSeconds, double pacingFactor,
                long seed) {
        this.ssrc = ssrc;
        this.pacingBitsPerSecond = (long) (pacingFactor * bitrateKbps * 1000);
        this.publisher = publisher;
        this.frameIntervalNanos = 1_000_000_000L / FPS;
        this.keyframeIntervalNanos = (long) (keyframeIntervalSeconds * 1e9);
        long bytesPerSecond = bitrateKbps * 1000L / 8;
        int framesPerKeyframe = (int) Math.max(2, Math.round(keyframeIntervalSeconds * FPS));
        // ~2.5 delta frames' worth, at least 10 full packets: 10 packets at 1 Mbps.
        this.keyframeBytes = Math.max(KEYFRAME_PACKETS * MAX_PAYLOAD, (int) (5 * bytesPerSecond / FPS / 2));
        // Delta frames take what the keyframes leave of the target rate, so the average is the target.
        long perInterval = bytesPerSecond * framesPerKeyframe / FPS;
        this.deltaFrameBytes = (int) Math.max(200, (perInterval - keyframeBytes) / (framesPerKeyframe - 1));
        this.seq = (int) (seed & 0xFFFF);
        this.timestamp = (seed >>> 16) & 0xFFFFFFFFL;
        this.pictureId = (int) ((seed >>> 48) & 0x7FFF);
    }

    int ssrc() {
        return ssrc;
    }

    void start(long now) {
        running = true;
        nextFrameNanos = now;
        nextKeyframeNanos = now;
    }

    void stop() {
        running = false;
    }

    void requestKeyframe() {
        keyframeRequests++;
        keyframeRequested = true;
    }

    /**
     * Starts the frames that are due, sends the packets whose pacing time has come, and returns
     * when the next packet or frame is due. A frame still being paced out when the next one is
     * due is flushed at once (libwebrtc would queue it; flushing keeps the frame order).
     *
     * @param buf the loop's scratch buffer, with room for a packet plus the SRTP tag
     */
    long sendDue(long now, byte[] buf, RtpSink transport) {
        if (!running) {
            return Long.MAX_VALUE;
        }
        while (now - nextFrameNanos >= 0) {
            long late = now - nextFrameNanos;
            if (late > maxLateNanos) {
                maxLateNanos = late;
            }
            if (late > 10_000_000L) {
                framesLateOver10ms++;
            }
            if (late > 500_000_000L) {
                // Far behind (a stalled machine): skip the missed frames as an encoder would drop them.
                long missed = late / frameIntervalNanos;
                nextFrameNanos += missed * frameIntervalNanos;
                timestamp = (timestamp + missed * (CLOCK_RATE / FPS)) & 0xFFFFFFFFL;
            }
            while (packetsLeft > 0) {
                sendPacket(buf, transport);
            }
            startFrame(now);
            nextFrameNanos += frameIntervalNanos;
            timestamp = (timestamp + CLOCK_RATE / FPS) & 0xFFFFFFFFL;
        }
        while (packetsLeft > 0 && now - nextPacketNanos >= 0) {
            sendPacket(buf, transport);
            nextPacketNanos += packetIntervalNanos;
        }
        return packetsLeft > 0 && nextPacketNanos - nextFrameNanos < 0 ? nextPacketNanos : nextFrameNanos;
    }

    private void startFrame(long now) {
        boolean key = keyframeRequested || now - nextKeyframeNanos >= 0;
        if (key) {
            keyframes++;
            if (keyframeRequested && now - nextKeyframeNanos < 0) {
                keyframesOnRequest++;
            }
            keyframeRequested = false;
            nextKeyframeNanos = now + keyframeIntervalNanos;
        }
        int frameBytes = key ? keyframeBytes : deltaFrameBytes;
        frameKey = key;
        framePackets = (frameBytes + MAX_PAYLOAD - 1) / MAX_PAYLOAD;
        framePayloadSize = (frameBytes + framePackets - 1) / framePackets;
        frameTimestamp = timestamp;
        framePictureId = pictureId;
        packetsLeft = framePackets;
        nextPacketNanos = now;
        packetIntervalNanos = pacingBitsPerSecond <= 0 ? 0
                : (long) framePayloadSize * 8 * 1_000_000_000L / pacingBitsPerSecond;
        pictureId = (pictureId + 1) & 0x7FFF;
        frames++;
    }

    private void sendPacket(byte[] buf, RtpSink transport) {
        int index = framePackets - packetsLeft;
        boolean first = index == 0;
        boolean last = packetsLeft == 1;
        int off = RtpPacket.writeHeader(buf, 0, last, Sdp.PT_VP8, seq, frameTimestamp, ssrc);
        buf[off] = (byte) (X_BIT | (first ? S_BIT : 0));
        buf[off + 1] = (byte) I_BIT;
        Bytes.putUint16(buf, off + 2, M_BIT << 8 | framePictureId);
        // The frame tag: meaningful on the first packet, kept on all so the probe sits at one offset.
        buf[off + DESCRIPTOR_LENGTH] = (byte) (SHOW_FRAME | (frameKey ? 0 : INTER_FRAME));
        buf[off + DESCRIPTOR_LENGTH + 1] = 0;
        buf[off + DESCRIPTOR_LENGTH + 2] = 0;
        int len = off + framePayloadSize;
        Probe.write(buf, off + PROBE_OFFSET, publisher, Probe.KIND_VIDEO, System.nanoTime());
        if (transport.sendRtp(buf, len)) {
            packetsSent++;
            bytesSent += len;
            payloadBytesSent += framePayloadSize;
        }
        seq = (seq + 1) & 0xFFFF;
        lastRtpTimestamp = frameTimestamp;
        packetsLeft--;
    }

    void markWindowStart() {
        maxLateNanos = 0;
        windowPackets = packetsSent;
        windowFramesLateOver10ms = framesLateOver10ms;
        windowKeyframes = keyframes;
        windowKeyframesOnRequest = keyframesOnRequest;
        windowKeyframeRequests = keyframeRequests;
    }

    long windowKeyframes() {
        return keyframes - windowKeyframes;
    }

    long windowKeyframesOnRequest() {
        return keyframesOnRequest - windowKeyframesOnRequest;
    }

    long windowKeyframeRequests() {
        return keyframeRequests - windowKeyframeRequests;
    }

    long windowPackets() {
        return packetsSent - windowPackets;
    }

    long windowFramesLate() {
        return framesLateOver10ms - windowFramesLateOver10ms;
    }

    /** RTP time now, extrapolated from the last frame, for a Sender Report (RFC 3550 §6.4.1). */
    long rtpTimestampAt(long now) {
        long sinceFrame = now - (nextFrameNanos - frameIntervalNanos);
        return (frameTimestamp + Math.max(0, sinceFrame) * CLOCK_RATE / 1_000_000_000L) & 0xFFFFFFFFL;
    }
}
