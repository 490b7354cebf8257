package dev.relay.transport.dtls;

import dev.relay.transport.srtp.SrtpKeys;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of a {@link DtlsSession}: runs the blocking Bouncy Castle handshake, holds
 * the association it establishes (read by a {@link PostHandshakeReader}), and reports the outcome
 * to the session's {@link DtlsSession.Listener}, at most one failure or close. The session keeps
 * the public API, its start and close, and its place in a {@link DtlsHandshakes} pool.
 */
final class DtlsAssociation {
    /** Logs under the session's name, where these messages have always appeared. */
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSession.class);

    private final DtlsSession.Role role;
    private final DtlsSession.Listener listener;
    private final HandshakeContext handshake;
    private final QueueDatagramTransport transport;
    /** The session's: set by {@link DtlsSession#close}, after which nothing is reported. */
    private final AtomicBoolean closeRequested;
    private final PostHandshakeReader reader;

    private final AtomicBoolean terminated = new AtomicBoolean();
    /** Set by whichever comes first: the handshake returning, failing, or {@link #abort}. */
    private final AtomicBoolean handshakeSettled = new AtomicBoolean();
    private volatile DtlsFailure abortedAs;
    private volatile String abortReason;

    private volatile DTLSTransport dtls;
    private volatile boolean established;
    private volatile long handshakeNanos = -1;

    DtlsAssociation(DtlsSession.Role role, DtlsSession.Listener listener, HandshakeContext handshake,
                    QueueDatagramTransport transport, AtomicBoolean closeRequested, Supplier<Executor> executor) {
        this.role = role;
        this.listener = listener;
        this.handshake = handshake;
        this.transport = transport;
        this.closeRequested = closeRequested;
        this.reader = new PostHandshakeReader(transport, () -> dtls, executor, this::onReadEnded);
    }

    boolean isTerminated() {
        return terminated.get();
    }

    /** True from the end of a successful handshake until reading ends; the session adds close. */
    boolean established() {
        return established;
    }

    long handshakeNanos() {
        return handshakeNanos;
    }

    Runnable drainTask() {
        return reader.drainTask();
    }

    /** A datagram was queued: once established, it is read on the executor. */
    void datagramQueued() {
        if (established) {
            reader.scheduleDrain();
        }
    }

    /** Sends close_notify if established (RFC 5246 §7.2.1); for {@link DtlsSession#close}. */
    void closeEstablished() {
        DTLSTransport current = dtls;
        if (current != null) {
            closeQuietly(current);
            dtls = null;
        }
    }

    /** See {@link DtlsSession#abort}. */
    void abort(DtlsFailure kind, String reason) {
        if (!handshakeSettled.compareAndSet(false, true)) {
            return;
        }
        // Written before the close that wakes the handshake thread, which reads them after.
        abortReason = reason;
        abortedAs = kind;
        transport.close();
    }

    /** The handshake will never run: settles it and reports the failure unless closed. */
    void failUnrun(String reason, Throwable cause) {
        handshakeSettled.set(true);
        transport.close();
        if (!closeRequested.get()) {
            fail(reason, cause);
        }
    }

    /** Runs the handshake; returns why it failed, or null if it completed or was closed. */
    DtlsFailure handshake() {
        long startNanos = System.nanoTime();
        transport.armDeadline(startNanos + handshake.handshakeTimeoutMillis * 1_000_000L);
        DTLSTransport result;
        try {
            if (role == DtlsSession.Role.SERVER) {
                result = new DTLSServerProtocol().accept(new DtlsServerPeer(handshake), transport);
            } else {
                result = new DTLSClientProtocol().connect(new DtlsClientPeer(handshake), transport);
            }
        } catch (IOException | RuntimeException e) {
            handshakeSettled.set(true);
            transport.close();
            if (closeRequested.get()) {
                return null;
            }
            DtlsFailure kind = DtlsFailureDescriber.classify(e, abortedAs, handshake);
            fail(DtlsFailureDescriber.describe(e, abortedAs, abortReason, handshake), e);
            return kind;
        }
        transport.disarmDeadline();
        if (!handshakeSettled.compareAndSet(false, true)) {
            // Evicted while the last flight was being processed: the eviction stands.
            closeQuietly(result);
            transport.close();
            if (closeRequested.get()) {
                return null;
            }
            fail(abortReason, null);
            return abortedAs;
        }
        handshakeNanos = System.nanoTime() - startNanos;
        dtls = result;
        established = true;
        if (closeRequested.get()) {
            // close() ran while the last flight was being processed and may have missed dtls.
            closeQuietly(result);
            dtls = null;
            return null;
        }
        SrtpKeys keys = handshake.keys();
        LOG.debug("DTLS {} established with {} in {} us", role, keys.profile(), handshakeNanos / 1000);
        try {
            listener.onHandshakeComplete(keys);
        } catch (RuntimeException e) {
            LOG.error("DTLS listener failed in onHandshakeComplete", e);
        }
        // Datagrams that arrived while the handshake was finishing, e.g. a retransmitted flight.
        reader.scheduleDrain();
        return null;
    }

    /** The established association ended while reading: the peer closed it or aborted it. */
    private void onReadEnded(Throwable error) {
        established = false;
        transport.close();
        if (closeRequested.get()) {
            return;
        }
        if (handshake.closeNotifyReceived()) {
            if (terminated.compareAndSet(false, true)) {
                try {
                    listener.onClosedByPeer();
                } catch (RuntimeException e) {
                    LOG.error("DTLS listener failed in onClosedByPeer", e);
                }
            }
            return;
        }
        fail(DtlsFailureDescriber.describe(error, abortedAs, abortReason, handshake), error);
    }

    private void fail(String reason, Throwable cause) {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        LOG.debug("DTLS {} failed: {}", role, reason, cause);
        try {
            listener.onFailure(reason, cause);
        } catch (RuntimeException e) {
            LOG.error("DTLS listener failed in onFailure", e);
        }
    }

    private static void closeQuietly(DTLSTransport transport) {
        try {
            transport.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("DTLS close failed", e);
        }
    }
}
