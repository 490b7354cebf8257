package dev.relay.sfu;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtxPacket;
import dev.relay.transport.srtp.SrtpSession;

/**
 * A Consumer's answers to its subscriber's NACKs (RFC 4585 §6.2.1): which sequence numbers to
 * resend ({@link NackResponder}: once per RTT, a few times at most), on the subscriber's RTX
 * stream (RFC 4588) when it has one, and the counters. Where a sent packet is found and how it
 * is rewritten is the Consumer's ({@link Source}). Owned by the Router's worker; allocates nothing.
 */
final class Retransmissions {
    /** What a Consumer knows of the packets it sent. */
    interface Source {
        /** True if {@code seq} is a sequence number this subscriber was sent and may ask for again. */
        boolean wasSent(int seq);

        /**
         * Writes the packet sent as {@code seq} into {@code out} at 0, as it was sent (through
         * {@link #writeRtx} when the subscriber has RTX); returns its length, or -1 if it is no
         * longer cached.
         */
        int writeResend(int seq, byte[] out, long nowNanos);
    }

    private final NackResponder responder = new NackResponder();
    private final int rtxSsrc;
    private final int rtxPayloadType;
    private int rtxSeq;
    private long sent;

    /** @param rtxSsrc the subscriber's RTX SSRC, 0 for none: then packets are resent as first sent */
    Retransmissions(int rtxSsrc, int rtxPayloadType, int initialRtxSeq) {
        this.rtxSsrc = rtxSsrc;
        this.rtxPayloadType = rtxPayloadType;
        this.rtxSeq = initialRtxSeq & 0xFFFF;
    }

    boolean hasRtx() {
        return rtxSsrc != 0;
    }

    /** Answers every sequence number of {@code nack} that is due. */
    void answer(NackPacket nack, long nowNanos, Source source, RtpSender sender, MediaContext context) {
        int[] lost = context.nacked;
        int count = nack.lostSequenceNumbers(lost);
        for (int i = 0; i < count; i++) {
            int seq = lost[i];
            context.count(MediaEvent.NACK_RECEIVED);
            if (!source.wasSent(seq) || !responder.request(seq, nowNanos)) {
                continue; // never sent (or long ago), or asked again too soon
            }
            int length = source.writeResend(seq, context.rtpOut, nowNanos);
            if (length < 0) {
                responder.missed(seq);
                context.count(MediaEvent.RETRANSMISSION_MISSED);
                continue;
            }
            int bytes = sender.sendRtp(context.rtpOut, 0, length);
            if (bytes >= 0) {
                responder.retransmitted(seq, nowNanos);
                sent++;
                context.count(MediaEvent.RETRANSMISSION_SENT);
                context.countOut(bytes);
            }
        }
    }

    /**
     * {@code cached} as an RTX packet (RFC 4588 §4) of the subscriber's RTX stream, with
     * {@code seq}, the number the subscriber knows it by, as the OSN; returns its length, or -1 if
     * it does not fit.
     */
    int writeRtx(RtpPacket cached, int seq, byte[] out) {
        int length = RtxPacket.write(cached, seq, out, 0, out.length - SrtpSession.MAX_RTP_OVERHEAD, rtxSsrc,
                rtxPayloadType, rtxSeq, false);
        if (length >= 0) {
            rtxSeq = (rtxSeq + 1) & 0xFFFF;
        }
        return length;
    }

    /**
     * A padding-only packet of the subscriber's RTX stream (RFC 3550 §5.1 padding, as libwebrtc
     * probes with): {@code padding} bytes (1-255), the last one their count; returns its length,
     * or -1 without an RTX stream. Used to probe the subscriber's downlink (docs/quality.md).
     */
    int writePadding(byte[] out, int padding, long timestamp) {
        if (rtxSsrc == 0) {
            return -1;
        }
        int bytes = Math.max(1, Math.min(255, padding));
        int header = RtpPacket.writeHeader(out, 0, false, rtxPayloadType, rtxSeq, timestamp, rtxSsrc);
        out[0] |= 0x20;
        java.util.Arrays.fill(out, header, header + bytes - 1, (byte) 0);
        out[header + bytes - 1] = (byte) bytes;
        rtxSeq = (rtxSeq + 1) & 0xFFFF;
        return header + bytes;
    }

    /** The subscriber's round-trip time, from its report on our Sender Report. */
    void rttMillis(double rttMs) {
        responder.rttNanos((long) (rttMs * 1_000_000));
    }

    /** Packets resent so far. */
    long sent() {
        return sent;
    }
}
