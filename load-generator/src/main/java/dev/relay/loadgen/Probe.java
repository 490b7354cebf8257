package dev.relay.loadgen;

import dev.relay.codecs.Bytes;

/**
 * What a synthetic publisher writes into every RTP payload so that a subscriber can tell who
 * sent a packet and when. The relay forwards payloads byte for byte (it rewrites only the RTP
 * header), so the probe arrives as written.
 *
 * <p>It sits after the codec's own bytes, which the relay does read: for VP8 after the payload
 * descriptor (RFC 7741 §4.2) and the 3-byte frame tag whose first byte carries the P (inter
 * frame) bit (RFC 7741 §4.3, RFC 6386 §9.1); for Opus after the TOC byte (RFC 6716 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     magic "LGP1" (0x4C475031)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 publisher index (this run's peer number)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  kind (1=audio, 2=video)      |            reserved (0)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             send time: System.nanoTime() of the sender         |
 * |                    (64 bits, big-endian)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * System.nanoTime is CLOCK_MONOTONIC on Linux, one clock for every process of the machine; here
 * publishers and subscribers even share the load generator's JVM.
 */
final class Probe {
    static final int LENGTH = 20;
    static final int MAGIC = 0x4C475031;
    static final int KIND_AUDIO = 1;
    static final int KIND_VIDEO = 2;

    private static final int MAGIC_OFFSET = 0;
    private static final int PUBLISHER_OFFSET = 4;
    private static final int KIND_OFFSET = 8;
    private static final int SEND_NANOS_OFFSET = 12;

    /** Bytes of the VP8 frame tag we write before the probe (RFC 6386 §9.1: 3 bytes). */
    static final int VP8_FRAME_TAG_LENGTH = 3;
    /** The Opus TOC byte we write before the probe. */
    static final int OPUS_TOC_LENGTH = 1;

    private Probe() {
    }

    static void write(byte[] buf, int off, int publisher, int kind, long sendNanos) {
        Bytes.putInt32(buf, off + MAGIC_OFFSET, MAGIC);
        Bytes.putInt32(buf, off + PUBLISHER_OFFSET, publisher);
        Bytes.putUint16(buf, off + KIND_OFFSET, kind << 8);
        Bytes.putInt64(buf, off + SEND_NANOS_OFFSET, sendNanos);
    }

    /** Rewrites only the send time, just before the packet is protected and sent. */
    static void stamp(byte[] buf, int off, long sendNanos) {
        Bytes.putInt64(buf, off + SEND_NANOS_OFFSET, sendNanos);
    }

    static boolean valid(byte[] buf, int off, int end) {
        return off >= 0 && off + LENGTH <= end && Bytes.int32(buf, off + MAGIC_OFFSET) == MAGIC;
    }

    static int publisher(byte[] buf, int off) {
        return Bytes.int32(buf, off + PUBLISHER_OFFSET);
    }

    static int kind(byte[] buf, int off) {
        return Bytes.uint8(buf, off + KIND_OFFSET);
    }

    static long sendNanos(byte[] buf, int off) {
        return Bytes.int64(buf, off + SEND_NANOS_OFFSET);
    }
}
