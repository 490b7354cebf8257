package dev.relay.transport;

import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsSession;
import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.ice.IceCredentials;
import dev.relay.transport.ice.IceLiteAgent;
import dev.relay.transport.srtp.SrtpSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One peer's ICE + DTLS + SRTP association: one remote 5-tuple once ICE has picked it.
 *
 * <p>Ownership (STYLE.md "one writer per state"): the {@link IceLiteAgent} and the selected
 * address are written by the UDP I/O thread that validated the STUN check; the
 * {@link DtlsSession} runs its handshake on a control executor; the {@link SrtpSession} and
 * everything used per packet belong to the media worker the owning Router is pinned to, which
 * installs it through its command queue ({@link #installSrtp}).
 */
public final class Transport {
    /** Early DTLS datagrams kept until the peer's fingerprint is known (the subscribe answer). */
    private static final int MAX_PENDING_DTLS = 16;

    private final int id;
    private final IceLiteAgent ice;
    private final TransportRegistry registry;
    private final ArrayDeque<byte[]> pendingDtls = new ArrayDeque<>();
    private volatile WorkerInbox inbox;
    private volatile DtlsSession dtls;
    private volatile boolean closed;

    // Worker-owned.
    private SrtpSession srtp;

    Transport(int id, IceCredentials local, TransportRegistry registry) {
        this.id = id;
        this.ice = new IceLiteAgent(local);
        this.registry = registry;
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

    /**
     * Starts the DTLS server side once the peer's certificate fingerprint is known (from its SDP).
     * Datagrams that arrived earlier are replayed into the session.
     */
    public void startDtls(DtlsCertificate certificate, String remoteFingerprintAlgorithm, String remoteFingerprint,
                          Executor executor, DtlsSession.Listener listener) {
        DtlsSession session = new DtlsSession(certificate, DtlsSession.Role.SERVER,
                remoteFingerprintAlgorithm, remoteFingerprint, this::sendControl, listener);
        synchronized (pendingDtls) {
            if (closed) {
                return;
            }
            dtls = session;
            for (byte[] datagram : pendingDtls) {
                session.offer(datagram, 0, datagram.length);
            }
            pendingDtls.clear();
        }
        session.start(executor);
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
        ChannelEgress egress = ice.selectedEgress();
        InetSocketAddress remote = ice.selectedAddress();
        if (egress == null || remote == null || closed) {
            return;
        }
        Channel channel = egress.channel();
        ByteBuf out = channel.alloc().directBuffer(len);
        out.writeBytes(buf, off, len);
        channel.writeAndFlush(new DatagramPacket(out, remote), channel.voidPromise());
    }

    // ---- worker-owned per-packet API ----

    /** Installs SRTP keys; called on the owning media worker. */
    public void installSrtp(SrtpKeys keys) {
        this.srtp = new SrtpSession(keys);
    }

    /** The SRTP session, or null before the DTLS handshake completed. Worker thread only. */
    public SrtpSession srtp() {
        return srtp;
    }

    /**
     * Hands a protected packet to the selected socket's outbound ring and returns that socket's
     * egress (the caller wakes it once per batch), or null if the packet was not queued.
     * Worker thread only; allocates nothing.
     */
    public ChannelEgress send(byte[] buf, int off, int len) {
        ChannelEgress egress = ice.selectedEgress();
        if (egress == null || closed) {
            return null;
        }
        return egress.offer(id, buf, off, len) ? egress : null;
    }

    /** Closes DTLS (close_notify) and forgets the ICE credentials; any thread, idempotent. */
    public void close() {
        DtlsSession session;
        synchronized (pendingDtls) {
            if (closed) {
                return;
            }
            closed = true;
            session = dtls;
            pendingDtls.clear();
        }
        registry.remove(this);
        if (session != null) {
            session.close();
        }
    }

    @Override
    public String toString() {
        return "Transport[" + id + " ufrag=" + ice.local().ufrag() + "]";
    }
}
