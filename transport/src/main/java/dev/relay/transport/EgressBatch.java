package dev.relay.transport;

/**
 * The sockets one media worker wrote to during its current duty cycle. Each is woken once when
 * the cycle ends ({@link #flush}), so the event loop drains a cycle's packets with one flush and
 * they leave in one sendmmsg per socket (docs/architecture.md "Threads and hand-offs"). Owned by one worker thread;
 * allocates nothing.
 */
public final class EgressBatch {
    private final ChannelEgress[] touched = new ChannelEgress[MediaServer.MAX_SOCKETS];
    private final boolean[] isTouched = new boolean[MediaServer.MAX_SOCKETS];
    private int count;
    /** ICE-TCP connections written to this cycle (they have no socket index); a short list, scanned. */
    private final ChannelEgress[] streams = new ChannelEgress[64];
    private int streamCount;
    private long stampNanos = ChannelEgress.NO_STAMP;

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

    /** Wakes every socket and connection written to since the last flush; returns how many. */
    public int flush() {
        for (int j = 0; j < streamCount; j++) {
            streams[j].wake();
            streams[j] = null;
        }
        int woken = count + streamCount;
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
