package dev.relay.sfu;

import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.TransportCcFeedback;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.Transport;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A Transport as its Router sees it: which Producer streams arrive on it (by the publisher's SSRC;
 * a simulcast layer's SSRC is bound from its first packet, {@link #bindStream}),
 * which Consumers leave through it (by the SSRC we gave them), and how packets leave it. It
 * sends the Transport's own RTCP: one Receiver Report per interval with a block per Producer.
 * Owned by the Router's worker.
 */
final class RouterTransport {
    /** RFC 3550 §6.4.2: the 5-bit report count; more streams than that would need a second RR. */
    private static final int MAX_REPORT_BLOCKS = 31;

    private final Transport transport;
    private final Router router;
    private final TransportCcSender sender;
    /** Our SSRC as the sender of RTCP on this Transport (RR, PLI). */
    private final int rtcpSsrc = ThreadLocalRandom.current().nextInt();
    private final Int2ObjectHashMap<ProducerStream> streamsBySsrc = new Int2ObjectHashMap<>();
    /** Streams by the SSRC of their publisher's RTX stream (RFC 4588, from a=ssrc-group:FID). */
    private final Int2ObjectHashMap<ProducerStream> streamsByRtxSsrc = new Int2ObjectHashMap<>();
    /** Simulcast Producers arriving here, whose layers may still need their SSRCs bound. */
    private Producer[] simulcastProducers = new Producer[0];
    private final Int2ObjectHashMap<Consumer> consumersBySsrc = new Int2ObjectHashMap<>();
    /**
     * Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01): the
     * arrivals of the publisher's packets, fed back every {@link MediaWorker} feedback interval so
     * its bandwidth estimate (and with it its simulcast layers) can grow; null unless negotiated.
     */
    private TransportCcRecorder transportCc;
    private int transportCcExtensionId = -1;
    /**
     * A simulcast layer takes a new SSRC only once its current one has been silent this long (a
     * publisher changes it on renegotiation, RFC 8852 §3.3): a peer naming one layer from many SSRCs
     * cannot make the relay re-bind, and reset the layer's statistics, on every packet.
     */
    static final long REBIND_AFTER_SILENCE_NANOS = 1_000_000_000L;
    /** Feedback messages one interval may send: past that the rest waits for the next interval. */
    private static final int MAX_FEEDBACK_PER_INTERVAL = 4;
    /** Keeps a feedback message, once protected, within a 1200-byte datagram. */
    private static final int FEEDBACK_CAPACITY = 1152;
    /** The subscriber's downlink estimate and allocation; null unless it negotiated transport-cc. */
    private DownlinkControl downlink;
    /** Packets that came before the keys; null unless some did. */
    private EarlyMedia early;

    RouterTransport(Transport transport, Router router, TransportCcSender sender) {
        this.transport = transport;
        this.router = router;
        this.sender = sender;
    }

    Transport transport() {
        return transport;
    }

    Router router() {
        return router;
    }

    RtpSender sender() {
        return sender;
    }

    int rtcpSsrc() {
        return rtcpSsrc;
    }

    /** The publisher negotiated transport-cc with extension {@code extensionId}: feed it back from now on. */
    void enableTransportCc(int extensionId) {
        if (transportCc == null) {
            transportCc = new TransportCcRecorder();
        }
        transportCcExtensionId = extensionId;
    }

    /** The subscriber takes transport-wide sequence numbers under {@code extensionId} on what the relay sends it. */
    void enableEgressTransportCc(int extensionId) {
        if (downlink == null) {
            downlink = new DownlinkControl(this, router.context());
            for (Consumer consumer : consumersBySsrc.values()) {
                if (consumer instanceof SimulcastConsumer simulcast) {
                    downlink.add(simulcast);
                }
            }
        }
        sender.enable(extensionId, downlink);
    }

    /** The subscriber's downlink control, or null if it has no transport-cc. */
    DownlinkControl downlink() {
        return downlink;
    }

    /** Allocation and probing for this subscriber's downlink, when due; returns packets sent. */
    int pollDownlink(long nowNanos) {
        return downlink == null ? 0 : downlink.poll(nowNanos);
    }

    /** What leaves here besides simulcast video, in bits per second: audio and single-stream video. */
    long otherStreamsBps(long nowNanos) {
        long bps = 0;
        for (Consumer consumer : consumersBySsrc.values()) {
            if (!(consumer instanceof SimulcastConsumer)) {
                bps += consumer.producer().stream(0).bitrateBps(nowNanos);
            }
        }
        return bps;
    }

    /** Records the packet's transport-wide sequence number, if any, before anything else is checked. */
    void recordTransportCc(RtpPacket rtp, long receiveNanos) {
        if (transportCc != null) {
            int seq = TransportCcFeedback.transportSequenceNumber(rtp, transportCcExtensionId);
            if (seq >= 0) {
                transportCc.record(seq, receiveNanos);
            }
        }
    }

    /** Sends what arrived since the last feedback; returns RTCP packets sent. */
    int sendTransportCcFeedback(byte[] out) {
        if (transportCc == null) {
            return 0;
        }
        int mediaSsrc = 0;
        for (ProducerStream stream : streamsBySsrc.values()) {
            mediaSsrc = stream.ssrc();
            break;
        }
        int sent = 0;
        int len;
        while (sent < MAX_FEEDBACK_PER_INTERVAL
                && (len = transportCc.writeFeedback(out, 0, FEEDBACK_CAPACITY, rtcpSsrc, mediaSsrc)) > 0) {
            if (sender.sendRtcp(out, 0, len) >= 0) {
                sent++;
                router.context().count(MediaEvent.TRANSPORT_CC_FEEDBACK_SENT);
            } else {
                break;
            }
        }
        return sent;
    }

    /** Holds a protected datagram until the keys arrive; false if no more may be held. */
    boolean holdEarly(boolean rtcp, byte[] buf, int off, int len, long receiveNanos) {
        if (early == null) {
            early = new EarlyMedia();
        }
        return early.hold(rtcp, buf, off, len, receiveNanos);
    }

    /** The held datagrams, handed over once (null if none). */
    EarlyMedia takeEarly() {
        EarlyMedia taken = early;
        early = null;
        return taken;
    }

    /** The Producer stream of a bound SSRC, or null. */
    ProducerStream stream(int ssrc) {
        return streamsBySsrc.get(ssrc);
    }

    /**
     * For a packet of an SSRC not bound here: the simulcast layer whose retransmission stream its
     * mid and repaired-rid extensions name, with that SSRC now bound as the layer's RTX, or null.
     */
    ProducerStream bindRepairStream(RtpPacket rtp, long nowNanos) {
        Producer[] list = simulcastProducers;
        for (int i = 0; i < list.length; i++) {
            ProducerStream layer = list[i].repairedLayerOf(rtp);
            if (layer != null) {
                if (layer.rtxSsrc() != 0) {
                    if (nowNanos - layer.lastRtxNanos() < REBIND_AFTER_SILENCE_NANOS) {
                        return null;
                    }
                    streamsByRtxSsrc.remove(layer.rtxSsrc());
                }
                layer.rtxSsrc(rtp.ssrc());
                streamsByRtxSsrc.put(rtp.ssrc(), layer);
                return layer;
            }
        }
        return null;
    }

    /** The stream whose RTX stream has this SSRC, or null. */
    ProducerStream rtxStream(int ssrc) {
        return streamsByRtxSsrc.get(ssrc);
    }

    /**
     * For a packet of an SSRC not bound here: the simulcast layer its mid and rid extensions name,
     * now bound to that SSRC (replacing the layer's previous SSRC: a publisher may change it on
     * renegotiation), or null. At most one lookup per simulcast Producer; allocates nothing but
     * the map entry.
     */
    ProducerStream bindStream(RtpPacket rtp, long nowNanos) {
        Producer[] list = simulcastProducers;
        for (int i = 0; i < list.length; i++) {
            ProducerStream layer = list[i].layerOf(rtp);
            if (layer != null) {
                if (layer.isBound()) {
                    if (nowNanos - layer.lastPacketNanos() < REBIND_AFTER_SILENCE_NANOS) {
                        return null; // the layer's SSRC is alive: a second SSRC naming it is not taken
                    }
                    streamsBySsrc.remove(layer.ssrc());
                }
                layer.bind(rtp.ssrc());
                streamsBySsrc.put(rtp.ssrc(), layer);
                return layer;
            }
        }
        return null;
    }

    Consumer consumer(int ssrc) {
        return consumersBySsrc.get(ssrc);
    }

    void addProducer(Producer producer) {
        for (int i = 0; i < producer.streamCount(); i++) {
            ProducerStream stream = producer.stream(i);
            if (stream.isBound()) {
                streamsBySsrc.put(stream.ssrc(), stream);
            }
            if (stream.rtxSsrc() != 0) {
                streamsByRtxSsrc.put(stream.rtxSsrc(), stream);
            }
        }
        if (producer.isSimulcast()) {
            Producer[] next = Arrays.copyOf(simulcastProducers, simulcastProducers.length + 1);
            next[simulcastProducers.length] = producer;
            simulcastProducers = next;
        }
    }

    void removeProducer(Producer producer) {
        for (int i = 0; i < producer.streamCount(); i++) {
            ProducerStream stream = producer.stream(i);
            if (stream.isBound() && streamsBySsrc.get(stream.ssrc()) == stream) {
                streamsBySsrc.remove(stream.ssrc());
            }
            if (stream.rtxSsrc() != 0 && streamsByRtxSsrc.get(stream.rtxSsrc()) == stream) {
                streamsByRtxSsrc.remove(stream.rtxSsrc());
            }
        }
        if (producer.isSimulcast()) {
            simulcastProducers = Arrays.stream(simulcastProducers).filter(p -> p != producer).toArray(Producer[]::new);
        }
    }

    void addConsumer(Consumer consumer) {
        consumersBySsrc.put(consumer.ssrc(), consumer);
        if (consumer instanceof PipeConsumer pipe) {
            for (int i = 1; i < pipe.ssrcCount(); i++) {
                consumersBySsrc.put(pipe.ssrc(i), pipe);
            }
        }
        if (downlink != null && consumer instanceof SimulcastConsumer simulcast) {
            downlink.add(simulcast);
        }
    }

    void removeConsumer(Consumer consumer) {
        consumersBySsrc.remove(consumer.ssrc());
        if (consumer instanceof PipeConsumer pipe) {
            for (int i = 1; i < pipe.ssrcCount(); i++) {
                consumersBySsrc.remove(pipe.ssrc(i), pipe);
            }
        }
        if (downlink != null && consumer instanceof SimulcastConsumer simulcast) {
            downlink.remove(simulcast);
        }
    }

    /** DTLS finished (again): every Consumer leaving here starts over at a keyframe. */
    void connected(long nowNanos) {
        for (Consumer consumer : consumersBySsrc.values()) {
            consumer.restart(nowNanos);
        }
    }

    /** RFC 3550 §6.4.2: one RR to the publisher with a block per stream it sends us; returns packets sent. */
    int sendReceiverReport(long nowNanos, byte[] out) {
        int blocks = 0;
        for (ProducerStream stream : streamsBySsrc.values()) {
            if (stream.hasReportBlock()) {
                blocks++;
            }
        }
        if (blocks == 0 || blocks > MAX_REPORT_BLOCKS) {
            return 0;
        }
        int len = ReceiverReport.writeHeader(out, 0, rtcpSsrc, blocks);
        for (ProducerStream stream : streamsBySsrc.values()) {
            if (stream.hasReportBlock()) {
                len += stream.writeReportBlock(out, len, nowNanos);
            }
        }
        return sender.sendRtcp(out, 0, len) >= 0 ? 1 : 0;
    }

    /** One SR per Consumer leaving here (RFC 3550 §6.4.1); returns packets sent. */
    int sendSenderReports(long nowNanos, long ntp) {
        int sent = 0;
        for (Consumer consumer : consumersBySsrc.values()) {
            sent += consumer.sendSenderReport(nowNanos, ntp);
        }
        return sent;
    }
}
