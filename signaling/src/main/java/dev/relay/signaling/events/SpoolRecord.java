package dev.relay.signaling.events;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frame of one event in a spool segment (docs/events.md "The spool"). All offsets of the
 * layout live here.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   payload length (1..MAX_PAYLOAD)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           CRC-32C of the length field and the payload         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 payload (the event's JSON) ...                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Big-endian. The CRC covers the length too, so a torn write that left a plausible length over
 * zeros or old bytes fails the check. CRC-32C (Castagnoli) is the iSCSI checksum, RFC 3720
 * section 12.1 and appendix B.4.
 */
final class SpoolRecord {
    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int HEADER_LENGTH = 8;
    /** Kafka's default {@code max.request.size} (1 MiB) bounds a record anyway; larger is corruption. */
    static final int MAX_PAYLOAD = 1 << 20;

    /** What {@link #check} found at a position. */
    enum Check {
        /** A whole record with a matching CRC. */
        VALID,
        /** Fewer bytes than the header or the payload it announces: a torn write, or the end. */
        TRUNCATED,
        /** A length out of range or a CRC mismatch. */
        CORRUPT
    }

    private SpoolRecord() {
    }

    static int frameLength(int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }

    /** Writes the frame of {@code payload} at {@code buf}'s position and advances it. */
    static void write(ByteBuffer buf, byte[] payload) {
        if (payload.length < 1 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("spool record of " + payload.length + " bytes");
        }
        buf.putInt(payload.length);
        buf.putInt(crc(payload.length, payload, 0, payload.length));
        buf.put(payload);
    }

    /**
     * Checks the frame starting at {@code offset} of the {@code available} bytes of {@code buf}
     * (absolute indexes; the buffer's position is untouched).
     */
    static Check check(ByteBuffer buf, int offset, int available) {
        if (available < HEADER_LENGTH) {
            return Check.TRUNCATED;
        }
        int length = buf.getInt(offset + LENGTH_OFFSET);
        if (length < 1 || length > MAX_PAYLOAD) {
            return Check.CORRUPT;
        }
        if (available < HEADER_LENGTH + length) {
            return Check.TRUNCATED;
        }
        int expected = buf.getInt(offset + CRC_OFFSET);
        CRC32C crc = new CRC32C();
        crc.update(lengthBytes(length));
        crc.update(buf.slice(offset + HEADER_LENGTH, length));
        return (int) crc.getValue() == expected ? Check.VALID : Check.CORRUPT;
    }

    /** The payload length of a frame that {@link #check} found valid. */
    static int payloadLength(ByteBuffer buf, int offset) {
        return buf.getInt(offset + LENGTH_OFFSET);
    }

    static int crc(int length, byte[] payload, int offset, int count) {
        CRC32C crc = new CRC32C();
        crc.update(lengthBytes(length));
        crc.update(payload, offset, count);
        return (int) crc.getValue();
    }

    private static byte[] lengthBytes(int length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }
}
