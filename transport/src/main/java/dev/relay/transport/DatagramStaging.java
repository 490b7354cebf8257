package dev.relay.transport;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One media worker's off-heap copies of the datagrams it sends in a duty cycle, whatever socket
 * they go to: a slot per datagram and its iovec (pointer, length), handed to sendmmsg(2) by the
 * sockets' {@link DatagramBatch}es. Shared by all of a worker's sockets, so its memory does not
 * grow with workers x sockets. Slots are taken in order and all freed at once ({@link #clear}),
 * after every batch that points into them was sent. Owned by one worker thread.
 */
final class DatagramStaging {
    /** Datagrams per duty cycle before the worker sends what it has and starts over. */
    static final int SLOTS = 256;
    /**
     * A slot holds the largest packet a worker makes (its scratch is 2 KiB; a protected RTX
     * packet of a full-size original is over 1,500 bytes).
     */
    static final int SLOT_BYTES = 2048;
    private static final int IOVEC_BYTES = 16;

    private final UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOTS * SLOT_BYTES));
    private final UnsafeBuffer iovecs = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOTS * IOVEC_BYTES));
    private int used;

    DatagramStaging() {
        for (int i = 0; i < SLOTS; i++) {
            iovecs.putLong(i * IOVEC_BYTES, data.addressOffset() + (long) i * SLOT_BYTES);
        }
    }

    boolean isFull() {
        return used == SLOTS;
    }

    /** Copies {@code buf[off..off+len)} ({@code len <= SLOT_BYTES}) into the next slot; returns the slot. */
    int put(byte[] buf, int off, int len) {
        int slot = used++;
        data.putBytes(slot * SLOT_BYTES, buf, off, len);
        iovecs.putLong(slot * IOVEC_BYTES + 8, len);
        return slot;
    }

    /** The native address of {@code slot}'s iovec, for a sendmmsg descriptor. */
    long iovecAddress(int slot) {
        return iovecs.addressOffset() + (long) slot * IOVEC_BYTES;
    }

    UnsafeBuffer data() {
        return data;
    }

    int offset(int slot) {
        return slot * SLOT_BYTES;
    }

    void clear() {
        used = 0;
    }
}
