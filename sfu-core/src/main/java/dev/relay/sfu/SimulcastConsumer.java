package dev.relay.sfu;

import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.sfu.simulcast.LayerSelector;
import dev.relay.sfu.simulcast.StreamRewriter;

/**
 * Forwards one layer of a VP8 simulcast Producer (RFC 8853, RFC 7741) onto one subscriber
 * Transport: the {@link LayerSelector} picks the packets (spatial switches at a keyframe of the
 * target layer, temporal layers by TID), the {@link StreamRewriter} makes them one continuous
 * stream (sequence number, timestamp aligned through the publisher's Sender Reports, picture id,
 * TL0PICIDX), so the subscriber sees one SSRC with no gap it would take for loss
 * (docs/quality.md "Simulcast"). Owned by the Router's worker thread; allocates nothing per packet.
 */
final class SimulcastConsumer implements Consumer {
    /** A layer silent this long is left for the best one still arriving. */
    static final long LAYER_TIMEOUT_NANOS = 1_500_000_000L;

    private final int id;
    private final Producer producer;
    private final RouterTransport sink;
    private final RtpSender sender;
    private final MediaContext context;
    private final int ssrc;
    private final int payloadType;
    private final LayerSelector selector;
    private final StreamRewriter rewriter;
    private final Vp8PayloadDescriptor vp8In = new Vp8PayloadDescriptor();
    private final Vp8PayloadDescriptor vp8Out = new Vp8PayloadDescriptor();
    private long packetsSent;
    private long bytesSent;
    private long payloadBytesSent;
    private long layerSwitches;
    private final SubscriberReports reports = new SubscriberReports();

    SimulcastConsumer(int id, Producer producer, RouterTransport sink, MediaContext context, int ssrc, int payloadType,
                      int initialSeq) {
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
        this.rewriter = new StreamRewriter(layers, producer.codec().clockRate(), initialSeq);
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
        int decision = selector.onPacket(layer, vp8In.isKeyframe(), vp8In.startOfFrame(), vp8In.temporalLayer(),
                vp8In.layerSync(), nowNanos);
        if ((decision & LayerSelector.KEYFRAME_NEEDED) != 0) {
            producer.requestKeyframe(selector.keyframeLayer(), nowNanos);
        }
        if ((decision & LayerSelector.SWITCHED) != 0) {
            layerSwitches++;
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
        int sent = sender.sendRtp(out, 0, headerLength + rest);
        if (sent >= 0) {
            packetsSent++;
            bytesSent += sent;
            payloadBytesSent += rtp.payloadLength();
            context.countOut(sent);
        }
    }

    @Override
    public void onPublisherSenderReport(int layer, long rtpTimestamp, long ntpTimestamp) {
        rewriter.onSenderReport(layer, rtpTimestamp, ntpTimestamp);
    }

    @Override
    public void setTargetLayer(int spatial, long nowNanos) {
        selector.setTarget(Math.max(0, Math.min(spatial, producer.streamCount() - 1)),
                LayerSelector.MAX_TEMPORAL_LAYER);
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
        reports.onReportBlock(report, block, nowCompactNtp);
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
        return reports.sample(id, producer, packetsSent, bytesSent, selector.currentSpatialLayer(), 0);
    }

    /** The layer being forwarded now (-1 before the first keyframe), and how often it changed. */
    int currentLayer() {
        return selector.currentSpatialLayer();
    }

    long layerSwitches() {
        return layerSwitches;
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
