package dev.relay.transport;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Layout of one record in a media worker's inbound ring (Agrona ring buffer; the ring adds its
 * own length and type header, RecordDescriptor).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         transport id                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 receive time (System.nanoTime)                |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            the datagram as received (SRTP or SRTCP)  ...      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class InboundRecord {
    /** Message type id of a record carrying SRTP. */
    public static final int MSG_SRTP = 1;
    /** Message type id of a record carrying SRTCP. */
    public static final int MSG_SRTCP = 2;

    public static final int TRANSPORT_ID_OFFSET = 0;
    public static final int RECEIVE_NANOS_OFFSET = 4;
    public static final int DATAGRAM_OFFSET = 12;

    private InboundRecord() {
    }

    /**
     * Copies one datagram into a worker's ring (any number of writer threads). False when the
     * ring is full: the caller counts the drop, it never waits.
     */
    public static boolean write(RingBuffer ring, int msgType, int transportId, long receiveNanos,
                                byte[] buf, int off, int len) {
        int index = ring.tryClaim(msgType, DATAGRAM_OFFSET + len);
        if (index < 0) {
            return false;
        }
        AtomicBuffer buffer = ring.buffer();
        buffer.putInt(index + TRANSPORT_ID_OFFSET, transportId);
        buffer.putLong(index + RECEIVE_NANOS_OFFSET, receiveNanos);
        buffer.putBytes(index + DATAGRAM_OFFSET, buf, off, len);
        // Release: the reader sees the record only after every byte above is visible.
        ring.commit(index);
        return true;
    }
}
