package dev.relay.transport.dtls;

import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpProfile;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One DTLS association with one peer (RFC 6347, DTLS 1.2), run for its SRTP keys only
 * (DTLS-SRTP, RFC 5764): no data channels, so application data is read and dropped.
 *
 * <p>Threads. The network I/O thread calls {@link #offer} with each DTLS datagram (RFC 7983
 * demux); it only copies into a bounded queue and never blocks. The blocking Bouncy Castle
 * handshake runs on an executor, which also delivers the {@link Listener} callbacks: the relay's
 * server sessions come from {@link DtlsHandshakes#newServerSession} and start when the peer's
 * ClientHello arrives, within that pool's caps; a session built with a public constructor starts
 * when {@link #start} is called, on the executor given (a client, a test). Once established,
 * nothing is parked per session: a datagram that arrives later (close_notify, an alert, a
 * retransmitted Finished because our last flight was lost, RFC 6347 §4.2.4) schedules a short read
 * on the same executor. {@link #close} may be called from any thread.
 *
 * <p>HelloVerifyRequest. This server does not send the cookie exchange of RFC 6347 §4.2.1, which
 * proves the client receives at its source address before the server spends a flight on it. Here
 * DTLS only reaches a session from an address an ICE check with the Transport's password came
 * from (RFC 8445 §7.3). That proves the sender took part in signaling, not that the address is its
 * own: the relay is ICE-lite and sends no checks of its own, so a participant could name another
 * address. What the relay sends there is bounded instead: one handshake per Transport, at most 8
 * in flight per address, 4 copies of a ~650-byte flight before the timeout (docs/operations.md
 * "DTLS handshakes"). Skipping the cookie also sidesteps Bouncy Castle 1.84's
 * {@code DTLSVerifier}, which cannot read a ClientHello split across datagrams, as Chromium's
 * post-quantum ClientHello is.
 */
public final class DtlsSession {
    /**
     * Gives up on a handshake that has not finished in this time, for sessions built with a public
     * constructor (a client's patience; the relay's server sessions take
     * {@link DtlsHandshakes.Limits#timeout}). Bouncy Castle retransmits from 1 s doubling
     * (RFC 6347 §4.2.4.1); 30 s covers several lost flights and a server that refused our
     * ClientHello for a while.
     */
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 30_000;

    /** Which end of the handshake we are: from {@code a=setup} (RFC 5763 §5). */
    public enum Role {
        /** {@code a=setup:passive}: the peer connects to us (the usual SFU answer). */
        SERVER,
        /** {@code a=setup:active}: we connect to the peer. */
        CLIENT
    }

    /** Sends one DTLS datagram to the peer. Called from the handshake thread or {@link #close}. */
    @FunctionalInterface
    public interface Sender {
        void send(byte[] buf, int off, int len);
    }

    /** Outcome of the association; callbacks run on the executor given to {@link #start}. */
    public interface Listener {
        /** The handshake finished and the peer's certificate matched its fingerprint. */
        void onHandshakeComplete(SrtpKeys keys);

        /** The handshake failed or the peer aborted the association; called at most once. */
        void onFailure(String reason, Throwable cause);

        /**
         * The peer ended an established association with close_notify (RFC 5246 §7.2.1), as a
         * browser does when its PeerConnection closes. Defaults to {@link #onFailure} so a
         * listener that implements only the two methods above still learns of it.
         */
        default void onClosedByPeer() {
            onFailure("peer closed the DTLS association (close_notify)", null);
        }
    }

    private final Role role;
    private final HandshakeContext handshake;
    private final QueueDatagramTransport transport;
    /** The pool that admits, runs and counts this session; null when started with {@link #start}. */
    private final DtlsHandshakes handshakes;
    private final Supplier<InetSocketAddress> peer;
    /** One instance each, so that {@link DtlsHandshakes#cancel} can take them off the pool's queue. */
    private final Runnable handshakeTask = this::runHandshake;
    /** Runs the handshake and the association after it, and reports to the {@link Listener}. */
    private final DtlsAssociation association;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile Executor executor;

    /**
     * A session that negotiates {@link SrtpProfile#DEFAULT_PREFERENCE}.
     *
     * @param remoteFingerprintAlgorithm hash function token of the peer's {@code a=fingerprint}
     *        (e.g. {@code sha-256})
     * @param remoteFingerprint its hex value, colons optional
     * @throws IllegalArgumentException if the fingerprint cannot be parsed
     */
    public DtlsSession(DtlsCertificate certificate, Role role, String remoteFingerprintAlgorithm,
                       String remoteFingerprint, Sender sender, Listener listener) {
        this(certificate, role, remoteFingerprintAlgorithm, remoteFingerprint, sender, listener,
                SrtpProfile.DEFAULT_PREFERENCE, DEFAULT_HANDSHAKE_TIMEOUT_MILLIS);
    }

    /**
     * @param srtpProfiles profiles to offer (client) or accept (server), best first
     * @param handshakeTimeoutMillis how long the handshake may take before it fails
     */
    public DtlsSession(DtlsCertificate certificate, Role role, String remoteFingerprintAlgorithm,
                       String remoteFingerprint, Sender sender, Listener listener,
                       List<SrtpProfile> srtpProfiles, int handshakeTimeoutMillis) {
        this(certificate, role, remoteFingerprintAlgorithm, remoteFingerprint, sender, listener, srtpProfiles,
                handshakeTimeoutMillis, null, null);
    }

    /** A session {@code handshakes} starts when a ClientHello from {@code peer} arrives. */
    DtlsSession(DtlsCertificate certificate, Role role, String remoteFingerprintAlgorithm, String remoteFingerprint,
                Sender sender, Listener listener, DtlsHandshakes handshakes, Supplier<InetSocketAddress> peer) {
        this(certificate, role, remoteFingerprintAlgorithm, remoteFingerprint, sender, listener,
                SrtpProfile.DEFAULT_PREFERENCE, (int) handshakes.limits().timeout().toMillis(), handshakes, peer);
    }

    private DtlsSession(DtlsCertificate certificate, Role role, String remoteFingerprintAlgorithm,
                        String remoteFingerprint, Sender sender, Listener listener, List<SrtpProfile> srtpProfiles,
                        int handshakeTimeoutMillis, DtlsHandshakes handshakes, Supplier<InetSocketAddress> peer) {
        Objects.requireNonNull(certificate, "certificate");
        this.role = Objects.requireNonNull(role, "role");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(listener, "listener");
        if (srtpProfiles == null || srtpProfiles.isEmpty()) {
            throw new IllegalArgumentException("at least one SRTP profile is required");
        }
        if (handshakeTimeoutMillis <= 0) {
            throw new IllegalArgumentException("handshake timeout must be positive");
        }
        CertificateFingerprint expected = CertificateFingerprint.parse(remoteFingerprintAlgorithm, remoteFingerprint);
        this.handshake = new HandshakeContext(role, certificate, expected, List.copyOf(srtpProfiles),
                handshakeTimeoutMillis);
        this.transport = new QueueDatagramTransport(sender);
        this.association = new DtlsAssociation(role, listener, handshake, transport, closeRequested, () -> executor);
        this.handshakes = handshakes;
        this.peer = peer;
    }

    /**
     * Checks an SDP {@code a=fingerprint} (RFC 8122 §5) the way a session would: a hash function
     * this relay accepts and a hex value of that function's length.
     *
     * @throws IllegalArgumentException with a message fit for the client if it is not
     */
    public static void checkFingerprint(String algorithm, String value) {
        CertificateFingerprint.parse(algorithm, value);
    }

    /**
     * Starts the handshake on {@code executor}; a server waits for the ClientHello, a client sends
     * its own. The executor thread is held for the handshake (blocking Bouncy Castle API) and
     * used again briefly for datagrams after it. Once established, {@link #offer} submits those
     * reads from the I/O thread, so {@code execute} must hand the task to another thread (no
     * direct executor, no CallerRunsPolicy): a read may wait up to a millisecond.
     *
     * @throws IllegalStateException if already started, or if the session belongs to a
     *         {@link DtlsHandshakes}, which starts it
     */
    public void start(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        if (handshakes != null) {
            throw new IllegalStateException("this session is started by its DtlsHandshakes");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("DTLS session already started");
        }
        this.executor = executor;
        if (closeRequested.get()) {
            return;
        }
        try {
            executor.execute(handshakeTask);
        } catch (RejectedExecutionException e) {
            failUnrun(DtlsFailure.INTERNAL_ERROR, "DTLS handshake executor rejected the task", e);
        }
    }

    /**
     * Hands one incoming DTLS datagram to the session; the bytes are copied, so the caller may
     * reuse {@code buf} at once. Never blocks.
     *
     * @return false if the datagram was dropped: queue full, session closed, larger than a
     *         datagram can be, or (a session of a {@link DtlsHandshakes} not yet started) not a
     *         ClientHello or a ClientHello the caps refused
     */
    public boolean offer(byte[] buf, int off, int len) {
        if (!isOpen()) {
            return false;
        }
        if (handshakes != null && !started.get()) {
            return offerBeforeStart(buf, off, len);
        }
        if (!transport.offer(buf, off, len)) {
            return false;
        }
        association.datagramQueued();
        return true;
    }

    /**
     * A server session waiting for its ClientHello: nothing else is of use before the handshake,
     * so only a ClientHello is queued, and it asks the pool to start the handshake. Refused by a
     * cap, it is dropped with anything queued (the peer retransmits, RFC 6347 §4.2.4).
     */
    private boolean offerBeforeStart(byte[] buf, int off, int len) {
        if (!isClientHello(buf, off, len) || !transport.offer(buf, off, len)) {
            return false;
        }
        if (handshakes.tryStart(this)) {
            return true;
        }
        if (!started.get()) {
            transport.clear();
        }
        return false;
    }

    /**
     * True if the datagram starts with an epoch-0 DTLS handshake record carrying (a fragment of)
     * a ClientHello, the only thing a DTLS server reads before its handshake.
     */
    static boolean isClientHello(byte[] buf, int off, int len) {
        return ClientHelloFilter.isClientHello(buf, off, len);
    }

    /**
     * Ends the association: sends close_notify if established (RFC 5246 §7.2.1) and stops the
     * handshake if it is still running, or takes it off its pool's queue if it has not begun.
     * No listener callback follows and nothing is counted. Idempotent, any thread.
     */
    public void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        association.closeEstablished();
        // Wakes a handshake blocked in receive: it ends with an IOException nobody reports.
        transport.close();
        if (handshakes != null) {
            handshakes.cancel(this);
        }
    }

    /**
     * Ends a handshake that has not finished, with {@code kind} as its failure (eviction). No
     * effect once the handshake has returned. Any thread.
     */
    void abort(DtlsFailure kind, String reason) {
        association.abort(kind, reason);
    }

    /** The handshake will never run (its executor refused it): fail now. */
    void failUnrun(DtlsFailure kind, String reason, Throwable cause) {
        try {
            association.failUnrun(reason, cause);
        } finally {
            if (handshakes != null) {
                handshakes.handshakeEnded(this, closeRequested.get() ? null : kind);
            }
        }
    }

    // ---- for DtlsHandshakes ----

    InetSocketAddress peerAddress() {
        return peer == null ? null : peer.get();
    }

    boolean hasStarted() {
        return started.get();
    }

    boolean isOpen() {
        return !closeRequested.get() && !association.isTerminated();
    }

    /** Admitted: the handshake task goes to {@code pool} next. Called under the pool's lock. */
    void markStarted(Executor pool) {
        this.executor = pool;
        started.set(true);
    }

    Runnable handshakeTask() {
        return handshakeTask;
    }

    Runnable drainTask() {
        return association.drainTask();
    }

    /** True from the end of a successful handshake until the session is closed or fails. */
    public boolean isEstablished() {
        return association.established() && !closeRequested.get() && !association.isTerminated();
    }

    public Role role() {
        return role;
    }

    /** The negotiated SRTP profile, or null before the peer's use_srtp was processed. */
    public SrtpProfile selectedProfile() {
        return handshake.selectedProfile();
    }

    /** The SRTP keys, or null before the handshake completed. */
    public SrtpKeys srtpKeys() {
        return handshake.keys();
    }

    /** Wall time the handshake took on the executor, in nanoseconds, or -1 if not finished. */
    public long handshakeNanos() {
        return association.handshakeNanos();
    }

    private void runHandshake() {
        DtlsFailure failure = null;
        boolean completed = false;
        try {
            failure = association.handshake();
            completed = failure == null && association.established();
        } finally {
            if (handshakes != null) {
                handshakes.handshakeEnded(this, failure);
                if (completed) {
                    handshakes.handshakeCompleted(association.handshakeNanos());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DtlsSession[" + role + (isEstablished() ? " established" : "") + "]";
    }
}
