package dev.relay.sfu;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.sfu.simulcast.LayerSelector;
import dev.relay.sfu.simulcast.StreamRewriter;
import java.util.Arrays;

/**
 * Forwards one layer of a VP8 simulcast Producer (RFC 8853, RFC 7741) onto one subscriber
 * Transport: the {@link LayerSelector} picks the packets (spatial switches at a keyframe of the
 * target layer, temporal layers by TID), the {@link StreamRewriter} makes them one continuous
 * stream (sequence number, timestamp aligned through the publisher's Sender Reports, picture id,
 * TL0PICIDX), so the subscriber sees one SSRC with no gap it would take for loss
 * (docs/quality.md "Simulcast"). Owned by the Router's worker thread; allocates nothing per packet.
 */
final class SimulcastConsumer implements Consumer, Retransmissions.Source {
    /** A layer silent this long is left for the best one still arriving. */
    static final long LAYER_TIMEOUT_NANOS = 1_500_000_000L;
    /** Packets sent that a NACK can still name (a power of two, ~1 s of 720p video). */
    static final int SENT_HISTORY = 1024;

    private final int id;
    private final Producer producer;
    private final RouterTransport sink;
    private final RtpSender sender;
    private final MediaContext context;
    private final int ssrc;
    private final int payloadType;
    private final LayerSelector selector;
    /** The layer the subscriber asked for (setSubscription); the highest until it asks. */
    private int requestedLayer;
    /** The highest layer its downlink allows ({@code DownlinkControl}); unlimited without an estimate. */
    private int allocatedLayer = Integer.MAX_VALUE;
    /** Even the lowest layer does not fit the subscriber's downlink: nothing goes out. */
    private boolean paused;
    private final StreamRewriter rewriter;
    private final Vp8PayloadDescriptor vp8In = new Vp8PayloadDescriptor();
    private final Vp8PayloadDescriptor vp8Out = new Vp8PayloadDescriptor();
    private final RtpPacket resent = new RtpPacket();
    /** Answers to the subscriber's NACKs; null when the layers keep no cache. */
    private final Retransmissions retransmissions;
    /**
     * What each packet sent became, by its output sequence number modulo the size: the layer and
     * sequence number it came in with, and the timestamp, picture id and TL0PICIDX it went out
     * with, so a NACKed packet is resent from its layer's cache exactly as it was sent.
     */
    private final int[] sentSeq = new int[SENT_HISTORY];
    private final int[] sentLayer = new int[SENT_HISTORY];
    private final int[] sentInputSeq = new int[SENT_HISTORY];
    private final long[] sentTimestamp = new long[SENT_HISTORY];
    private final int[] sentPictureId = new int[SENT_HISTORY];
    private final int[] sentTl0PicIdx = new int[SENT_HISTORY];
    private long packetsSent;
    private long bytesSent;
    private long payloadBytesSent;
    private final SubscriberReports reports = new SubscriberReports();

    SimulcastConsumer(int id, Producer producer, RouterTransport sink, MediaContext context, int ssrc, int payloadType,
                      int initialSeq) {
        this(id, producer, sink, context, ssrc, payloadType, initialSeq, 0, -1);
    }

    SimulcastConsumer(int id, Producer producer, RouterTransport sink, MediaContext context, int ssrc, int payloadType,
                      int initialSeq, int rtxSsrc, int rtxPayloadType) {
        this.id = id;
        this.producer = producer;
        this.sink = sink;
        this.sender = sink.sender();
        this.context = context;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        int layers = producer.streamCount();
        this.selector = new LayerSelector(layers, LAYER_TIMEOUT_NANOS);
        // Until the subscriber says otherwise (setSubscription), the best layer that arrives.
        this.selector.setTarget(layers - 1, LayerSelector.MAX_TEMPORAL_LAYER);
        this.requestedLayer = layers - 1;
        this.rewriter = new StreamRewriter(layers, producer.codec().clockRate(), initialSeq);
        this.retransmissions = producer.stream(0).cache() != null
                ? new Retransmissions(rtxSsrc, rtxPayloadType, initialSeq ^ 0x5A5A) : null;
        Arrays.fill(sentSeq, -1);
    }

    @Override
    public void send(RtpPacket rtp, int layer, long nowNanos) {
        if (!sender.isReady()) {
            return;
        }
        byte[] buf = rtp.buffer();
        int seq = rtp.sequenceNumber();
        if (!vp8In.wrap(buf, rtp.payloadOffset(), rtp.payloadLength())) {
            rewriter.drop(layer, seq, -1); // padding only, or not VP8
            return;
        }
        int pictureId = vp8In.hasLongPictureId() ? vp8In.pictureId() : -1;
        if (paused) {
            rewriter.drop(layer, seq, pictureId);
            return;
        }
        int decision = selector.onPacket(layer, vp8In.isKeyframe(), vp8In.startOfFrame(), vp8In.temporalLayer(),
                vp8In.layerSync(), nowNanos);
        if ((decision & LayerSelector.KEYFRAME_NEEDED) != 0) {
            producer.requestKeyframe(selector.keyframeLayer(), nowNanos);
        }
        if ((decision & LayerSelector.SWITCHED) != 0) {
            context.count(MediaEvent.LAYER_SWITCH);
        }
        if (!LayerSelector.isForward(decision)
                || !rewriter.forward(layer, seq, rtp.timestamp(), rtp.marker(), pictureId, vp8In.tl0PicIdx(), nowNanos)) {
            rewriter.drop(layer, seq, pictureId);
            return;
        }
        byte[] out = context.rtpOut;
        int headerLength = RtpPacket.writeHeader(out, 0, rtp.marker(), payloadType, rewriter.sequenceNumber(),
                rewriter.timestamp(), ssrc);
        int payloadOffset = rtp.payloadOffset();
        int rest = rtp.offset() + rtp.length() - payloadOffset;
        System.arraycopy(buf, payloadOffset, out, headerLength, rest);
        if (rtp.padding()) {
            out[0] |= 0x20;
        }
        if (vp8Out.wrap(out, headerLength, rtp.payloadLength())) {
            rewriter.writeTo(vp8Out);
        }
        int slot = rewriter.sequenceNumber() & (SENT_HISTORY - 1);
        sentSeq[slot] = rewriter.sequenceNumber();
        sentLayer[slot] = layer;
        sentInputSeq[slot] = seq;
        sentTimestamp[slot] = rewriter.timestamp();
        sentPictureId[slot] = vp8Out.hasPictureId() ? vp8Out.pictureId() : -1;
        sentTl0PicIdx[slot] = vp8Out.tl0PicIdx();
        int sent = sender.sendRtp(out, 0, headerLength + rest);
        if (sent >= 0) {
            packetsSent++;
            bytesSent += sent;
            payloadBytesSent += rtp.payloadLength();
            context.countOut(sent);
        }
    }

    /**
     * Answers a subscriber's NACK (RFC 4585 §6.2.1): the packet is found in its layer's cache by
     * the sequence number it came in with and resent on the RTX stream (RFC 4588) with the
     * sequence number, timestamp, picture id and TL0PICIDX it went out with.
     */
    @Override
    public void onNack(NackPacket nack, long nowNanos) {
        if (retransmissions != null && sender.isReady()) {
            retransmissions.answer(nack, nowNanos, this, sender, context);
        }
    }

    @Override
    public boolean wasSent(int seq) {
        return sentSeq[seq & (SENT_HISTORY - 1)] == seq;
    }

    @Override
    public int writeResend(int seq, byte[] out, long nowNanos) {
        int slot = seq & (SENT_HISTORY - 1);
        PacketCache cache = producer.stream(sentLayer[slot]).cache();
        int at = cache.get(sentInputSeq[slot], nowNanos);
        RtpPacket cached = context.cached;
        if (at < 0 || !cached.wrap(cache.buffer(), at, cache.lastLength())) {
            return -1;
        }
        return writeRetransmission(cached, slot, out);
    }

    /** The cached packet as it was sent from history slot {@code slot}: on RTX if negotiated. */
    private int writeRetransmission(RtpPacket cached, int slot, byte[] out) {
        int seq = sentSeq[slot];
        int headerLength;
        int length;
        if (retransmissions.hasRtx()) {
            length = retransmissions.writeRtx(cached, seq, out);
            if (length < 0) {
                return -1;
            }
            headerLength = RtpPacket.FIXED_HEADER_LENGTH + RtxPacket.OSN_LENGTH;
            if (resent.wrap(out, 0, length)) {
                resent.timestamp(sentTimestamp[slot]); // the timestamp the subscriber saw, not the layer's
            }
        } else {
            headerLength = RtpPacket.writeHeader(out, 0, cached.marker(), payloadType, seq, sentTimestamp[slot], ssrc);
            int rest = cached.offset() + cached.length() - cached.payloadOffset();
            System.arraycopy(cached.buffer(), cached.payloadOffset(), out, headerLength, rest);
            length = headerLength + rest;
        }
        if (vp8Out.wrap(out, headerLength, length - headerLength)) {
            if (sentPictureId[slot] >= 0) {
                vp8Out.pictureId(sentPictureId[slot]);
            }
            if (sentTl0PicIdx[slot] >= 0) {
                vp8Out.tl0PicIdx(sentTl0PicIdx[slot]);
            }
        }
        return length;
    }

    @Override
    public void onPublisherSenderReport(int layer, long rtpTimestamp, long ntpTimestamp) {
        rewriter.onSenderReport(layer, rtpTimestamp, ntpTimestamp);
    }

    @Override
    public void setTargetLayer(int spatial, long nowNanos) {
        requestedLayer = Math.max(0, Math.min(spatial, producer.streamCount() - 1));
        applyTarget(nowNanos);
    }

    /** The layer the subscriber asked for, the cap its allocation works under. */
    int requestedLayer() {
        return requestedLayer;
    }

    /**
     * The highest layer the subscriber's downlink allows now ({@code DownlinkControl}), or -1:
     * pause until it fits again, then start over at a keyframe. Below the layer going out now,
     * that layer stops at once rather than at the lower layer's keyframe (docs/quality.md): the
     * link no longer carries it, and what it would queue meanwhile would delay that keyframe.
     */
    void setAllocatedLayer(int layer, long nowNanos) {
        int current = selector.currentSpatialLayer();
        allocatedLayer = layer;
        applyTarget(nowNanos);
        if (layer >= 0 && current > layer && current <= requestedLayer) {
            selector.restart();
            producer.requestKeyframe(Math.min(requestedLayer, layer), nowNanos);
        }
    }

    boolean isPaused() {
        return paused;
    }

    private void applyTarget(long nowNanos) {
        if (allocatedLayer < 0) {
            if (!paused) {
                paused = true;
                context.count(MediaEvent.STREAM_PAUSED);
                sink.router().streamStateChanged(this, true);
            }
            return;
        }
        int target = Math.min(requestedLayer, allocatedLayer);
        selector.setTarget(target, LayerSelector.MAX_TEMPORAL_LAYER);
        if (paused) {
            paused = false;
            selector.restart();
            producer.requestKeyframe(target, nowNanos);
            sink.router().streamStateChanged(this, false);
        }
    }

    /**
     * A padding-only packet on the subscriber's RTX stream, to probe its downlink; returns its
     * length in {@code out}, or -1 without an RTX stream.
     */
    boolean canProbe() {
        return retransmissions != null && retransmissions.hasRtx() && sender.isReady();
    }

    int writeProbe(byte[] out, int paddingBytes) {
        return retransmissions == null ? -1 : retransmissions.writePadding(out, paddingBytes, rewriter.timestamp());
    }

    @Override
    public void restart(long nowNanos) {
        selector.restart();
        producer.requestKeyframe(selector.targetSpatialLayer() < 0 ? 0 : selector.targetSpatialLayer(), nowNanos);
    }

    @Override
    public void onKeyframeRequest(long nowNanos) {
        int layer = selector.currentSpatialLayer();
        producer.requestKeyframe(layer >= 0 ? layer : Math.max(0, selector.targetSpatialLayer()), nowNanos);
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
        long elapsedTicks = (nowNanos - rewriter.highestTimestampNanos()) * producer.codec().clockRate()
                / 1_000_000_000L;
        long rtpTime = (rewriter.highestTimestamp() + elapsedTicks) & 0xFFFFFFFFL;
        byte[] out = context.rtcpOut;
        int len = SenderReport.write(out, 0, ssrc, ntp, rtpTime, packetsSent, payloadBytesSent);
        return sender.sendRtcp(out, 0, len) >= 0 ? 1 : 0;
    }

    @Override
    public RouterStats.ConsumerSample sample() {
        return reports.sample(id, producer, packetsSent, bytesSent, selector.currentSpatialLayer(),
                retransmissions == null ? 0 : retransmissions.sent(), sink, paused);
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
