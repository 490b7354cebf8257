package dev.relay.transport;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The datagrams one media worker sends on one UDP socket in its current duty cycle, sent from
 * the worker's own thread with one sendmmsg(2) when the cycle ends ({@link EgressBatch#flush})
 * or the batch is full. The socket's event loop is not involved: no hand-off, no wake-up, no
 * Netty buffer per datagram (docs/architecture.md "Threads and hand-offs").
 *
 * <p>When the socket's send buffer is full (EAGAIN: a NIC still transmitting a burst, say a
 * keyframe fanned out to hundreds), the rest of the batch spills into the socket's egress ring
 * and its event loop sends it once the socket is writable, subject to the ring's age limit. While
 * the ring holds anything, later batches follow it there, so datagrams leave in order. A
 * datagram the kernel refuses for another reason (no route, a firewall, port 0) is dropped and
 * counted ({@link DropReason#SEND_FAILED}), never retried.
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
    private final Sender sender;
    private final UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * MediaServer.MAX_DATAGRAM));
    private final UnsafeBuffer iovecs = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * IOVEC_BYTES));
    private final Object[] packets = NativeSendmmsg.newPackets(CAPACITY);
    private final byte[][] recipientBytes = new byte[CAPACITY][];
    private final Recipient[] recipients = new Recipient[CAPACITY];
    private final int[] lengths = new int[CAPACITY];
    private final int[] transportIds = new int[CAPACITY];
    private int count;
    private long sent;
    private long spilled;

    /** sendmmsg(2) as {@link NativeSendmmsg#send} does it; a seam for tests of a kernel that refuses. */
    @FunctionalInterface
    interface Sender {
        int send(int fd, boolean ipv6, Object[] packets, int offset, int len);
    }

    DatagramBatch(DatagramEgress egress, int fd, boolean ipv6, DropCounters drops) {
        this(egress, fd, ipv6, drops, NativeSendmmsg::send);
    }

    DatagramBatch(DatagramEgress egress, int fd, boolean ipv6, DropCounters drops, Sender sender) {
        this.egress = egress;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.drops = drops;
        this.sender = sender;
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

    /**
     * Copies one protected datagram of Transport {@code transportId} for {@code to} into the
     * batch; sends the batch first if it is full ({@code stampNanos}, {@code handOff}: see {@link #flush}).
     */
    void add(int transportId, Recipient to, long stampNanos, boolean handOff, byte[] buf, int off, int len) {
        if (count == CAPACITY) {
            flush(stampNanos, handOff);
        }
        int slot = count;
        data.putBytes(slot * MediaServer.MAX_DATAGRAM, buf, off, len);
        iovecs.putLong(slot * IOVEC_BYTES + 8, len);
        lengths[slot] = len;
        transportIds[slot] = transportId;
        if (recipients[slot] != to) {
            recipients[slot] = to;
            System.arraycopy(to.address(), 0, recipientBytes[slot], 0, NativeSendmmsg.ADDRESS_BYTES);
            NativeSendmmsg.describe(packets[slot], iovecs.addressOffset() + (long) slot * IOVEC_BYTES,
                    to.scopeId(), to.port());
        }
        count++;
    }

    /**
     * Sends what the batch holds, or with {@code handOff} (the worker is behind,
     * {@link EgressBatch#handOff}) hands it all to the socket's event loop; returns how many
     * datagrams the kernel took now. What goes into the ring counts its age from
     * {@code stampNanos} ({@link ChannelEgress#MAX_QUEUE_AGE_NANOS}).
     */
    int flush(long stampNanos, boolean handOff) {
        int n = count;
        count = 0;
        if (n == 0) {
            return 0;
        }
        if (!egress.channel().isOpen()) {
            drops.add(DropReason.SEND_FAILED, n);
            return 0;
        }
        if (handOff || egress.backlogged()) {
            // The worker is behind, or older datagrams still wait for the event loop (these go
            // behind them, in order).
            spill(0, n, stampNanos);
            return 0;
        }
        int at = 0;
        int taken = 0;
        while (at < n) {
            int result = sender.send(fd, ipv6, packets, at, n - at);
            if (result > 0) {
                at += result;
                taken += result;
            } else if (result == EAGAIN || result == 0) {
                // The send buffer is full: the event loop sends the rest when the socket drains.
                spill(at, n, stampNanos);
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

    private void spill(int from, int to, long stampNanos) {
        for (int slot = from; slot < to; slot++) {
            egress.offer(transportIds[slot], stampNanos, data, slot * MediaServer.MAX_DATAGRAM, lengths[slot]);
        }
        spilled += to - from;
        egress.wake();
    }

    /** Datagrams the kernel took from this batch so far (worker thread; for tests). */
    long sent() {
        return sent;
    }

    /** Datagrams handed to the socket's event loop: a full send buffer, or the worker behind (worker thread; for tests). */
    long spilled() {
        return spilled;
    }
}
