package dev.relay.transport.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bouncy Castle's view of the UDP path: datagrams the I/O thread {@link #offer offers} are read
 * from a bounded queue, records go out through the session's {@link DtlsSession.Sender}.
 *
 * <p>The queue holds copies: the I/O thread's buffer is reused for the next datagram, and
 * DTLS is control path (a few dozen datagrams per association), so a copy per datagram is fine.
 * A full queue drops (the peer retransmits its flight, RFC 6347 §4.2.4) instead of blocking the
 * I/O thread.
 */
final class QueueDatagramTransport implements DatagramTransport {
    private static final Logger LOG = LoggerFactory.getLogger(QueueDatagramTransport.class);

    /** A flight is at most ~6 datagrams; 64 leaves room for retransmissions and junk. */
    static final int QUEUE_CAPACITY = 64;

    /**
     * Largest datagram accepted: an Ethernet MTU. Browsers keep DTLS datagrams at or below
     * ~1200 bytes (Chromium's ClientHello fragments are 1200 + 263).
     */
    static final int RECEIVE_LIMIT = 1500;

    /**
     * Largest datagram we send. 1200 bytes fits any path WebRTC runs over, including TURN and
     * IPv6 tunnels (the same budget ICE and Chromium use); Bouncy Castle fragments handshake
     * messages to fit (RFC 6347 §4.2.3).
     */
    static final int SEND_LIMIT = 1200;

    /** Wakes a reader blocked in poll when the transport closes. Compared by identity. */
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final DtlsSession.Sender sender;
    private volatile boolean closed;
    /** System.nanoTime at which the handshake times out; 0 outside the handshake. */
    private volatile long deadlineNanos;

    QueueDatagramTransport(DtlsSession.Sender sender) {
        this.sender = sender;
    }

    /** Copies the datagram in; false when it is too large, the queue is full, or closed. */
    boolean offer(byte[] buf, int off, int len) {
        if (closed || len <= 0 || len > RECEIVE_LIMIT) {
            return false;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        return queue.offer(copy);
    }

    /** Drops what is queued (a ClientHello the caps refused: the peer will retransmit it). */
    void clear() {
        queue.clear();
        if (closed) {
            queue.offer(CLOSED);
        }
    }

    /**
     * From now until {@link #disarmDeadline}, a receive that finds nothing by {@code nanos} throws
     * {@link TlsTimeoutException} instead of returning -1. Bouncy Castle resends its flight on
     * every empty wait, so ending the handshake here saves the last, useless resend.
     */
    void armDeadline(long nanos) {
        deadlineNanos = nanos == 0 ? 1 : nanos;
    }

    void disarmDeadline() {
        deadlineNanos = 0;
    }

    boolean hasPending() {
        return !queue.isEmpty();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    /**
     * Returns the next datagram, or -1 when none arrives within {@code waitMillis} (Bouncy
     * Castle's contract; 0 means wait forever). Throws once closed so that a handshake blocked
     * here ends now instead of at its timeout, and at the handshake deadline.
     */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        long deadline = deadlineNanos;
        byte[] datagram;
        try {
            if (deadline == 0) {
                datagram = waitMillis == 0 ? queue.take() : queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            } else {
                long remaining = deadline - System.nanoTime();
                long waitNanos = waitMillis == 0 ? remaining : Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(waitMillis));
                datagram = waitNanos <= 0 ? queue.poll() : queue.poll(waitNanos, TimeUnit.NANOSECONDS);
                if (datagram == null && System.nanoTime() - deadline >= 0) {
                    throw new TlsTimeoutException("DTLS handshake deadline passed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a DTLS datagram");
        }
        if (datagram == null) {
            return -1;
        }
        if (datagram == CLOSED || closed) {
            throw new IOException("DTLS transport closed");
        }
        // A datagram longer than len is reported with its real length: the record layer then
        // discards it rather than parse a truncated record.
        System.arraycopy(datagram, 0, buf, off, Math.min(len, datagram.length));
        return datagram.length;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (closed) {
            return;
        }
        try {
            sender.send(buf, off, len);
        } catch (RuntimeException e) {
            // To the handshake a failed send is a lost datagram, which retransmission covers
            // (RFC 6347 §4.2.4); if the path stays broken the handshake times out with a reason.
            LOG.debug("DTLS send of {} bytes failed", len, e);
        }
    }

    /** Idempotent; called by Bouncy Castle after close_notify and by {@link DtlsSession#close}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.clear();
            queue.offer(CLOSED);
        }
    }
}
