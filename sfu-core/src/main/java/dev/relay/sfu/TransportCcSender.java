package dev.relay.sfu;

import dev.relay.codecs.rtp.TransportSequenceStamp;
import dev.relay.transport.srtp.SrtpSession;

/**
 * The {@link RtpSender} of a Transport whose peer negotiated transport-wide congestion control
 * on what it receives (draft-holmer-rmcat-transport-wide-cc-extensions-01): every RTP packet
 * that leaves, media, retransmission or probe, gets the next transport-wide sequence number under
 * the peer's extension id, and is reported to the downlink estimate with its size and send time
 * (docs/quality.md "Downlink estimate"). Until then, and for RTCP, it passes packets through.
 * Worker thread only.
 */
final class TransportCcSender implements RtpSender {
    private final RtpSender inner;
    private final MediaContext context;
    private int extensionId = -1;
    private int nextSeq;
    private SentPacketListener listener;

    /** Told of every stamped packet that went out. */
    interface SentPacketListener {
        void onPacketSent(int transportSeq, int bytes, long sendNanos);
    }

    TransportCcSender(RtpSender inner, MediaContext context) {
        this.inner = inner;
        this.context = context;
    }

    /** Stamp with {@code id} from now on (RFC 8285 one-byte id, 1-14); -1 stops. */
    void enable(int id, SentPacketListener sentPackets) {
        extensionId = id;
        listener = sentPackets;
    }

    boolean enabled() {
        return extensionId > 0;
    }

    @Override
    public boolean isReady() {
        return inner.isReady();
    }

    @Override
    public int sendRtp(byte[] buf, int off, int len) {
        if (extensionId <= 0) {
            return inner.sendRtp(buf, off, len);
        }
        int seq = nextSeq;
        int stamped = TransportSequenceStamp.stamp(buf, off, len, buf.length - off - SrtpSession.MAX_RTP_OVERHEAD,
                extensionId, seq);
        if (stamped < 0) {
            return inner.sendRtp(buf, off, len);
        }
        int sent = inner.sendRtp(buf, off, stamped);
        if (sent >= 0) {
            nextSeq = (seq + 1) & 0xFFFF;
            if (listener != null) {
                listener.onPacketSent(seq, sent, context.nanoTime());
            }
        }
        return sent;
    }

    @Override
    public int sendRtcp(byte[] buf, int off, int len) {
        return inner.sendRtcp(buf, off, len);
    }
}
