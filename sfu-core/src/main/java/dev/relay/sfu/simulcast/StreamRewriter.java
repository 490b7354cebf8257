package dev.relay.sfu.simulcast;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.rtp.RtpTimestamp;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;

/**
 * Makes the packets a {@link LayerSelector} lets through one continuous RTP stream for the
 * subscriber, whichever simulcast layer they come from. Each layer is its own RTP stream with
 * its own random sequence number and timestamp origins (RFC 3550 §5.1) and its own VP8
 * PictureID and TL0PICIDX counters (RFC 7741 §4.2); the subscriber sees one SSRC, so every
 * counter must run on across a switch as if one encoder had produced it all.
 *
 * <ul>
 * <li><b>Sequence number</b>: the first packet after a switch follows the last one sent. Packets
 *     of the current layer that are not sent (temporal layers above the target, padding) are
 *     taken out of the numbering, so the subscriber sees no gap it would NACK; packets lost
 *     upstream keep their gap. If the last packet sent did not end its frame (marker bit clear,
 *     RFC 7741 §4.1), one number is skipped so the receiver sees that frame as incomplete rather
 *     than joining it to the keyframe that follows (mediasoup does the same since its issue 408).</li>
 * <li><b>Timestamp</b>: the new layer's timestamps get an offset that puts its first frame at
 *     the capture time it really has, as seen through both layers' Sender Reports (RFC 3550
 *     §6.4.1: an SR pairs an NTP wall-clock time with the RTP timestamp of the same instant), or
 *     one tick after the last frame sent if that one shows the same instant. That keeps
 *     audio/video sync. Without SRs for both layers, or when they place the frame more than a
 *     second off the time that passed, the offset comes from the wall time elapsed since the
 *     last frame sent.</li>
 * <li><b>PictureID</b> (15 bits) follows the last one sent, with dropped pictures taken out
 *     like sequence numbers; <b>TL0PICIDX</b> (8 bits) of the switch keyframe follows the last
 *     one sent (TL0 frames are never dropped, so within a layer it only needs the offset).</li>
 * </ul>
 *
 * <p>Per packet: {@link #forward} (the values are then read or written with {@link #writeTo})
 * or {@link #drop}. Pure logic over the caller's clock; worker thread only; nothing allocated
 * per packet.
 */
public final class StreamRewriter {
    public static final int NONE = -1;
    /** Reordering depth for sequence numbers: well over a second of the top layer's packets. */
    private static final int SEQUENCE_WINDOW = 512;
    /** Reordering depth for pictures: a few seconds of frames. */
    private static final int PICTURE_WINDOW = 128;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** A pause longer than an hour counts as an hour: keeps nanos times clock rate inside a long. */
    private static final long MAX_ELAPSED_NANOS = 3600 * NANOS_PER_SECOND;
    /** 2^12 s in NTP 32.32 format: SRs further apart are not compared (and ticks stay inside a long). */
    private static final long MAX_SENDER_REPORT_SPAN = 1L << 44;

    private final int clockRate;
    private final int initialSequenceNumber;
    /** How far off the wall-clock estimate the SR alignment may place a frame and still be believed. */
    private final long senderReportToleranceTicks;
    private final Renumbering sequence = new Renumbering(16, SEQUENCE_WINDOW);
    private final Renumbering pictures = new Renumbering(15, PICTURE_WINDOW);
    private final boolean[] senderReportKnown;
    private final long[] senderReportRtp;
    private final long[] senderReportNtp;

    private int layer = NONE;
    private long timestampOffset;
    private long highestTimestamp;
    private long highestTimestampNanos;
    /** Marker bit of the packet with the highest sequence number sent. */
    private boolean highestMarker;
    private boolean tl0Known;
    private int tl0Offset;
    private int highestTl0;
    private boolean alignedBySenderReports;

    private int sequenceNumber;
    private long timestamp;
    private int pictureId;
    private int tl0PicIdx;

    /**
     * @param layers                spatial layers of the Producer (indexes of {@link #onSenderReport}).
     * @param clockRate             RTP clock rate of the codec (90 000 for video).
     * @param initialSequenceNumber the subscriber's first sequence number.
     */
    public StreamRewriter(int layers, int clockRate, int initialSequenceNumber) {
        this.clockRate = clockRate;
        this.initialSequenceNumber = initialSequenceNumber & 0xFFFF;
        this.senderReportToleranceTicks = clockRate;
        this.senderReportKnown = new boolean[layers];
        this.senderReportRtp = new long[layers];
        this.senderReportNtp = new long[layers];
    }

    /** The publisher's Sender Report for {@code layer}: its RTP timestamp and 64-bit NTP time. */
    public void onSenderReport(int layer, long rtpTimestamp, long ntpTimestamp) {
        if (layer >= 0 && layer < senderReportKnown.length) {
            senderReportKnown[layer] = true;
            senderReportRtp[layer] = rtpTimestamp & RtpTimestamp.MASK;
            senderReportNtp[layer] = ntpTimestamp;
        }
    }

    /**
     * A packet the selector lets through. A layer other than the last one forwarded starts a
     * switch: the packet must be the first of a keyframe.
     *
     * @param pictureId the 15-bit VP8 PictureID, or -1 when absent or only 7 bits wide.
     * @param tl0PicIdx the VP8 TL0PICIDX, or -1 when absent.
     * @return false if the packet cannot be placed in the stream (older than the reordering
     *     window, or part of something already dropped): do not send it.
     */
    public boolean forward(int layer, int seq, long rtpTimestamp, boolean marker, int pictureId, int tl0PicIdx,
                           long nowNanos) {
        if (layer != this.layer) {
            switchTo(layer, seq, rtpTimestamp, pictureId, tl0PicIdx, nowNanos);
        }
        int outPicture = NONE;
        if (pictureId >= 0) {
            if (!pictures.started()) {
                pictures.restart(pictureId, pictureId);
            }
            outPicture = pictures.forward(pictureId);
            if (outPicture < 0) {
                return false;
            }
        }
        int outSeq = sequence.forward(seq);
        if (outSeq < 0) {
            return false;
        }
        if (outSeq == ((sequence.next() - 1) & 0xFFFF)) {
            highestMarker = marker;
        }
        long outTimestamp = (rtpTimestamp + timestampOffset) & RtpTimestamp.MASK;
        if (RtpTimestamp.isNewer(outTimestamp, highestTimestamp)) {
            highestTimestamp = outTimestamp;
            highestTimestampNanos = nowNanos;
        }
        int outTl0 = NONE;
        if (tl0PicIdx >= 0) {
            if (!tl0Known) {
                tl0Known = true;
                highestTl0 = tl0PicIdx;
            }
            outTl0 = (tl0PicIdx + tl0Offset) & 0xFF;
            if ((byte) (outTl0 - highestTl0) > 0) {
                highestTl0 = outTl0;
            }
        }
        this.sequenceNumber = outSeq;
        this.timestamp = outTimestamp;
        this.pictureId = outPicture;
        this.tl0PicIdx = outTl0;
        return true;
    }

    /**
     * A packet not sent (dropped by the selector, padding only, or refused by {@link #forward}).
     * Only packets of the layer being forwarded matter: theirs are taken out of the numbering.
     */
    public void drop(int layer, int seq, int pictureId) {
        if (layer != this.layer || layer == NONE) {
            return;
        }
        sequence.drop(seq);
        if (pictureId >= 0 && pictures.started()) {
            pictures.drop(pictureId);
        }
    }

    /** Writes the forwarded packet's SSRC, payload type, sequence number and timestamp in place. */
    public void writeTo(RtpPacket rtp, int ssrc, int payloadType) {
        rtp.ssrc(ssrc);
        rtp.payloadType(payloadType);
        rtp.sequenceNumber(sequenceNumber);
        rtp.timestamp(timestamp);
    }

    /** Writes PictureID and TL0PICIDX in place, where the descriptor has them. */
    public void writeTo(Vp8PayloadDescriptor vp8) {
        if (pictureId >= 0) {
            vp8.pictureId(pictureId);
        }
        if (tl0PicIdx >= 0) {
            vp8.tl0PicIdx(tl0PicIdx);
        }
    }

    /** The forwarded packet's sequence number. */
    public int sequenceNumber() {
        return sequenceNumber;
    }

    /** The forwarded packet's RTP timestamp. */
    public long timestamp() {
        return timestamp;
    }

    /** The forwarded packet's PictureID, or -1 if it had none. */
    public int pictureId() {
        return pictureId;
    }

    /** The forwarded packet's TL0PICIDX, or -1 if it had none. */
    public int tl0PicIdx() {
        return tl0PicIdx;
    }

    /** The layer being forwarded, or {@link #NONE} before the first packet. */
    public int layer() {
        return layer;
    }

    /** The highest RTP timestamp sent, for our Sender Reports. */
    public long highestTimestamp() {
        return highestTimestamp;
    }

    /** When the highest timestamp was first sent, to extrapolate a Sender Report's RTP time. */
    public long highestTimestampNanos() {
        return highestTimestampNanos;
    }

    /** True if the last switch placed the new layer by Sender Reports rather than wall time. */
    public boolean alignedBySenderReports() {
        return alignedBySenderReports;
    }

    private void switchTo(int newLayer, int seq, long rtpTimestamp, int picture, int tl0, long nowNanos) {
        if (layer == NONE) {
            sequence.restart(seq, initialSequenceNumber);
            timestampOffset = 0;
            highestTimestamp = rtpTimestamp & RtpTimestamp.MASK;
            highestTimestampNanos = nowNanos;
        } else {
            sequence.restart(seq, (sequence.next() + (highestMarker ? 0 : 1)) & 0xFFFF);
            long delta = switchInterval(layer, newLayer, rtpTimestamp, nowNanos);
            timestampOffset = (highestTimestamp + delta - rtpTimestamp) & RtpTimestamp.MASK;
            if (picture >= 0 && pictures.started()) {
                pictures.restart(picture, pictures.next());
            }
            if (tl0 >= 0 && tl0Known) {
                // The switch packet is a keyframe, hence TL0: the next TL0PICIDX.
                tl0Offset = (highestTl0 + 1 - tl0) & 0xFF;
            }
        }
        layer = newLayer;
    }

    /** Ticks from the last frame sent to the first frame of {@code to}, whose timestamp is {@code rtpTimestamp}. */
    private long switchInterval(int from, int to, long rtpTimestamp, long nowNanos) {
        long elapsedNanos = Math.min(nowNanos - highestTimestampNanos, MAX_ELAPSED_NANOS);
        long elapsedTicks = Math.max(1, elapsedNanos * clockRate / NANOS_PER_SECOND);
        alignedBySenderReports = false;
        if (from < 0 || from >= senderReportKnown.length || to < 0 || to >= senderReportKnown.length
                || !senderReportKnown[from] || !senderReportKnown[to]) {
            return elapsedTicks;
        }
        long ntpApart = senderReportNtp[to] - senderReportNtp[from];
        if (Math.abs(ntpApart) >= MAX_SENDER_REPORT_SPAN) {
            return elapsedTicks;
        }
        // The new frame's capture instant on the old layer's clock: its distance from the new
        // layer's SR, plus the distance between the two SRs' wall-clock times.
        long ntpApartTicks = (ntpApart * clockRate) >> 32;
        long onOldClock = senderReportRtp[from] + RtpTimestamp.diff(rtpTimestamp & RtpTimestamp.MASK,
                senderReportRtp[to]) + ntpApartTicks;
        long out = (onOldClock + timestampOffset) & RtpTimestamp.MASK;
        long interval = RtpTimestamp.diff(out, highestTimestamp);
        if (interval < -senderReportToleranceTicks || interval > elapsedTicks + senderReportToleranceTicks) {
            return elapsedTicks;
        }
        alignedBySenderReports = true;
        // At or before the last frame sent: the other layer already sent this capture instant
        // (going up, the lower layer's frame arrives first). One tick later is the closest a
        // later frame can be, and keeps the stream on the capture clock for audio/video sync.
        return Math.max(1, interval);
    }
}
