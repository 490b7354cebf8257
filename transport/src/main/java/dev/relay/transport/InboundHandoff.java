package dev.relay.transport;

/**
 * Hands received SRTP/SRTCP to the media worker that owns the Transport (its inbound ring,
 * {@link InboundRecord}) and wakes each worker once per read batch, not once per packet. Shared
 * by the UDP socket and the ICE-TCP connections; one instance per socket or connection, used by
 * its event-loop thread only; allocates nothing.
 */
final class InboundHandoff {
    private final DropCounters drops;
    private final WorkerInbox[] toSignal = new WorkerInbox[16];
    private int toSignalCount;

    InboundHandoff(DropCounters drops) {
        this.drops = drops;
    }

    /** Copies {@code buf[off..off+len)} to {@code transport}'s worker; a drop is counted, never waited on. */
    void toWorker(Transport transport, byte[] buf, int off, int len, int msgType, long receiveNanos) {
        WorkerInbox inbox;
        if (transport == null || (inbox = transport.inbox()) == null) {
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            return;
        }
        if (!InboundRecord.write(inbox.ring(), msgType, transport.id(), receiveNanos, buf, off, len)) {
            drops.increment(DropReason.RING_FULL);
            return;
        }
        markToSignal(inbox);
    }

    /** Wakes every worker written to since the last call: once per read batch. */
    void signalAll() {
        for (int i = 0; i < toSignalCount; i++) {
            toSignal[i].signal();
            toSignal[i] = null;
        }
        toSignalCount = 0;
    }

    private void markToSignal(WorkerInbox inbox) {
        for (int i = 0; i < toSignalCount; i++) {
            if (toSignal[i] == inbox) {
                return;
            }
        }
        if (toSignalCount == toSignal.length) {
            inbox.signal();
            return;
        }
        toSignal[toSignalCount++] = inbox;
    }
}
