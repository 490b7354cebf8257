package dev.relay.transport;

/**
 * The datagrams one media worker sends on one UDP socket in its current duty cycle, sent from
 * the worker's own thread with one sendmmsg(2) when the cycle ends ({@link EgressBatch#flush})
 * or the batch is full. The socket's event loop is not involved: no hand-off, no wake-up, no
 * Netty buffer per datagram (docs/architecture.md "Threads and hand-offs"). The bytes sit in the
 * worker's {@link DatagramStaging}; this holds the sendmmsg descriptors pointing into it.
 *
 * <p>The batch goes to the socket's event loop instead, through its egress ring, when the worker
 * is behind ({@link EgressBatch#handOff}), or when the kernel answers EAGAIN (the socket's send
 * buffer is full: a NIC still sending a burst, say a keyframe fanned out to hundreds): then the
 * rest of it. While the ring or Netty still holds anything this worker gave it for the socket,
 * later batches follow it there, so a Transport's datagrams leave in order. Each keeps its own
 * stamp, so the ring's 50 ms age limit counts from when the relay received what it was made
 * from. A datagram the kernel refuses for another reason (no route, a firewall, port 0) is
 * dropped and counted ({@link DropReason#SEND_FAILED}), never retried.
 *
 * <p>Owned by one worker thread; allocates nothing after construction. A descriptor's
 * recipient is rewritten only when it changes.
 */
final class DatagramBatch {
    /** Datagrams per sendmmsg(2); Linux takes up to UIO_MAXIOV (1024). */
    static final int CAPACITY = 64;
    /** -EAGAIN on Linux: the socket's send buffer is full. */
    private static final int EAGAIN = -11;

    private final DatagramEgress egress;
    private final DatagramStaging staging;
    private final int fd;
    private final boolean ipv6;
    private final DropCounters drops;
    private final Sender sender;
    private final Object[] packets = NativeSendmmsg.newPackets(CAPACITY);
    private final byte[][] recipientBytes = new byte[CAPACITY][];
    private final Recipient[] recipients = new Recipient[CAPACITY];
    private final int[] slots = new int[CAPACITY];
    private final int[] lengths = new int[CAPACITY];
    private final int[] transportIds = new int[CAPACITY];
    private final long[] stamps = new long[CAPACITY];
    private int count;
    /** Some datagram in the batch was added while the worker was behind: the batch goes to the event loop. */
    private boolean behind;
    /** The socket's ring position after the last record this worker gave it; see {@link ChannelEgress#holds}. */
    private long handedUpTo;
    private long spilled;

    /** sendmmsg(2) as {@link NativeSendmmsg#send} does it; a seam for tests of a kernel that refuses. */
    @FunctionalInterface
    interface Sender {
        int send(int fd, boolean ipv6, Object[] packets, int offset, int len);
    }

    DatagramBatch(DatagramEgress egress, DatagramStaging staging, int fd, boolean ipv6, DropCounters drops) {
        this(egress, staging, fd, ipv6, drops, NativeSendmmsg::send);
    }

    DatagramBatch(DatagramEgress egress, DatagramStaging staging, int fd, boolean ipv6, DropCounters drops,
                  Sender sender) {
        this.egress = egress;
        this.staging = staging;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.drops = drops;
        this.sender = sender;
        for (int i = 0; i < CAPACITY; i++) {
            recipientBytes[i] = NativeSendmmsg.recipientAddress(packets[i]);
            NativeSendmmsg.prepare(packets[i]);
        }
    }

    DatagramEgress egress() {
        return egress;
    }

    boolean isFull() {
        return count == CAPACITY;
    }

    /**
     * Adds the datagram in staging slot {@code slot} ({@code len} bytes) of Transport
     * {@code transportId} for {@code to}, received at {@code stampNanos}; {@code handOff}: the
     * worker is behind ({@link EgressBatch#handOff}). The caller sends the batch first when it
     * {@link #isFull}.
     */
    void add(int slot, int len, int transportId, Recipient to, long stampNanos, boolean handOff) {
        behind |= handOff;
        int i = count++;
        slots[i] = slot;
        lengths[i] = len;
        transportIds[i] = transportId;
        stamps[i] = stampNanos;
        Object packet = packets[i];
        NativeSendmmsg.pointAt(packet, staging.iovecAddress(slot));
        if (recipients[i] != to) {
            recipients[i] = to;
            System.arraycopy(to.address(), 0, recipientBytes[i], 0, NativeSendmmsg.ADDRESS_BYTES);
            NativeSendmmsg.addressTo(packet, to.scopeId(), to.port());
        }
    }

    /**
     * Sends what the batch holds, or hands it all to the socket's event loop if the worker was
     * behind when it added any of it; returns how many datagrams the kernel took now.
     */
    int flush() {
        int n = count;
        count = 0;
        boolean handOff = behind;
        behind = false;
        if (n == 0) {
            return 0;
        }
        if (!egress.channel().isOpen()) {
            drops.add(DropReason.SEND_FAILED, n);
            return 0;
        }
        if (handOff || egress.holds(handedUpTo)) {
            // The worker is behind, or what it handed over earlier still waits: these go behind it.
            handOver(0, n);
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
                handOver(at, n);
                break;
            } else {
                // An error of the first datagram not sent (no route, filtered, too long): that one only.
                drops.increment(DropReason.SEND_FAILED);
                at++;
            }
        }
        return taken;
    }

    private void handOver(int from, int to) {
        for (int i = from; i < to; i++) {
            egress.offer(transportIds[i], stamps[i], staging.data(), staging.offset(slots[i]), lengths[i]);
        }
        handedUpTo = egress.ringPosition();
        spilled += to - from;
        egress.wake();
    }

    /** Datagrams handed to the socket's event loop: a full send buffer, or the worker behind (worker thread; for tests). */
    long spilled() {
        return spilled;
    }
}
