package dev.relay.sfu;

import dev.relay.codecs.av1.Av1Payload;
import dev.relay.codecs.h264.H264Payload;
import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtp.RedPayload;
import dev.relay.codecs.rtp.RtpPacket;

/**
 * Forwards one single-encoding Producer onto one subscriber Transport (audio, or video without
 * simulcast; every VP9 or AV1 layer). It gives the stream its own SSRC and payload type and keeps
 * the sequence numbers continuous from the subscriber's point of view; video starts on a keyframe
 * (VP8, VP9 and H.264 from their payload descriptors, AV1 from its aggregation header).
 */
final class SimpleConsumer implements Consumer, Retransmissions.Source {
    private final int id;
    private final Producer producer;
    private final RouterTransport sink;
    private final RtpSender sender;
    private final MediaContext context;
    private final int ssrc;
    private final int payloadType;
    /** Answers to the subscriber's NACKs; null when the Producer keeps no cache. */
    private final Retransmissions retransmissions;
    /** The subscriber's id for the audio level extension (RFC 6464), -1 if it has none. */
    private int audioLevelExtensionId = -1;
    /** The subscriber's payload type for RED (RFC 2198), -1 until its answer accepts RED. */
    private int redPayloadType = -1;
    private boolean started;
    private int seqOffset;
    private int lastOutSeq;
    private long packetsSent;
    private long bytesSent;
    /** Payload octets sent, for our Sender Reports (RFC 3550 §6.4.1). */
    private long payloadBytesSent;
    /** RTP timestamp and send time of the last packet sent, to extrapolate the SR's RTP time. */
    private long lastRtpTimestamp;
    private long lastSendNanos;
    private final SubscriberReports reports = new SubscriberReports();

    SimpleConsumer(int id, Producer producer, RouterTransport sink, MediaContext context, int ssrc, int payloadType,
                   int initialSeq) {
        this(id, producer, sink, context, ssrc, payloadType, initialSeq, 0, -1);
    }

    SimpleConsumer(int id, Producer producer, RouterTransport sink, MediaContext context, int ssrc, int payloadType,
                   int initialSeq, int rtxSsrc, int rtxPayloadType) {
        this.id = id;
        this.producer = producer;
        this.sink = sink;
        this.sender = sink.sender();
        this.context = context;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.lastOutSeq = (initialSeq - 1) & 0xFFFF;
        this.retransmissions = producer.stream(0).cache() != null
                ? new Retransmissions(rtxSsrc, rtxPayloadType, initialSeq ^ 0x5A5A) : null;
    }

    @Override
    public void send(RtpPacket rtp, int stream, long nowNanos) {
        // Of a simulcast Producer, only the lowest layer: every subscriber can take it.
        if (stream != 0 || !sender.isReady()) {
            return;
        }
        byte[] out = context.rtpOut;
        if (started && redPayloadType < 0 && producer.isRed(rtp)) {
            sendRecovered(rtp, out, nowNanos);
        }
        int length = rewrite(rtp, out, nowNanos);
        if (length < 0) {
            return;
        }
        int sent = sender.sendRtp(out, 0, length);
        if (sent >= 0) {
            packetsSent++;
            bytesSent += sent;
            payloadBytesSent += rtp.payloadLength();
            lastSendNanos = nowNanos;
            context.countOut(sent);
        }
    }

    /**
     * Decides whether {@code rtp} goes out and, if so, writes the rewritten packet into
     * {@code out} at 0 and returns its length (before SRTP); returns -1 to skip it.
     * Header extensions and CSRCs are not forwarded: none are negotiated on the subscriber side.
     */
    int rewrite(RtpPacket rtp, byte[] out, long nowNanos) {
        if (!started) {
            if (producer.codec().kind() == MediaKind.VIDEO && !isKeyframeStart(rtp)) {
                producer.requestKeyframe(nowNanos);
                return -1;
            }
            started = true;
            seqOffset = (lastOutSeq + 1 - rtp.sequenceNumber()) & 0xFFFF;
        }
        int seq = (rtp.sequenceNumber() + seqOffset) & 0xFFFF;
        if (((seq - lastOutSeq) & 0xFFFF) < 0x8000) {
            lastOutSeq = seq; // a late or recovered packet does not move the stream back
        }
        lastRtpTimestamp = rtp.timestamp();
        boolean red = producer.isRed(rtp);
        int pt = red && redPayloadType >= 0 ? redPayloadType : payloadType;
        int headerLength = RtpPacket.writeHeader(out, 0, rtp.marker(), pt, seq, rtp.timestamp(), ssrc);
        headerLength += writeAudioLevel(rtp, out, headerLength);
        if (red) {
            return headerLength + (redPayloadType >= 0
                    ? RedAudio.copyRed(context.red, rtp, out, headerLength, payloadType)
                    : RedAudio.copyPrimary(context.red, rtp, out, headerLength));
        }
        int payloadOffset = rtp.payloadOffset();
        int rest = rtp.offset() + rtp.length() - payloadOffset;
        System.arraycopy(rtp.buffer(), payloadOffset, out, headerLength, rest);
        if (rtp.padding()) {
            out[0] |= 0x20;
        }
        return headerLength + rest;
    }

    /**
     * For a subscriber without RED: the packets lost between the last one sent and {@code rtp}
     * (at most as many as {@code rtp} carries redundant frames of) are rebuilt from its redundancy
     * under their own sequence numbers and timestamps, before {@code rtp} itself goes out
     * (RFC 2198 §4). A frame no newer than the last one sent is not sent again.
     */
    private void sendRecovered(RtpPacket rtp, byte[] out, long nowNanos) {
        int seq = (rtp.sequenceNumber() + seqOffset) & 0xFFFF;
        int missing = (seq - lastOutSeq - 1) & 0xFFFF;
        if (missing == 0 || missing >= 0x8000) {
            return;
        }
        RedPayload red = context.red;
        if (!red.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {
            return;
        }
        for (int distance = Math.min(missing, red.primary()); distance >= 1; distance--) {
            int block = RedAudio.blockFor(red, distance);
            if (block < 0) {
                continue;
            }
            long timestamp = (rtp.timestamp() - red.timestampOffset(block)) & 0xFFFFFFFFL;
            if ((int) (timestamp - lastRtpTimestamp) <= 0) {
                continue;
            }
            int headerLength = RtpPacket.writeHeader(out, 0, false, payloadType, (seq - distance) & 0xFFFF,
                    timestamp, ssrc);
            System.arraycopy(rtp.buffer(), red.dataOffset(block), out, headerLength, red.dataLength(block));
            int sent = sender.sendRtp(out, 0, headerLength + red.dataLength(block));
            if (sent >= 0) {
                packetsSent++;
                bytesSent += sent;
                payloadBytesSent += red.dataLength(block);
                context.countOut(sent);
                context.count(MediaEvent.RED_RECOVERED);
            }
        }
    }

    /**
     * The publisher's audio level (RFC 6464: V bit and level, one byte) as the subscriber
     * negotiated it: a one-byte-header extension block (RFC 8285 §4.2) with that one element under
     * the subscriber's id, right after the fixed header; returns the bytes written (0 or 8).
     */
    private int writeAudioLevel(RtpPacket rtp, byte[] out, int at) {
        int from = producer.audioLevelExtensionId();
        if (audioLevelExtensionId <= 0 || from <= 0) {
            return 0;
        }
        int level = rtp.findExtension(from);
        if (level < 0 || rtp.lastExtensionLength() < 1) {
            return 0;
        }
        out[0] |= 0x10; // X
        out[at] = (byte) 0xBE;
        out[at + 1] = (byte) 0xDE;
        out[at + 2] = 0;
        out[at + 3] = 1; // one 32-bit word of elements
        out[at + 4] = (byte) (audioLevelExtensionId << 4); // length - 1 = 0
        out[at + 5] = rtp.buffer()[level];
        out[at + 6] = 0; // padding
        out[at + 7] = 0;
        return 8;
    }

    @Override
    public void setAudioLevelExtension(int extensionId) {
        audioLevelExtensionId = extensionId;
    }

    @Override
    public void setRedPayloadType(int pt) {
        redPayloadType = pt;
    }

    @Override
    public void restart(long nowNanos) {
        started = false;
        producer.requestKeyframe(nowNanos);
    }

    @Override
    public void onKeyframeRequest(long nowNanos) {
        // RTCP terminates here (docs/architecture.md): the subscriber's request becomes the
        // Producer's own, throttled request to the publisher.
        producer.requestKeyframe(nowNanos);
    }

    /**
     * Answers a subscriber's NACK (RFC 4585 §6.2.1) from the Producer's cache: on the RTX stream
     * (RFC 4588) when negotiated, else as the packet was first sent ({@link Retransmissions}).
     */
    @Override
    public void onNack(NackPacket nack, long nowNanos) {
        if (retransmissions != null && started && sender.isReady()) {
            retransmissions.answer(nack, nowNanos, this, sender, context);
        }
    }

    @Override
    public boolean wasSent(int seq) {
        return ((lastOutSeq - seq) & 0xFFFF) < 0x8000;
    }

    @Override
    public int writeResend(int seq, byte[] out, long nowNanos) {
        PacketCache cache = producer.stream(0).cache();
        int at = cache.get((seq - seqOffset) & 0xFFFF, nowNanos);
        RtpPacket cached = context.cached;
        if (at < 0 || !cached.wrap(cache.buffer(), at, cache.lastLength())) {
            return -1;
        }
        return retransmissions.hasRtx() ? retransmissions.writeRtx(cached, seq, out)
                : rewriteRetransmission(cached, seq, out);
    }

    /** The cached packet as it was first sent to this subscriber (no RTX negotiated). */
    private int rewriteRetransmission(RtpPacket cached, int seq, byte[] out) {
        int headerLength = RtpPacket.writeHeader(out, 0, cached.marker(), payloadType, seq, cached.timestamp(), ssrc);
        int payloadOffset = cached.payloadOffset();
        int rest = cached.offset() + cached.length() - payloadOffset;
        System.arraycopy(cached.buffer(), payloadOffset, out, headerLength, rest);
        if (cached.padding()) {
            out[0] |= 0x20;
        }
        return headerLength + rest;
    }

    @Override
    public void onReportBlock(ReceiverReport report, int block, long nowCompactNtp) {
        double rtt = reports.onReportBlock(report, block, nowCompactNtp);
        if (rtt >= 0 && retransmissions != null) {
            retransmissions.rttMillis(rtt);
        }
    }

    @Override
    public int sendSenderReport(long nowNanos, long ntp) {
        if (packetsSent == 0) {
            return 0;
        }
        long elapsedTicks = (nowNanos - lastSendNanos) * producer.codec().clockRate() / 1_000_000_000L;
        long rtpTime = (lastRtpTimestamp + elapsedTicks) & 0xFFFFFFFFL;
        byte[] out = context.rtcpOut;
        int len = SenderReport.write(out, 0, ssrc, ntp, rtpTime, packetsSent, payloadBytesSent);
        return sender.sendRtcp(out, 0, len) >= 0 ? 1 : 0;
    }

    @Override
    public RouterStats.ConsumerSample sample() {
        return reports.sample(id, producer, packetsSent, bytesSent, -1,
                retransmissions == null ? 0 : retransmissions.sent(), sink, false);
    }

    private boolean isKeyframeStart(RtpPacket rtp) {
        byte[] buf = rtp.buffer();
        int off = rtp.payloadOffset();
        int len = rtp.payloadLength();
        return switch (producer.codec()) {
            case VP8 -> context.vp8.wrap(buf, off, len) && context.vp8.isKeyframe();
            case VP9 -> context.vp9.wrap(buf, off, len) && context.vp9.isKeyframe();
            case H264 -> H264Payload.isKeyframe(buf, off, len);
            case AV1 -> Av1Payload.isKeyframeStart(buf, off, len);
            case OPUS -> true;
        };
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public int ssrc() {
        return ssrc;
    }

    @Override
    public Producer producer() {
        return producer;
    }

    @Override
    public RouterTransport sink() {
        return sink;
    }
}
