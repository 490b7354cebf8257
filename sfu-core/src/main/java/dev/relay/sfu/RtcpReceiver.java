package dev.relay.sfu;

import dev.relay.codecs.rtcp.FirPacket;
import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.NtpTime;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.RembPacket;
import dev.relay.codecs.rtcp.RtcpCompoundIterator;
import dev.relay.codecs.rtcp.RtcpHeader;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtcp.TransportCcFeedback;
import dev.relay.transport.DropReason;

/**
 * Takes a compound RTCP packet a peer sent on one Transport apart and hands each part to the
 * object it is about: a Sender Report to the Producer of that SSRC, report blocks and keyframe
 * requests to the Consumer we gave that SSRC. RTCP terminates at the relay (docs/architecture.md):
 * nothing is forwarded as is. One per worker; flyweights reused for every packet.
 */
final class RtcpReceiver {
    /** RFC 4585 §6.1: FMT of a PLI within payload-specific feedback. */
    private static final int FMT_PLI = 1;
    /** RFC 4585 §6.2.1: FMT of a generic NACK within transport-layer feedback. */
    private static final int FMT_NACK = 1;
    /** RFC 5104 §4.3.1: FMT of a FIR. */
    private static final int FMT_FIR = 4;
    /** draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1: transport-cc feedback (RTPFB). */
    private static final int FMT_TRANSPORT_CC = 15;
    /** draft-alvestrand-rmcat-remb-03 §2.2: application layer feedback (PSFB), REMB. */
    private static final int FMT_AFB = 15;

    private final MediaContext context;
    private final RtcpCompoundIterator compound = new RtcpCompoundIterator();
    private final SenderReport senderReport = new SenderReport();
    private final ReceiverReport receiverReport = new ReceiverReport();
    private final PliPacket pli = new PliPacket();
    private final FirPacket fir = new FirPacket();
    private final NackPacket nack = new NackPacket();
    private final TransportCcFeedback transportCc = new TransportCcFeedback();
    private final RembPacket remb = new RembPacket();

    RtcpReceiver(MediaContext context) {
        this.context = context;
    }

    void receive(RouterTransport from, byte[] buf, int off, int len, long receiveNanos) {
        if (!compound.reset(buf, off, len)) {
            context.drop(DropReason.RTCP_MALFORMED);
            return;
        }
        while (compound.next()) {
            RtcpHeader header = compound.header();
            int type = header.packetType();
            int at = compound.packetOffset();
            int length = compound.packetLength();
            if (type == RtcpHeader.PT_SR) {
                if (senderReport.wrap(buf, at, length)) {
                    ProducerStream stream = from.stream(senderReport.senderSsrc());
                    if (stream != null) {
                        stream.onSenderReport(senderReport.ntpTimestamp(), receiveNanos);
                        stream.producer().onSenderReport(stream.index(), senderReport.rtpTimestamp(),
                                senderReport.ntpTimestamp());
                    }
                }
            } else if (type == RtcpHeader.PT_RR) {
                if (receiverReport.wrap(buf, at, length)) {
                    onReceiverReport(from);
                }
            } else if (type == RtcpHeader.PT_PSFB && header.count() == FMT_PLI) {
                if (pli.wrap(buf, at, length)) {
                    keyframeRequest(from, pli.mediaSsrc(), receiveNanos);
                }
            } else if (type == RtcpHeader.PT_RTPFB && header.count() == FMT_NACK) {
                if (nack.wrap(buf, at, length)) {
                    Consumer consumer = from.consumer(nack.mediaSsrc());
                    if (consumer != null) {
                        consumer.onNack(nack, receiveNanos);
                    }
                }
            } else if (type == RtcpHeader.PT_RTPFB && header.count() == FMT_TRANSPORT_CC) {
                DownlinkControl downlink = from.downlink();
                if (downlink != null && transportCc.wrap(buf, at, length)) {
                    downlink.onFeedback(transportCc, receiveNanos);
                }
            } else if (type == RtcpHeader.PT_PSFB && header.count() == FMT_AFB) {
                DownlinkControl downlink = from.downlink();
                if (downlink != null && remb.wrap(buf, at, length)) {
                    downlink.onRemb(remb.bitrate(), receiveNanos);
                }
            } else if (type == RtcpHeader.PT_PSFB && header.count() == FMT_FIR) {
                if (fir.wrap(buf, at, length)) {
                    for (int i = 0; i < fir.entryCount(); i++) {
                        keyframeRequest(from, fir.ssrc(i), receiveNanos);
                    }
                }
            }
        }
        if (compound.malformed()) {
            context.drop(DropReason.RTCP_MALFORMED);
        }
    }

    /** A subscriber's report on the streams we send it: loss, jitter and RTT (RFC 3550 §6.4.1). */
    private void onReceiverReport(RouterTransport subscriber) {
        long nowCompactNtp = -1;
        for (int i = 0; i < receiverReport.reportCount(); i++) {
            Consumer consumer = subscriber.consumer(receiverReport.blockSsrc(i));
            if (consumer == null) {
                continue;
            }
            if (nowCompactNtp < 0) {
                nowCompactNtp = NtpTime.compact(NtpTime.fromEpochMillis(context.epochMillis()));
            }
            consumer.onReportBlock(receiverReport, i, nowCompactNtp);
        }
    }

    private void keyframeRequest(RouterTransport subscriber, int consumerSsrc, long nowNanos) {
        Consumer consumer = subscriber.consumer(consumerSsrc);
        if (consumer != null) {
            consumer.onKeyframeRequest(consumerSsrc, nowNanos);
        }
    }
}
