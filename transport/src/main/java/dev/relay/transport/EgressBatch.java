package dev.relay.transport;

/**
 * What one media worker sent during its current duty cycle. On epoll UDP sockets the worker
 * sends itself: one {@link DatagramBatch} per socket, sent with one sendmmsg when the cycle ends
 * ({@link #flush}). Sockets and ICE-TCP connections written through a ring are each woken once
 * then, so the event loop drains the cycle's packets with one flush (docs/architecture.md
 * "Threads and hand-offs"). Owned by one worker thread; allocates nothing in steady state (a
 * socket's batch is made on the worker's first send on it).
 */
public final class EgressBatch {
    private final ChannelEgress[] touched = new ChannelEgress[MediaServer.MAX_SOCKETS];
    private final boolean[] isTouched = new boolean[MediaServer.MAX_SOCKETS];
    private int count;
    /** ICE-TCP connections written to this cycle (they have no socket index); a short list, scanned. */
    private final ChannelEgress[] streams = new ChannelEgress[64];
    private int streamCount;
    private long stampNanos = ChannelEgress.NO_STAMP;
    /** True while the worker is behind: its datagrams go to the sockets' event loops (see {@link #handOff}). */
    private boolean handOff;
    /** The worker's own sendmmsg batch per UDP socket (made on first use), and which have datagrams. */
    private final DatagramBatch[] datagrams = new DatagramBatch[MediaServer.MAX_SOCKETS];
    private final DatagramBatch[] filled = new DatagramBatch[MediaServer.MAX_SOCKETS];
    private final boolean[] isFilled = new boolean[MediaServer.MAX_SOCKETS];
    private int filledCount;

    /**
     * Worker thread: the time packets sent from now on count their age from (System.nanoTime):
     * when the relay received the packet they are made from, or the duty cycle's start for what a
     * timer sends. {@link ChannelEgress} drops what is older than
     * {@link ChannelEgress#MAX_QUEUE_AGE_NANOS} when it comes to send it.
     */
    public void stamp(long nanos) {
        stampNanos = nanos;
    }

    long stampNanos() {
        return stampNanos;
    }

    /**
     * Worker thread: whether the worker is behind (what it handles now waited in its ring). Then
     * its UDP datagrams go to the sockets' event loops through their rings, as ICE-TCP's do, so
     * the kernel's share of sending them runs on other cores and the worker catches up; while it
     * keeps up it sends them itself, which costs less CPU per datagram and wakes no thread
     * (docs/architecture.md "Threads and hand-offs").
     */
    public void handOff(boolean behind) {
        handOff = behind;
    }

    boolean handingOff() {
        return handOff;
    }

    /** The batch this worker sends on {@code egress}'s socket with, marked to be sent at {@link #flush}. */
    DatagramBatch datagrams(DatagramEgress egress) {
        int i = egress.index();
        DatagramBatch batch = datagrams[i];
        if (batch == null || batch.egress() != egress) {
            batch = egress.newBatch();
            datagrams[i] = batch;
        }
        if (!isFilled[i]) {
            isFilled[i] = true;
            filled[filledCount++] = batch;
        }
        return batch;
    }

    void add(ChannelEgress egress) {
        int i = egress.index();
        if (i < 0) {
            addStream(egress);
        } else if (!isTouched[i]) {
            isTouched[i] = true;
            touched[count++] = egress;
        }
    }

    private void addStream(ChannelEgress egress) {
        for (int j = 0; j < streamCount; j++) {
            if (streams[j] == egress) {
                return;
            }
        }
        if (streamCount == streams.length) {
            egress.wake();
            return;
        }
        streams[streamCount++] = egress;
    }

    /**
     * Sends this worker's datagrams (one sendmmsg per socket) and wakes every socket and connection
     * written to through a ring since the last flush; returns how many sockets and connections.
     */
    public int flush() {
        for (int j = 0; j < filledCount; j++) {
            DatagramBatch batch = filled[j];
            isFilled[batch.egress().index()] = false;
            filled[j] = null;
            batch.flush(stampNanos, handOff);
        }
        int sentOn = filledCount;
        filledCount = 0;
        for (int j = 0; j < streamCount; j++) {
            streams[j].wake();
            streams[j] = null;
        }
        int woken = sentOn + count + streamCount;
        streamCount = 0;
        for (int i = 0; i < count; i++) {
            ChannelEgress egress = touched[i];
            isTouched[egress.index()] = false;
            touched[i] = null;
            egress.wake();
        }
        count = 0;
        return woken;
    }
}
