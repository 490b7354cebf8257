package dev.relay.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The outbound hand-off of one socket (a UDP socket, {@link DatagramEgress}, or one ICE-TCP
 * connection, {@link StreamEgress}): media workers (many producers) claim records in a lock-free
 * ring, the socket's event loop (one consumer) drains it into Netty writes and one flush, so a
 * UDP batch leaves in one sendmmsg. Workers never touch the Netty channel per packet.
 *
 * <p>Record: {@code [transport id: int32][stamp: int64][protected datagram]}; the subclass puts
 * each record on the wire ({@link #writeRecord}). The stamp is when the relay received what the packet was made from
 * ({@link EgressBatch#stamp}); a record older than {@link #MAX_QUEUE_AGE_NANOS} when the event
 * loop comes to it is dropped and counted ({@link DropReason#EGRESS_STALE}): under overload the
 * relay drops late media instead of queueing seconds of it (docs/operations.md "Overload").
 *
 * <p>Wake-up protocol: a worker that committed records calls {@link #wake()}; only the caller
 * that flips {@code scheduled} false -> true enqueues the (preallocated) drain task. The drain
 * clears the flag <em>before</em> reading, so a record committed after the clear is always
 * followed by a successful wake: nothing is stranded in the ring.
 */
public abstract class ChannelEgress implements MessageHandler {
    /** Records taken per drain before yielding the event loop to reads and other tasks. */
    private static final int DRAIN_LIMIT = 1024;
    public static final int RECORD_HEADER = 12;
    private static final int STAMP_OFFSET = 4;
    /**
     * How long media may wait inside the relay, from its arrival to its send: real-time media
     * later than this is worth less than the room it takes (a jitter buffer plays it late or not at
     * all), and a queue that keeps it turns overload into seconds of delay for everyone.
     */
    public static final long MAX_QUEUE_AGE_NANOS = 50_000_000L;
    /** A stamp that exempts a record from the age check (tests, and sends with no origin). */
    public static final long NO_STAMP = Long.MIN_VALUE;

    private final int index;
    private final Channel channel;
    private final ManyToOneRingBuffer ring;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    protected final DropCounters drops;
    private final byte[] scratch = new byte[MediaServer.MAX_DATAGRAM + 64];
    private long packetsSent;
    /** The drain's clock reading, for the age check of the records it reads. */
    private long drainNanos;
    /** The ring's consumer position after the drain's last flush: records below it are Netty's. */
    private volatile long flushedPosition;

    /** @param index a small dense index below {@link MediaServer#MAX_SOCKETS} (UDP sockets), or -1 */
    ChannelEgress(int index, Channel channel, int ringBytes, DropCounters drops) {
        this.index = index;
        this.channel = channel;
        this.drops = drops;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Bytes waiting in the egress ring; any thread (Agrona reads both positions with volatile loads). */
    public long ringUsedBytes() {
        return ring.size();
    }

    public long ringCapacityBytes() {
        return ring.capacity();
    }

    /** Small dense index of this UDP socket (0..sockets-1), for per-worker bookkeeping; -1 for a TCP connection. */
    public int index() {
        return index;
    }

    public Channel channel() {
        return channel;
    }

    /** Runs on this socket's event loop; dropped if the loop is shutting down. */
    void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The socket is closing: its maps go with it.
        }
    }

    /**
     * Worker thread: copies a protected datagram into the ring, with the time its age counts from
     * ({@link #NO_STAMP}: none). False (and counted) when the ring is full: a full ring is a drop,
     * never a wait.
     */
    public boolean offer(int transportId, long stampNanos, byte[] buf, int off, int len) {
        int claim = claim(transportId, stampNanos, len);
        if (claim < 0) {
            return false;
        }
        ring.buffer().putBytes(claim + RECORD_HEADER, buf, off, len);
        ring.commit(claim);
        return true;
    }

    /**
     * Claims a record for {@code len} datagram bytes and writes its header; the caller writes the
     * datagram at the returned index + {@link #RECORD_HEADER} and commits. -1 (counted) if full.
     */
    private int claim(int transportId, long stampNanos, int len) {
        int claim = ring.tryClaim(1, RECORD_HEADER + len);
        if (claim < 0) {
            drops.increment(DropReason.EGRESS_RING_FULL);
            return -1;
        }
        MutableDirectBuffer buffer = ring.buffer();
        buffer.putInt(claim, transportId);
        buffer.putLong(claim + STAMP_OFFSET, stampNanos);
        return claim;
    }

    /**
     * Worker thread: sends, or queues for sending, one protected datagram of Transport
     * {@code transportId} to {@code to}; the socket (or its batch) is added to {@code batch},
     * which sends or wakes once per duty cycle. Here: into the ring, for the event loop to write.
     * False (and counted) if it was dropped.
     */
    boolean send(int transportId, Recipient to, EgressBatch batch, byte[] buf, int off, int len) {
        if (!offer(transportId, batch.stampNanos(), buf, off, len)) {
            return false;
        }
        batch.add(this);
        return true;
    }

    /** As {@link #offer(int, long, byte[], int, int)}, from off-heap memory (a worker's {@link DatagramBatch}). */
    boolean offer(int transportId, long stampNanos, DirectBuffer from, int index, int len) {
        int claim = claim(transportId, stampNanos, len);
        if (claim < 0) {
            return false;
        }
        ring.buffer().putBytes(claim + RECORD_HEADER, from, index, len);
        ring.commit(claim);
        return true;
    }

    /** The ring's producer position: the end of the last record committed so far. Any thread. */
    long ringPosition() {
        return ring.producerPosition();
    }

    /**
     * Any thread: true while the event loop still holds datagrams up to ring position
     * {@code upTo} (in the ring, or read but not yet flushed), or Netty still holds bytes of this
     * socket because it was not writable (a socket the workers send on has a write-buffer water
     * mark of one byte, so any pending byte makes it unwritable: {@link MediaServer}). A worker
     * that sends itself puts its batch behind them then, so its datagrams leave in order.
     */
    boolean holds(long upTo) {
        return upTo - flushedPosition > 0 || !channel.isWritable();
    }

    /** Worker thread, once per batch: makes sure the event loop will drain. */
    public void wake() {
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drainTask);
        }
    }

    private void drain() {
        scheduled.set(false);
        drainNanos = System.nanoTime();
        // One read() stops at the end of the buffer (Agrona reads one contiguous block), so loop
        // until the consumer position stops moving; otherwise records after the wrap would wait
        // for a wake-up that may never come.
        int read = 0;
        while (read < DRAIN_LIMIT) {
            long before = ring.consumerPosition();
            read += ring.read(this, DRAIN_LIMIT - read);
            if (ring.consumerPosition() == before) {
                break;
            }
        }
        if (read > 0) {
            channel.flush();
        }
        flushedPosition = ring.consumerPosition();
        if (read >= DRAIN_LIMIT) {
            wake();
        }
    }

    @Override
    public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        int transportId = buffer.getInt(index);
        long stamp = buffer.getLong(index + STAMP_OFFSET);
        if (stamp != NO_STAMP && drainNanos - stamp > MAX_QUEUE_AGE_NANOS) {
            drops.increment(DropReason.EGRESS_STALE);
            return;
        }
        if (writeRecord(transportId, buffer, index + RECORD_HEADER, length - RECORD_HEADER)) {
            packetsSent++;
        }
    }

    /**
     * Event-loop thread: writes (without flushing) the protected datagram at {@code buffer[index..
     * index+len)} for Transport {@code transportId}; false if it was dropped (the subclass counts why).
     */
    protected abstract boolean writeRecord(int transportId, DirectBuffer buffer, int index, int len);

    /**
     * Any thread: sends a control datagram (a DTLS flight) to {@code remote} now, outside the ring:
     * the handshake's own retransmission timers pace it.
     */
    abstract void sendControl(byte[] buf, int off, int len, InetSocketAddress remote);

    /** Copies {@code len} bytes of the ring at {@code index} into {@code to}. Event-loop thread. */
    protected final void copy(DirectBuffer from, int index, ByteBuf to, int len) {
        if (to.hasMemoryAddress() && from.byteArray() == null) {
            // Both sides are off-heap: one memcpy from the ring into the pooled buffer.
            int writerIndex = to.writerIndex();
            PlatformDependent.copyMemory(from.addressOffset() + index, to.memoryAddress() + writerIndex, len);
            to.writerIndex(writerIndex + len);
        } else {
            from.getBytes(index, scratch, 0, len);
            to.writeBytes(scratch, 0, len);
        }
    }

    /** Datagrams handed to Netty (read by metrics; plain field written by the event loop). */
    public long packetsSent() {
        return packetsSent;
    }
}
