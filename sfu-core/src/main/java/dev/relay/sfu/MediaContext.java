package dev.relay.sfu;

import dev.relay.codecs.rtp.RedPayload;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.codecs.vp9.Vp9PayloadDescriptor;
import dev.relay.transport.DropCounters;
import dev.relay.transport.DropReason;
import java.util.function.LongSupplier;

/**
 * What every Router on one worker thread shares: the clocks (injected, so tests control time),
 * the drop counters, the scratch buffers and flyweights a packet is rewritten with, and the
 * worker's plain traffic counters. One per worker; touched by that thread only.
 *
 * <p>Scratch ownership: {@link #rtpOut} holds one outgoing RTP packet between a Consumer's
 * rewrite and its send; {@link #rtcpOut} one outgoing RTCP packet. They are separate because a
 * Consumer may ask for a keyframe (a PLI goes out) while the inbound packet is being fanned out.
 */
final class MediaContext {
    /** A full-size datagram plus SRTP/SRTCP overhead (tag, SRTCP index), with room to spare. */
    static final int SCRATCH_BYTES = 2048;
    /** More than one NACK of a full datagram asks for is not answered at once (17 per FCI entry). */
    static final int MAX_NACKED_PER_PACKET = 256;

    final RtpPacket rtp = new RtpPacket();
    final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    final Vp9PayloadDescriptor vp9 = new Vp9PayloadDescriptor();
    final RedPayload red = new RedPayload();
    final byte[] rtpOut = new byte[SCRATCH_BYTES];
    /** A cached packet being retransmitted, and the sequence numbers of the NACK being answered. */
    final RtpPacket cached = new RtpPacket();
    final int[] nacked = new int[MAX_NACKED_PER_PACKET];
    final byte[] rtcpOut = new byte[SCRATCH_BYTES];

    private final DropCounters drops;
    private final LongSupplier nanoClock;
    private final LongSupplier epochMillisClock;
    private long packetsIn;
    private long packetsOut;
    private long bytesOut;
    private long bytesIn;
    private final long[] events = new long[MediaEvent.values().length];
    private boolean keyframeRequestsPending;

    MediaContext(DropCounters drops, LongSupplier nanoClock, LongSupplier epochMillisClock) {
        this.drops = drops;
        this.nanoClock = nanoClock;
        this.epochMillisClock = epochMillisClock;
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    long epochMillis() {
        return epochMillisClock.getAsLong();
    }

    void drop(DropReason reason) {
        drops.increment(reason);
    }

    void countIn(int bytes) {
        packetsIn++;
        bytesIn += bytes;
    }

    void countOut(int bytes) {
        packetsOut++;
        bytesOut += bytes;
    }

    void count(MediaEvent event) {
        events[event.ordinal()]++;
    }

    long count(int eventOrdinal) {
        return events[eventOrdinal];
    }

    long packetsIn() {
        return packetsIn;
    }

    long packetsOut() {
        return packetsOut;
    }

    long bytesOut() {
        return bytesOut;
    }

    long bytesIn() {
        return bytesIn;
    }

    /** A Producer holds back a keyframe request (throttled): the worker must poll for it. */
    void keyframeRequestHeld() {
        keyframeRequestsPending = true;
    }

    /** True (and cleared) if some Producer may hold a keyframe request. */
    boolean takeKeyframeRequestsPending() {
        boolean pending = keyframeRequestsPending;
        keyframeRequestsPending = false;
        return pending;
    }
}
