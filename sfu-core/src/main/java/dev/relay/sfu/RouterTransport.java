package dev.relay.sfu;

import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.transport.Transport;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * A Transport as its Router sees it: which Producers arrive on it (by the publisher's SSRC),
 * which Consumers leave through it (by the SSRC we gave them), and how packets leave it. It
 * sends the Transport's own RTCP: one Receiver Report per interval with a block per Producer.
 * Owned by the Router's worker.
 */
final class RouterTransport {
    /** RFC 3550 §6.4.2: the 5-bit report count; more streams than that would need a second RR. */
    private static final int MAX_REPORT_BLOCKS = 31;

    private final Transport transport;
    private final Router router;
    private final RtpSender sender;
    /** Our SSRC as the sender of RTCP on this Transport (RR, PLI). */
    private final int rtcpSsrc = ThreadLocalRandom.current().nextInt();
    private final Int2ObjectHashMap<Producer> producersBySsrc = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Consumer> consumersBySsrc = new Int2ObjectHashMap<>();
    /** Packets that came before the keys; null unless some did. */
    private EarlyMedia early;

    RouterTransport(Transport transport, Router router, RtpSender sender) {
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

    Producer producer(int ssrc) {
        return producersBySsrc.get(ssrc);
    }

    Consumer consumer(int ssrc) {
        return consumersBySsrc.get(ssrc);
    }

    void addProducer(Producer producer) {
        producersBySsrc.put(producer.ssrc(), producer);
    }

    void removeProducer(Producer producer) {
        producersBySsrc.remove(producer.ssrc());
    }

    void addConsumer(Consumer consumer) {
        consumersBySsrc.put(consumer.ssrc(), consumer);
    }

    void removeConsumer(Consumer consumer) {
        consumersBySsrc.remove(consumer.ssrc());
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
        for (Producer producer : producersBySsrc.values()) {
            if (producer.hasReportBlock()) {
                blocks++;
            }
        }
        if (blocks == 0 || blocks > MAX_REPORT_BLOCKS) {
            return 0;
        }
        int len = ReceiverReport.writeHeader(out, 0, rtcpSsrc, blocks);
        for (Producer producer : producersBySsrc.values()) {
            if (producer.hasReportBlock()) {
                len += producer.writeReportBlock(out, len, nowNanos);
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
