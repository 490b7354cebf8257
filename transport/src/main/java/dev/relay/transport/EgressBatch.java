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
    /** The bytes of the datagrams below, whatever their socket (made on the worker's first send). */
    private DatagramStaging staging;
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

    /**
     * Worker thread: copies one protected datagram of Transport {@code transportId} for {@code to}
     * into this cycle's batch for {@code egress}'s socket; sends what is staged first if the
     * staging or that batch is full. False (and counted) if it cannot be sent.
     */
    boolean sendDatagram(DatagramEgress egress, int transportId, Recipient to, byte[] buf, int off, int len) {
        if (len > DatagramStaging.SLOT_BYTES) {
            // Larger than anything a worker makes (its scratch is 2 KiB): not sent.
            egress.drops.increment(DropReason.SEND_FAILED);
            return false;
        }
        if (staging == null) {
            staging = new DatagramStaging();
        }
        if (staging.isFull()) {
            flushDatagrams();
        }
        DatagramBatch batch = datagrams(egress);
        if (batch.isFull()) {
            batch.flush();
        }
        batch.add(staging.put(buf, off, len), len, transportId, to, stampNanos, handOff);
        return true;
    }

    /** The batch this worker sends on {@code egress}'s socket with, marked to be sent at {@link #flush}. */
    private DatagramBatch datagrams(DatagramEgress egress) {
        int i = egress.index();
        DatagramBatch batch = datagrams[i];
        if (batch == null || batch.egress() != egress) {
            if (batch != null && isFilled[i]) {
                batch.flush();
                removeFilled(i);
            }
            batch = egress.newBatch(staging);
            datagrams[i] = batch;
        }
        if (!isFilled[i]) {
            isFilled[i] = true;
            filled[filledCount++] = batch;
        }
        return batch;
    }

    private void removeFilled(int socket) {
        for (int j = 0; j < filledCount; j++) {
            if (filled[j].egress().index() == socket) {
                filled[j] = filled[--filledCount];
                filled[filledCount] = null;
                break;
            }
        }
        isFilled[socket] = false;
    }

    /** Sends every socket's batch of this worker (one sendmmsg each), then frees the staging. */
    private int flushDatagrams() {
        for (int j = 0; j < filledCount; j++) {
            DatagramBatch batch = filled[j];
            isFilled[batch.egress().index()] = false;
            filled[j] = null;
            batch.flush();
        }
        int sentOn = filledCount;
        filledCount = 0;
        if (staging != null) {
            staging.clear();
        }
        return sentOn;
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
        int sentOn = flushDatagrams();
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
