package dev.relay.sfu;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtp.RtpPacket;

/**
 * One Producer forwarded onto one subscriber Transport. The forwarding strategy is the class
 * (docs/architecture.md "Newcomer's map"): {@link SimpleConsumer} for audio and single-encoding video; simulcast
 * and SVC consumers decide per packet which layer goes out. A Consumer owns its RTCP towards the
 * subscriber: the Sender Reports it sends and the report blocks and keyframe requests it gets.
 * Worker thread only. Package-private: signaling knows Consumers by id, through {@link Router}.
 */
interface Consumer {
    int id();

    /** The SSRC the subscriber sees (ours, not the publisher's). */
    int ssrc();

    Producer producer();

    /** The subscriber's Transport this Consumer leaves through. */
    RouterTransport sink();

    /**
     * One packet of the Producer's stream number {@code stream} (0 unless simulcast, then the
     * layer, lowest first), arrived at {@code nowNanos}: forward it or not.
     */
    void send(RtpPacket rtp, int stream, long nowNanos);

    /** The subscriber's Transport finished DTLS (again): start over at the next keyframe. */
    void restart(long nowNanos);

    /** The subscriber asked for a keyframe (PLI or FIR naming our SSRC). */
    void onKeyframeRequest(long nowNanos);

    /** As {@link #onKeyframeRequest(long)}, naming {@code ssrc}: one of ours (a pipe sends several). */
    default void onKeyframeRequest(int ssrc, long nowNanos) {
        onKeyframeRequest(nowNanos);
    }

    /** Report block {@code block} of {@code report} is about our SSRC (RFC 3550 §6.4.2). */
    void onReportBlock(ReceiverReport report, int block, long nowCompactNtp);

    /** Sends our Sender Report if anything was sent (RFC 3550 §6.4.1); returns packets sent. */
    int sendSenderReport(long nowNanos, long ntp);

    RouterStats.ConsumerSample sample();

    /** The subscriber wants simulcast layer {@code spatial} (0 lowest); a single-stream Consumer has one. */
    default void setTargetLayer(int spatial, long nowNanos) {
    }

    /** The publisher's Sender Report for stream (layer) {@code stream}: simulcast aligns layers by it. */
    default void onPublisherSenderReport(int stream, long rtpTimestamp, long ntpTimestamp) {
    }

    /** The subscriber's generic NACK (RFC 4585 §6.2.1) for this Consumer's SSRC. */
    default void onNack(NackPacket nack, long nowNanos) {
    }

    /** The subscriber negotiated the audio level extension (RFC 6464) under {@code extensionId}. */
    default void setAudioLevelExtension(int extensionId) {
    }

    /**
     * The subscriber accepted redundant audio (RFC 2198) as payload type {@code pt}: a publisher's
     * RED goes out as RED; -1 (the default) sends the Opus frames inside instead.
     */
    default void setRedPayloadType(int pt) {
    }
}
