package dev.relay.transport.dtls;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bouncycastle.tls.DTLSTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an established {@link DtlsSession}'s datagrams after the handshake: nothing is parked per
 * session, so each datagram that arrives schedules a short read on the session's executor, one at
 * a time. The session learns through {@code onEnded} when the association ends while reading.
 */
final class PostHandshakeReader {
    /** Logs under the session's name, where these messages have always appeared. */
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSession.class);

    /**
     * After the handshake, a read waits this long for a following datagram before handing the
     * executor thread back: post-handshake DTLS is a handful of datagrams per association.
     */
    private static final int DRAIN_WAIT_MILLIS = 1;

    private final QueueDatagramTransport transport;
    /** The session's established association, or null before it or once closed. */
    private final Supplier<DTLSTransport> dtls;
    private final Supplier<Executor> executor;
    /** Called with the error, or null when the transport was closed, once reading has ended. */
    private final Consumer<Throwable> onEnded;
    /** One instance, so that {@link DtlsHandshakes#cancel} can take it off the pool's queue. */
    private final Runnable drainTask = this::drain;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    PostHandshakeReader(QueueDatagramTransport transport, Supplier<DTLSTransport> dtls,
                        Supplier<Executor> executor, Consumer<Throwable> onEnded) {
        this.transport = transport;
        this.dtls = dtls;
        this.executor = executor;
        this.onEnded = onEnded;
    }

    Runnable drainTask() {
        return drainTask;
    }

    /** Schedules a read if the association is established, a datagram is queued and none is scheduled. */
    void scheduleDrain() {
        if (dtls.get() == null || !transport.hasPending() || !drainScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.get().execute(drainTask);
        } catch (RejectedExecutionException e) {
            drainScheduled.set(false);
            LOG.warn("DTLS executor rejected a post-handshake read; datagram left queued", e);
        }
    }

    /**
     * Reads what is queued through the record layer, so that alerts and close_notify are acted
     * on and a retransmitted final flight of the peer makes Bouncy Castle resend ours. Runs on
     * one executor thread at a time (drainScheduled).
     */
    private void drain() {
        Throwable error = null;
        try {
            DTLSTransport current = dtls.get();
            if (current == null) {
                return;
            }
            byte[] buf = new byte[current.getReceiveLimit()];
            while (transport.hasPending() && !transport.isClosed()) {
                // The result is application data, which this association does not use.
                current.receive(buf, 0, buf.length, DRAIN_WAIT_MILLIS);
            }
        } catch (IOException | RuntimeException e) {
            error = e;
        } finally {
            drainScheduled.set(false);
        }
        if (error != null || transport.isClosed()) {
            onEnded.accept(error);
        } else if (transport.hasPending()) {
            // offer() queued a datagram after our last check but saw drainScheduled still set.
            scheduleDrain();
        }
    }
}
