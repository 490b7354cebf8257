package dev.relay.sfu;

import dev.relay.codecs.h264.H264Payload;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;

/**
 * Forwards one single-encoding Producer onto one subscriber Transport (audio, or video without
 * simulcast). It gives the stream its own SSRC and payload type and keeps the sequence numbers
 * continuous from the subscriber's point of view; video starts on a keyframe.
 */
public final class SimpleConsumer {
    final int id;
    final Producer producer;
    final RouterTransport sink;
    final int ssrc;
    final int payloadType;
    private boolean started;
    private int seqOffset;
    private int lastOutSeq;
    long packetsSent;
    long bytesSent;
    /** Payload octets sent, for our Sender Reports (RFC 3550 §6.4.1). */
    long payloadBytesSent;
    /** RTP timestamp and send time of the last packet sent, to extrapolate the SR's RTP time. */
    long lastRtpTimestamp;
    long lastSendNanos;
    // What the subscriber last reported about this stream (its RR report block).
    int reportedFractionLost;
    int reportedCumulativeLost;
    long reportedJitter;
    double rttMs = -1;

    SimpleConsumer(int id, Producer producer, RouterTransport sink, int ssrc, int payloadType, int initialSeq) {
        this.id = id;
        this.producer = producer;
        this.sink = sink;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.lastOutSeq = (initialSeq - 1) & 0xFFFF;
    }

    /**
     * Decides whether {@code rtp} goes out and, if so, writes the rewritten packet into
     * {@code out} at 0 and returns its length (before SRTP); returns -1 to skip it.
     * Header extensions and CSRCs are not forwarded: none are negotiated on the subscriber side.
     */
    int rewrite(RtpPacket rtp, Vp8PayloadDescriptor vp8, byte[] out) {
        if (!started) {
            if (producer.codec.kind() == MediaKind.VIDEO && !isKeyframeStart(rtp, vp8)) {
                producer.requestKeyframe();
                return -1;
            }
            started = true;
            seqOffset = (lastOutSeq + 1 - rtp.sequenceNumber()) & 0xFFFF;
        }
        int seq = (rtp.sequenceNumber() + seqOffset) & 0xFFFF;
        lastOutSeq = seq;
        lastRtpTimestamp = rtp.timestamp();
        int headerLength = RtpPacket.writeHeader(out, 0, rtp.marker(), payloadType, seq, rtp.timestamp(), ssrc);
        int payloadOffset = rtp.payloadOffset();
        int rest = rtp.offset() + rtp.length() - payloadOffset;
        System.arraycopy(rtp.buffer(), payloadOffset, out, headerLength, rest);
        if (rtp.padding()) {
            out[0] |= 0x20;
        }
        return headerLength + rest;
    }

    /** Restarts forwarding at the next keyframe (e.g. after the subscriber's DTLS restarts). */
    void restart() {
        started = false;
    }

    private boolean isKeyframeStart(RtpPacket rtp, Vp8PayloadDescriptor vp8) {
        byte[] buf = rtp.buffer();
        int off = rtp.payloadOffset();
        int len = rtp.payloadLength();
        return switch (producer.codec) {
            case VP8 -> vp8.wrap(buf, off, len) && vp8.isKeyframe();
            case H264 -> H264Payload.isKeyframe(buf, off, len);
            default -> true;
        };
    }

    public int id() {
        return id;
    }

    public int ssrc() {
        return ssrc;
    }
}
