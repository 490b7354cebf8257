package dev.relay.loadgen;

import dev.relay.codecs.rtp.RtpPacket;

/**
 * A synthetic Opus microphone: one 20 ms packet of {@link #PAYLOAD_BYTES} bytes 50 times a second
 * (48 kHz clock, 960 ticks per packet), a TOC byte (RFC 6716 §3.1) then the {@link Probe}.
 * Owned by one I/O loop.
 */
final class AudioSource {
    static final int CLOCK_RATE = 48_000;
    static final int PACKETS_PER_SECOND = 50;
    static final int PAYLOAD_BYTES = 100;
    /** TOC: config 31 (CELT fullband 20 ms), stereo, one frame. */
    private static final int TOC = 0xFC;
    static final int PROBE_OFFSET = Probe.OPUS_TOC_LENGTH;

    private final int ssrc;
    private final int publisher;
    private final long intervalNanos = 1_000_000_000L / PACKETS_PER_SECOND;
    private int seq;
    private long timestamp;
    private long nextNanos;
    private boolean running;

    long packetsSent;
    long bytesSent;
    long payloadBytesSent;
    long lastRtpTimestamp;
    long maxLateNanos;
    private long windowPackets;

    AudioSource(int ssrc, int publisher, long seed) {
        this.ssrc = ssrc;
        this.publisher = publisher;
        this.seq = (int) (seed & 0xFFFF);
        this.timestamp = (seed >>> 16) & 0xFFFFFFFFL;
    }

    int ssrc() {
        return ssrc;
    }

    void start(long now) {
        running = true;
        nextNanos = now;
    }

    void stop() {
        running = false;
    }

    long sendDue(long now, byte[] buf, RtpSink transport) {
        if (!running) {
            return Long.MAX_VALUE;
        }
        while (now - nextNanos >= 0) {
            long late = now - nextNanos;
            maxLateNanos = Math.max(maxLateNanos, late);
            if (late > 500_000_000L) {
                long missed = late / intervalNanos;
                nextNanos += missed * intervalNanos;
                timestamp = (timestamp + missed * (CLOCK_RATE / PACKETS_PER_SECOND)) & 0xFFFFFFFFL;
            }
            int off = RtpPacket.writeHeader(buf, 0, false, Sdp.PT_OPUS, seq, timestamp, ssrc);
            buf[off] = (byte) TOC;
            Probe.write(buf, off + PROBE_OFFSET, publisher, Probe.KIND_AUDIO, System.nanoTime());
            int len = off + PAYLOAD_BYTES;
            if (transport.sendRtp(buf, len)) {
                packetsSent++;
                bytesSent += len;
                payloadBytesSent += PAYLOAD_BYTES;
            }
            lastRtpTimestamp = timestamp;
            seq = (seq + 1) & 0xFFFF;
            timestamp = (timestamp + CLOCK_RATE / PACKETS_PER_SECOND) & 0xFFFFFFFFL;
            nextNanos += intervalNanos;
        }
        return nextNanos;
    }

    void markWindowStart() {
        maxLateNanos = 0;
        windowPackets = packetsSent;
    }

    long windowPackets() {
        return packetsSent - windowPackets;
    }

    long rtpTimestampAt(long now) {
        long sinceLast = now - (nextNanos - intervalNanos);
        return (lastRtpTimestamp + Math.max(0, sinceLast) * CLOCK_RATE / 1_000_000_000L) & 0xFFFFFFFFL;
    }
}
