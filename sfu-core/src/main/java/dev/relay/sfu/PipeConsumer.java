package dev.relay.sfu;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtp.RtpPacket;

/**
 * One Producer forwarded over a relay-to-relay pipe (docs/scale-out.md "Rooms across nodes"):
 * every stream (each simulcast layer) goes as the publisher sent it, header extensions, sequence
 * numbers and timestamps included, under an SSRC per layer that the control channel told the
 * other node. The other node selects layers for its own subscribers, so nothing is selected
 * here; its keyframe requests and NACKs name a layer by that SSRC, and the publisher's Sender
 * Reports cross too (the other node's layer switching and lip sync need them). Worker thread only.
 */
final class PipeConsumer implements Consumer {
    private final int id;
    private final Producer producer;
    private final RouterTransport sink;
    private final RtpSender sender;
    private final MediaContext context;
    /** The pipe's SSRC of each of the Producer's streams, in stream order. */
    private final int[] ssrcs;
    private final long[] packetsSent;
    private final long[] payloadBytesSent;
    private long bytesSent;
    private long retransmissions;

    PipeConsumer(int id, Producer producer, RouterTransport sink, MediaContext context, int[] ssrcs) {
        if (ssrcs.length != producer.streamCount()) {
            throw new IllegalArgumentException("a pipe SSRC per stream: " + producer.streamCount() + " streams, "
                    + ssrcs.length + " SSRCs");
        }
        this.id = id;
        this.producer = producer;
        this.sink = sink;
        this.sender = sink.sender();
        this.context = context;
        this.ssrcs = ssrcs.clone();
        this.packetsSent = new long[ssrcs.length];
        this.payloadBytesSent = new long[ssrcs.length];
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public int ssrc() {
        return ssrcs[0];
    }

    int ssrcCount() {
        return ssrcs.length;
    }

    int ssrc(int stream) {
        return ssrcs[stream];
    }

    @Override
    public Producer producer() {
        return producer;
    }

    @Override
    public RouterTransport sink() {
        return sink;
    }

    @Override
    public void send(RtpPacket rtp, int stream, long nowNanos) {
        if (!sender.isReady()) {
            return;
        }
        int length = copy(rtp.buffer(), rtp.offset(), rtp.length(), ssrcs[stream], context.rtpOut);
        int sent = sender.sendRtp(context.rtpOut, 0, length);
        if (sent >= 0) {
            packetsSent[stream]++;
            payloadBytesSent[stream] += rtp.payloadLength();
            bytesSent += sent;
            context.countOut(sent);
        }
    }

    /** The packet at {@code buf[off..off+len)} into {@code out} at 0 under {@code ssrc} (RFC 3550 §5.1). */
    private static int copy(byte[] buf, int off, int len, int ssrc, byte[] out) {
        System.arraycopy(buf, off, out, 0, len);
        out[8] = (byte) (ssrc >>> 24);
        out[9] = (byte) (ssrc >>> 16);
        out[10] = (byte) (ssrc >>> 8);
        out[11] = (byte) ssrc;
        return len;
    }

    @Override
    public void restart(long nowNanos) {
        producer.requestKeyframe(nowNanos);
    }

    /** The pipe was just made: every layer starts with a keyframe on the other node. */
    @Override
    public void onKeyframeRequest(long nowNanos) {
        for (int i = 0; i < ssrcs.length; i++) {
            producer.requestKeyframe(i, nowNanos);
        }
    }

    @Override
    public void onKeyframeRequest(int ssrc, long nowNanos) {
        int stream = streamOf(ssrc);
        if (stream >= 0) {
            producer.requestKeyframe(stream, nowNanos);
        }
    }

    /**
     * The other node lost packets on the pipe (RFC 4585 §6.2.1): each one still in the Producer's
     * cache is sent again as it was, under the same SSRC and sequence number.
     */
    @Override
    public void onNack(NackPacket nack, long nowNanos) {
        int stream = streamOf(nack.mediaSsrc());
        if (stream < 0 || !sender.isReady()) {
            return;
        }
        PacketCache cache = producer.stream(stream).cache();
        if (cache == null) {
            return;
        }
        int[] lost = context.nacked;
        int count = nack.lostSequenceNumbers(lost);
        for (int i = 0; i < count; i++) {
            context.count(MediaEvent.NACK_RECEIVED);
            int at = cache.get(lost[i], nowNanos);
            if (at < 0) {
                context.count(MediaEvent.RETRANSMISSION_MISSED);
                continue;
            }
            int length = copy(cache.buffer(), at, cache.lastLength(), ssrcs[stream], context.rtpOut);
            int sent = sender.sendRtp(context.rtpOut, 0, length);
            if (sent >= 0) {
                retransmissions++;
                bytesSent += sent;
                context.count(MediaEvent.RETRANSMISSION_SENT);
                context.countOut(sent);
            }
        }
    }

    /** The publisher's Sender Report of stream {@code stream}, passed on under the pipe's SSRC. */
    @Override
    public void onPublisherSenderReport(int stream, long rtpTimestamp, long ntpTimestamp) {
        if (!sender.isReady()) {
            return;
        }
        byte[] out = context.rtcpOut;
        int len = SenderReport.write(out, 0, ssrcs[stream], ntpTimestamp, rtpTimestamp, packetsSent[stream],
                payloadBytesSent[stream]);
        sender.sendRtcp(out, 0, len);
    }

    /** The other node's reports on the pipe say nothing a subscriber would act on here. */
    @Override
    public void onReportBlock(ReceiverReport report, int block, long nowCompactNtp) {
    }

    /** The publisher's own Sender Reports cross instead ({@link #onPublisherSenderReport}). */
    @Override
    public int sendSenderReport(long nowNanos, long ntp) {
        return 0;
    }

    private int streamOf(int ssrc) {
        for (int i = 0; i < ssrcs.length; i++) {
            if (ssrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public RouterStats.ConsumerSample sample() {
        long packets = 0;
        for (long n : packetsSent) {
            packets += n;
        }
        return new RouterStats.ConsumerSample(id, producer.id(), packets, bytesSent, 0, 0, 0, 0,
                ssrcs.length - 1, retransmissions);
    }
}
