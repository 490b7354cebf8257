package dev.relay.transport.dtls;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The relay's DTLS server handshakes: a bounded thread pool, the caps on handshakes in flight
 * ({@link HandshakeAdmission}), the handshake timeout, and the counters the metrics module reads.
 * One per relay.
 *
 * <p>Bouncy Castle's DTLS API is blocking ({@code DTLSServerProtocol.accept} reads through a
 * {@code DatagramTransport} whose receive waits), so a handshake in flight holds a thread from
 * its ClientHello to its last flight. What keeps that bounded:
 * <ul>
 *   <li>A session is created when the peer's fingerprint is known but runs nothing until a
 *       ClientHello arrives, and DTLS only reaches a session from an address a valid ICE check
 *       came from: no thread waits for a peer that has not spoken.</li>
 *   <li>At most {@link Limits#maxHandshakes} run at once, at most
 *       {@link Limits#maxHandshakesPerAddress} from one IPv4 address or IPv6 /64. A ClientHello
 *       over a cap is dropped and counted; the peer retransmits it (RFC 6347 §4.2.4) and is tried
 *       again. At the total cap, a handshake in flight longer than {@link Limits#stallAfter}
 *       gives its slot to the newcomer ({@link DtlsFailure#EVICTED}).</li>
 *   <li>The pool has {@code maxHandshakes + 2} threads, created on demand and ended after 30 s
 *       idle; the two spare threads serve post-handshake reads of established sessions
 *       (close_notify, a retransmitted final flight), which take a millisecond each.</li>
 *   <li>A handshake fails after {@link Limits#timeout}; closing a session removes its queued
 *       tasks from the pool and wakes its thread, so nothing of it stays referenced.</li>
 * </ul>
 *
 * <p>Counters are plain atomics read at scrape time (docs/architecture.md "Metrics").
 */
public final class DtlsHandshakes implements AutoCloseable {
    /** Post-handshake reads; see the class comment. */
    static final int SPARE_THREADS = 2;
    private static final long IDLE_THREAD_SECONDS = 30;

    /**
     * @param maxHandshakes            handshakes in flight at once, in total
     * @param maxHandshakesPerAddress  handshakes in flight from one IPv4 address or IPv6 /64
     * @param timeout                  a handshake not finished this long after its ClientHello fails
     * @param stallAfter               at the total cap, a handshake in flight this long is evicted
     *                                 for a new one
     */
    public record Limits(int maxHandshakes, int maxHandshakesPerAddress, Duration timeout, Duration stallAfter) {
        /**
         * 32 threads at most for handshakes: a handshake is a few round trips plus ~5 ms of CPU, so
         * 32 slots admit hundreds of handshakes a second, and 32 stalled ones hold ~30 MB.
         */
        public static final int DEFAULT_MAX_HANDSHAKES = 32;
        /** Room for an office behind one NAT joining at once; a refused browser retries on retransmission. */
        public static final int DEFAULT_MAX_HANDSHAKES_PER_ADDRESS = 8;
        /**
         * Browsers answer a flight within a round trip and retransmit with backoff from about 1 s;
         * 10 s covers three lost flights on our side (resends at 1, 3 and 7 s).
         */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
        /** Two of our retransmission intervals (1 s, then 2 s) with no finished handshake. */
        public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(3);

        public Limits {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(stallAfter, "stallAfter");
            if (maxHandshakes <= 0 || maxHandshakesPerAddress <= 0) {
                throw new IllegalArgumentException("DTLS handshake caps must be positive");
            }
            if (timeout.toMillis() <= 0 || timeout.toMillis() > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("DTLS handshake timeout must be positive: " + timeout);
            }
            if (stallAfter.toMillis() <= 0) {
                throw new IllegalArgumentException("DTLS stall limit must be positive: " + stallAfter);
            }
        }

        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_HANDSHAKES, DEFAULT_MAX_HANDSHAKES_PER_ADDRESS, DEFAULT_TIMEOUT,
                    DEFAULT_STALL_AFTER);
        }

        public Limits withMaxHandshakes(int max) {
            return new Limits(max, maxHandshakesPerAddress, timeout, stallAfter);
        }

        public Limits withMaxHandshakesPerAddress(int max) {
            return new Limits(maxHandshakes, max, timeout, stallAfter);
        }

        public Limits withTimeout(Duration value) {
            return new Limits(maxHandshakes, maxHandshakesPerAddress, value, stallAfter);
        }

        public Limits withStallAfter(Duration value) {
            return new Limits(maxHandshakes, maxHandshakesPerAddress, timeout, value);
        }
    }

    /** An IPv6 peer's /64: one subscriber line usually holds a whole /64, so it counts as one address. */
    private record Ipv6Prefix(long high64) {
    }

    private final Limits limits;
    private final LongSupplier nanoClock;
    private final HandshakeAdmission<DtlsSession> admission;
    private final ThreadPoolExecutor pool;
    private final AtomicLongArray failures = new AtomicLongArray(DtlsFailure.count());
    private final AtomicLong completed = new AtomicLong();
    /** Told each completed handshake's time on its {@code dtls-N} thread (metrics); a no-op until set. */
    private volatile LongConsumer completedNanos = nanos -> { };

    public DtlsHandshakes(Limits limits) {
        this(limits, System::nanoTime);
    }

    /** @param nanoClock the clock admission decisions (eviction) read; tests pass a fake one */
    DtlsHandshakes(Limits limits, LongSupplier nanoClock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nanoClock = nanoClock;
        this.admission = new HandshakeAdmission<>(limits.maxHandshakes(), limits.maxHandshakesPerAddress(),
                limits.stallAfter().toNanos());
        int threads = limits.maxHandshakes() + SPARE_THREADS;
        this.pool = new ThreadPoolExecutor(threads, threads, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("dtls"));
        pool.allowCoreThreadTimeOut(true);
    }

    public Limits limits() {
        return limits;
    }

    /**
     * A DTLS server session (the relay answers {@code a=setup:passive}) that starts when the
     * peer's ClientHello reaches {@link DtlsSession#offer}, if the caps allow.
     *
     * @param peer the address the handshake's datagrams go to (the Transport's ICE-selected
     *        address), read when the ClientHello arrives
     * @throws IllegalArgumentException if the fingerprint cannot be parsed
     */
    public DtlsSession newServerSession(DtlsCertificate certificate, String remoteFingerprintAlgorithm,
                                        String remoteFingerprint, DtlsSession.Sender sender,
                                        DtlsSession.Listener listener, Supplier<InetSocketAddress> peer) {
        return new DtlsSession(certificate, DtlsSession.Role.SERVER, remoteFingerprintAlgorithm, remoteFingerprint,
                sender, listener, this, Objects.requireNonNull(peer, "peer"));
    }

    /** Handshakes that failed or were refused with {@code reason}, since start. */
    public long failures(DtlsFailure reason) {
        return failures.get(reason.ordinal());
    }

    /** Handshakes that completed, since start. */
    public long completed() {
        return completed.get();
    }

    /** Handshakes admitted and not yet finished. */
    public int inFlight() {
        synchronized (admission) {
            return admission.inFlight();
        }
    }

    /** Threads the pool holds now (busy or idle); never more than {@code maxHandshakes + 2}. */
    int poolThreads() {
        return pool.getPoolSize();
    }

    /** Tasks waiting for a pool thread. */
    int queuedTasks() {
        return pool.getQueue().size();
    }

    /** Where established sessions run their short post-handshake reads. */
    Executor executor() {
        return pool;
    }

    /**
     * Called when a ClientHello is queued on a session that has not started: admits it and hands
     * it to the pool, or refuses it (counted). True if the session is running.
     */
    boolean tryStart(DtlsSession session) {
        InetSocketAddress peer = session.peerAddress();
        if (peer == null || peer.getAddress() == null) {
            return false;
        }
        HandshakeAdmission.Decision<DtlsSession> decision;
        synchronized (admission) {
            if (session.hasStarted()) {
                return true;
            }
            if (!session.isOpen()) {
                return false;
            }
            decision = admission.admit(session, addressKey(peer.getAddress()), nanoClock.getAsLong());
            if (decision.outcome() == HandshakeAdmission.Outcome.ADMITTED) {
                // Under the lock, so that a session is admitted once and released once.
                session.markStarted(pool);
            }
        }
        switch (decision.outcome()) {
            case REFUSED_CAP -> {
                failures.incrementAndGet(DtlsFailure.REFUSED_CAP.ordinal());
                return false;
            }
            case REFUSED_IP_CAP -> {
                failures.incrementAndGet(DtlsFailure.REFUSED_IP_CAP.ordinal());
                return false;
            }
            default -> {
            }
        }
        DtlsSession evicted = decision.evicted();
        if (evicted != null) {
            evicted.abort(DtlsFailure.EVICTED, "DTLS handshake evicted: in flight longer than "
                    + limits.stallAfter().toMillis() + " ms while " + limits.maxHandshakes()
                    + " handshakes were in flight");
        }
        try {
            pool.execute(session.handshakeTask());
        } catch (RejectedExecutionException e) {
            session.failUnrun(DtlsFailure.INTERNAL_ERROR, "DTLS handshake pool refused the task (relay shutting down)", e);
            return false;
        }
        return true;
    }

    /** The session's handshake ended (completed when {@code failure} is null, unless it was closed). */
    void handshakeEnded(DtlsSession session, DtlsFailure failure) {
        synchronized (admission) {
            admission.release(session);
        }
        if (failure != null) {
            failures.incrementAndGet(failure.ordinal());
        }
    }

    void handshakeCompleted(long handshakeNanos) {
        // The time first: whoever sees the count has the handshake's time recorded too.
        if (handshakeNanos >= 0) {
            completedNanos.accept(handshakeNanos);
        }
        completed.incrementAndGet();
    }

    /**
     * Receives the wall time of each completed handshake, from its ClientHello to the relay's
     * last flight, on the handshake's thread (a few per Transport: control path, not packets).
     */
    public void onCompleted(LongConsumer handshakeNanos) {
        this.completedNanos = Objects.requireNonNull(handshakeNanos, "handshakeNanos");
    }

    /**
     * The session was closed: its queued tasks leave the pool's queue, and if its handshake had
     * not begun running, its slot is freed here (a running one frees it when its thread ends).
     */
    void cancel(DtlsSession session) {
        pool.remove(session.drainTask());
        if (pool.remove(session.handshakeTask())) {
            synchronized (admission) {
                admission.release(session);
            }
        }
    }

    /** Stops the pool; handshakes in flight fail. */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    boolean awaitTermination(long millis) throws InterruptedException {
        return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    static Object addressKey(InetAddress address) {
        if (address instanceof Inet6Address) {
            return new Ipv6Prefix(ByteBuffer.wrap(address.getAddress()).getLong());
        }
        return address;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger ids = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + ids.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public String toString() {
        return "DtlsHandshakes[" + inFlight() + " in flight, " + limits + "]";
    }
}
