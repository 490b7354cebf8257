package dev.relay.transport;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The datagrams one media worker sends on one UDP socket in its current duty cycle, sent from
 * the worker's own thread with one sendmmsg(2) when the cycle ends ({@link EgressBatch#flush})
 * or the batch is full. The socket's event loop is not involved: no hand-off, no wake-up, no
 * Netty buffer per datagram (docs/architecture.md "Threads and hand-offs"). A datagram the kernel
 * refuses is dropped and counted ({@link DropReason#SEND_FAILED}), never retried or waited on.
 *
 * <p>Owned by one worker thread; allocates nothing after construction. Each slot holds one
 * datagram's bytes and its iovec; its descriptor is pointed at that iovec once, and its recipient
 * is rewritten only when it changes.
 */
final class DatagramBatch {
    /** Datagrams per sendmmsg(2); Linux takes up to UIO_MAXIOV (1024). */
    static final int CAPACITY = 256;
    private static final int IOVEC_BYTES = 16;
    /** -EAGAIN on Linux: the socket's send buffer is full. */
    private static final int EAGAIN = -11;

    private final DatagramEgress egress;
    private final int fd;
    private final boolean ipv6;
    private final DropCounters drops;
    private final UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * MediaServer.MAX_DATAGRAM));
    private final UnsafeBuffer iovecs = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * IOVEC_BYTES));
    private final Object[] packets = NativeSendmmsg.newPackets(CAPACITY);
    private final byte[][] recipientBytes = new byte[CAPACITY][];
    private final Recipient[] recipients = new Recipient[CAPACITY];
    private int count;
    private long sent;

    DatagramBatch(DatagramEgress egress, int fd, boolean ipv6, DropCounters drops) {
        this.egress = egress;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.drops = drops;
        for (int i = 0; i < CAPACITY; i++) {
            int iovec = i * IOVEC_BYTES;
            iovecs.putLong(iovec, data.addressOffset() + (long) i * MediaServer.MAX_DATAGRAM);
            recipientBytes[i] = NativeSendmmsg.recipientAddress(packets[i]);
            NativeSendmmsg.describe(packets[i], iovecs.addressOffset() + iovec, 0, 0);
        }
    }

    DatagramEgress egress() {
        return egress;
    }

    /** Copies one protected datagram for {@code to} into the batch; sends the batch first if it is full. */
    void add(Recipient to, byte[] buf, int off, int len) {
        if (count == CAPACITY) {
            flush();
        }
        int slot = count;
        data.putBytes(slot * MediaServer.MAX_DATAGRAM, buf, off, len);
        iovecs.putLong(slot * IOVEC_BYTES + 8, len);
        if (recipients[slot] != to) {
            recipients[slot] = to;
            System.arraycopy(to.address(), 0, recipientBytes[slot], 0, NativeSendmmsg.ADDRESS_BYTES);
            NativeSendmmsg.describe(packets[slot], iovecs.addressOffset() + (long) slot * IOVEC_BYTES,
                    to.scopeId(), to.port());
        }
        count++;
    }

    /** Sends what the batch holds; returns how many datagrams the kernel took. */
    int flush() {
        int n = count;
        count = 0;
        if (n == 0) {
            return 0;
        }
        if (!egress.channel().isOpen()) {
            drops.add(DropReason.SEND_FAILED, n);
            return 0;
        }
        int at = 0;
        int taken = 0;
        while (at < n) {
            int result = NativeSendmmsg.send(fd, ipv6, packets, at, n - at);
            if (result > 0) {
                at += result;
                taken += result;
            } else if (result == EAGAIN || result == 0) {
                // The send buffer is full: the rest would meet the same; drop it (media is late anyway).
                drops.add(DropReason.SEND_FAILED, n - at);
                break;
            } else {
                // An error of the first datagram not sent (no route, filtered, too long): that one only.
                drops.increment(DropReason.SEND_FAILED);
                at++;
            }
        }
        sent += taken;
        return taken;
    }

    /** Datagrams the kernel took from this batch so far (worker thread; for tests). */
    long sent() {
        return sent;
    }
}
