package dev.relay.transport;

import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import dev.relay.transport.dtls.DtlsSession;
import dev.relay.transport.ice.IceCredentials;
import dev.relay.transport.ice.IceLiteAgent;
import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpSession;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One peer's ICE + DTLS + SRTP association: one remote 5-tuple once ICE has picked it.
 *
 * <p>Ownership (docs/architecture.md "Conventions": one writer per state): the {@link IceLiteAgent} and the selected
 * path are written by the UDP I/O thread that validated the STUN check; the
 * {@link DtlsSession} runs its handshake on the relay's {@link DtlsHandshakes} pool; the {@link SrtpSession} and
 * everything used per packet belong to the media worker the owning Router is pinned to, which
 * installs it through its command queue ({@link #installSrtp}).
 *
 * <p>Media crosses a Transport in one call each way: {@link #unprotectRtp} / {@link #unprotectRtcp}
 * on the way in, {@link #sendRtp} / {@link #sendRtcp} (protect, then enqueue on the selected
 * socket) on the way out. Each counts its own drops by reason and returns -1 for a dropped packet.
 */
public final class Transport {
    /**
     * Early DTLS datagrams kept until the peer's fingerprint is known (a browser may send its
     * ClientHello before the relay has its subscribe answer). Only DTLS from an address a valid
     * ICE check came from gets here (MediaChannelHandler), so this holds at most 16 x 1,500 bytes.
     */
    private static final int MAX_PENDING_DTLS = 16;

    private final int id;
    private final IceLiteAgent ice;
    private final TransportRegistry registry;
    private final DropCounters drops;
    private final ArrayDeque<byte[]> pendingDtls = new ArrayDeque<>();
    /** The socket and remote address media goes to; replaced whole, so a reader never mixes two. */
    private volatile SelectedPath selected;
    private volatile WorkerInbox inbox;
    private volatile DtlsSession dtls;
    private volatile boolean closed;
    /** When an SRTP or SRTCP packet of the peer last authenticated (nanoTime); 0 before the first. */
    private volatile long lastAuthenticatedNanos;
    /**
     * Remote addresses a socket holds as validated for this Transport. ICE pairs one local
     * candidate with each of the peer's (host, server-reflexive, relayed; IPv4 and IPv6), so a
     * real peer needs a handful; the cap stops one participant from filling the sockets' maps.
     */
    static final int MAX_ADDRESSES = 16;
    private final java.util.concurrent.atomic.AtomicInteger addresses = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * What other objects hold of this Transport and must let go when it closes (the sockets'
     * address and egress maps): run once, by {@link #close}. Guarded by {@link #pendingDtls}.
     */
    private final List<Runnable> releasers = new ArrayList<>(4);

    // Worker-owned.
    private SrtpSession srtp;

    /** The pair ICE selected: the local socket's egress and the peer's address (RFC 8445 §6.1.2.6). */
    private record SelectedPath(ChannelEgress egress, InetSocketAddress remote, Recipient recipient) {
        SelectedPath(ChannelEgress egress, InetSocketAddress remote) {
            this(egress, remote, Recipient.of(remote));
        }
    }

    Transport(int id, IceCredentials local, TransportRegistry registry, DropCounters drops) {
        this.id = id;
        this.ice = new IceLiteAgent(local);
        this.registry = registry;
        this.drops = drops;
    }

    public int id() {
        return id;
    }

    public IceLiteAgent ice() {
        return ice;
    }

    public IceCredentials localCredentials() {
        return ice.local();
    }

    /** The media worker ring this Transport's SRTP/SRTCP is handed to. */
    public void inbox(WorkerInbox inbox) {
        this.inbox = inbox;
    }

    public WorkerInbox inbox() {
        return inbox;
    }

    public boolean isClosed() {
        return closed;
    }

    /** A socket wants to hold one more validated address for this Transport: false at the cap. */
    boolean tryAddAddress() {
        while (true) {
            int n = addresses.get();
            if (n >= MAX_ADDRESSES) {
                return false;
            }
            if (addresses.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A socket let go of one validated address of this Transport. */
    void addressForgotten() {
        addresses.decrementAndGet();
    }

    /**
     * Registers what to undo when this Transport closes (e.g. a socket's map entry for it); runs at
     * once if it is already closed. Any thread; control path only (a few per Transport).
     */
    void onClose(Runnable releaser) {
        synchronized (pendingDtls) {
            if (!closed) {
                releasers.add(releaser);
                return;
            }
        }
        releaser.run();
    }

    /** Withdraws a releaser given to {@link #onClose} whose object went away first. Any thread. */
    void cancelOnClose(Runnable releaser) {
        synchronized (pendingDtls) {
            releasers.remove(releaser);
        }
    }

    /**
     * Starts the DTLS server side once the peer's certificate fingerprint is known (from its SDP).
     * No thread is taken yet: the handshake begins when the peer's ClientHello arrives, which only
     * reaches this Transport from an address an ICE check validated, and only if
     * {@code handshakes}' caps allow (else the peer's retransmission tries again). A ClientHello
     * that arrived before this call is replayed now.
     *
     * @throws IllegalArgumentException if the fingerprint cannot be parsed (check it first with
     *         {@link DtlsSession#checkFingerprint}); the Transport is unchanged and may start later
     * @throws IllegalStateException if DTLS was already started on this Transport
     */
    public void startDtls(DtlsCertificate certificate, String remoteFingerprintAlgorithm, String remoteFingerprint,
                          DtlsHandshakes handshakes, DtlsSession.Listener listener) {
        DtlsSession session = handshakes.newServerSession(certificate, remoteFingerprintAlgorithm, remoteFingerprint,
                this::sendControl, listener, this::selectedRemote);
        synchronized (pendingDtls) {
            if (closed) {
                return;
            }
            if (dtls != null) {
                throw new IllegalStateException("DTLS already started on " + this);
            }
            dtls = session;
            for (byte[] datagram : pendingDtls) {
                session.offer(datagram, 0, datagram.length);
            }
            pendingDtls.clear();
        }
    }

    /**
     * A binding request from {@code from} passed integrity checks on the socket of {@code egress};
     * the ICE-lite agent decides whether it becomes the selected path. I/O thread.
     */
    void onValidatedRequest(ChannelEgress egress, InetSocketAddress from, boolean useCandidate, long nowNanos) {
        synchronized (ice) {
            if (ice.onValidatedRequest(from, egress, useCandidate, nowNanos)) {
                selected = new SelectedPath(egress, from);
            }
        }
    }

    /**
     * A relay-to-relay pipe (docs/scale-out.md "Rooms across nodes"): media goes to {@code remote}
     * through {@code egress}, with no ICE check; the pipe's own socket takes media only from there.
     */
    void pipeTo(ChannelEgress egress, InetSocketAddress remote) {
        synchronized (ice) {
            selected = new SelectedPath(egress, remote);
        }
    }

    /**
     * The ICE-TCP connection of {@code egress} closed: if it carried the selected path, media
     * stops until a valid check selects another (the peer's ICE agent looks for one, RFC 8445
     * §8.1, or restarts). I/O thread.
     */
    void pathClosed(ChannelEgress egress, InetSocketAddress from) {
        synchronized (ice) {
            ice.pathLost(from, egress);
            SelectedPath path = selected;
            if (path != null && path.egress() == egress) {
                selected = null;
            }
        }
    }

    /** The egress of the selected path, or null (tests). */
    ChannelEgress selectedEgress() {
        SelectedPath path = selected;
        return path == null ? null : path.egress();
    }

    /** True if media leaves over an ICE-TCP connection (RFC 6544), false over UDP or before a path. */
    public boolean isTcp() {
        SelectedPath path = selected;
        return path != null && path.egress() instanceof StreamEgress;
    }

    /** The selected remote address, or null before any valid check. Any thread. */
    public InetSocketAddress selectedRemote() {
        SelectedPath path = selected;
        return path == null ? null : path.remote();
    }

    /**
     * True once {@link #startDtls} ran: the peer's fingerprint is known and the handshake runs,
     * or will when the peer's ClientHello arrives. Any thread.
     */
    public boolean isDtlsStarted() {
        return dtls != null;
    }

    /** Called by the I/O thread with a DTLS datagram from the validated address. */
    boolean offerDtls(byte[] buf, int off, int len) {
        DtlsSession session = dtls;
        if (session != null) {
            return session.offer(buf, off, len);
        }
        synchronized (pendingDtls) {
            session = dtls;
            if (session != null) {
                return session.offer(buf, off, len);
            }
            if (closed || pendingDtls.size() >= MAX_PENDING_DTLS) {
                return false;
            }
            byte[] copy = new byte[len];
            System.arraycopy(buf, off, copy, 0, len);
            pendingDtls.add(copy);
            return true;
        }
    }

    /** Sends a control datagram (DTLS record) to the selected address; any thread. */
    public void sendControl(byte[] buf, int off, int len) {
        SelectedPath path = selected;
        if (path == null || closed) {
            return;
        }
        path.egress().sendControl(buf, off, len, path.remote());
    }

    // ---- worker-owned per-packet API ----

    /** Installs SRTP keys; called on the owning media worker. */
    public void installSrtp(SrtpKeys keys) {
        this.srtp = new SrtpSession(keys);
    }

    /** True once SRTP keys are installed (the DTLS handshake completed). Worker thread only. */
    public boolean isSecure() {
        return srtp != null;
    }

    /**
     * Authenticates and decrypts an SRTP packet in place. Worker thread only; allocates nothing.
     *
     * @return the RTP packet's length, or -1 if dropped (counted: no keys yet, or auth/replay failed)
     */
    public int unprotectRtp(byte[] buf, int off, int len) {
        return unprotect(false, buf, off, len);
    }

    /** As {@link #unprotectRtp}, for SRTCP. */
    public int unprotectRtcp(byte[] buf, int off, int len) {
        return unprotect(true, buf, off, len);
    }

    private int unprotect(boolean rtcp, byte[] buf, int off, int len) {
        SrtpSession session = srtp;
        if (session == null) {
            drops.increment(DropReason.NO_SRTP_CONTEXT);
            return -1;
        }
        int result = rtcp ? session.unprotectRtcp(buf, off, len) : session.unprotectRtp(buf, off, len);
        if (result < 0) {
            drops.increment(DropReason.SRTP_UNPROTECT_FAILED);
        }
        return result;
    }

    /** Refreshed at most this often: a volatile write per packet would be a fence per packet. */
    private static final long AUTHENTICATED_RESOLUTION_NANOS = 100_000_000L;

    /**
     * A packet from the peer authenticated at {@code nowNanos} (System.nanoTime): only the DTLS
     * peer holds its keys, and media is taken only from a validated address, so this shows the
     * peer is there as well as an ICE check does (docs/security.md, "ICE consent"). Worker thread;
     * allocates nothing.
     */
    public void authenticatedAt(long nowNanos) {
        long last = lastAuthenticatedNanos;
        if (last == 0 || nowNanos - last >= AUTHENTICATED_RESOLUTION_NANOS) {
            lastAuthenticatedNanos = nowNanos == 0 ? 1 : nowNanos;
        }
    }

    /** See {@link #authenticatedAt}; 0 if nothing from the peer has authenticated yet. */
    public long lastAuthenticatedNanos() {
        return lastAuthenticatedNanos;
    }

    /**
     * Protects an RTP packet in place and hands it to the selected socket's egress: into the
     * worker's sendmmsg batch for that socket (UDP on epoll), or into the socket's ring. Either way
     * {@code batch} sends or wakes once per duty cycle. Worker thread only; allocates nothing.
     *
     * @param buf must have {@link SrtpSession#MAX_RTP_OVERHEAD} bytes free after {@code off + len}
     * @return the length queued (the SRTP packet), or -1 if not sent: no keys or no selected path
     *         yet, protect failed (counted) or the socket's ring was full (counted by the egress); a datagram the
     *         kernel refuses later is counted as {@link DropReason#SEND_FAILED}
     */
    public int sendRtp(byte[] buf, int off, int len, EgressBatch batch) {
        SrtpSession session = srtp;
        if (session == null) {
            return -1;
        }
        return enqueue(buf, off, session.protectRtp(buf, off, len), batch);
    }

    /** As {@link #sendRtp}, for a (compound) RTCP packet; needs {@link SrtpSession#MAX_RTCP_OVERHEAD}. */
    public int sendRtcp(byte[] buf, int off, int len, EgressBatch batch) {
        SrtpSession session = srtp;
        if (session == null) {
            return -1;
        }
        return enqueue(buf, off, session.protectRtcp(buf, off, len), batch);
    }

    private int enqueue(byte[] buf, int off, int protectedLength, EgressBatch batch) {
        if (protectedLength < 0) {
            drops.increment(DropReason.SRTP_PROTECT_FAILED);
            return -1;
        }
        SelectedPath path = selected;
        if (path == null || closed
                || !path.egress().send(id, path.recipient(), batch, buf, off, protectedLength)) {
            return -1;
        }
        return protectedLength;
    }

    /** Closes DTLS (close_notify) and forgets the ICE credentials; any thread, idempotent. */
    public void close() {
        DtlsSession session;
        List<Runnable> release;
        synchronized (pendingDtls) {
            if (closed) {
                return;
            }
            closed = true;
            session = dtls;
            dtls = null;
            pendingDtls.clear();
            release = new ArrayList<>(releasers);
            releasers.clear();
        }
        registry.remove(this);
        if (session != null) {
            session.close();
        }
        for (Runnable releaser : release) {
            releaser.run();
        }
    }

    /**
     * Closes the SRTP session (zeroes its keys, drops its crypto contexts); the owning worker calls
     * it once the Transport is detached from its Router, so no packet is in flight with it.
     */
    public void releaseSrtp() {
        SrtpSession session = srtp;
        srtp = null;
        if (session != null) {
            session.close();
        }
    }

    @Override
    public String toString() {
        return "Transport[" + id + " ufrag=" + ice.local().ufrag() + "]";
    }
}
