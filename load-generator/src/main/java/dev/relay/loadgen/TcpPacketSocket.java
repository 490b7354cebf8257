package dev.relay.loadgen;

import dev.relay.codecs.Rfc4571Framing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * A transport's active ICE-TCP candidate (RFC 6544 §4.5 tcptype active): one non-blocking
 * connection to the server's passive candidate, which is the whole candidate pair (RFC 6544 §3),
 * every packet framed by its 16-bit length both ways (RFC 4571 §2, {@link Rfc4571Framing}).
 * TCP_NODELAY: a packet is a unit of real-time media, not something to coalesce.
 *
 * <p>Sending never blocks the loop. Packets queue in a buffer this socket owns until the
 * kernel takes them; when the queue holds {@link #SEND_QUEUE_BYTES} (the kernel's send buffer
 * is full as well) further packets are dropped and the caller counts them, as the relay does
 * on its side of the connection (docs/benchmarks.md, "ICE-TCP beside UDP"). Packets sent before
 * the connection is up wait in the same queue. Reads and framing allocate nothing per packet.
 */
final class TcpPacketSocket implements PacketSocket {
    /** The port of an active candidate in SDP: it never receives connections (RFC 6544 §4.5). */
    static final int ACTIVE_CANDIDATE_PORT = 9;
    /** Our queue in front of the kernel's: about 0.5 s of a 1 Mbit/s camera. */
    static final int SEND_QUEUE_BYTES = 64 * 1024;
    /** The longest packet accepted from the server: the loop's packet buffers hold this much. */
    static final int MAX_PACKET = IoLoop.BUFFER_BYTES;
    /** Stream reads per readiness, so other sockets of the loop get their turn. */
    private static final int READ_BATCH = 4;

    private final IoLoop loop;
    private final Listener listener;
    private final SocketChannel channel;
    private final Rfc4571Framing framing = new Rfc4571Framing(MAX_PACKET);
    /** Framed packets not yet written; fill mode (position = bytes queued) between calls. */
    private final ByteBuffer queue = ByteBuffer.allocateDirect(SEND_QUEUE_BYTES);
    private InetSocketAddress remote;
    private SelectionKey key;
    private boolean connecting;
    private boolean connected;
    private boolean writeInterest;
    private boolean closed;

    /**
     * The source address of a peer's ICE-TCP connections. On loopback each peer gets an address of
     * its own in 127.0.0.0/8 (all of it is this host's, RFC 1122 §3.2.1.3), as if each ran on a
     * host of its own: the relay admits only a few connections per address before an ICE check
     * binds them (its TcpConnectionGate, meant for the Internet), and hundreds of synthetic peers
     * connecting at once from 127.0.0.1 would meet that cap, which no real audience does. Elsewhere
     * (our end of a namespace's veth pair) the one address is kept.
     */
    static String sourceAddress(String localAddress, int peerIndex) {
        if (!"127.0.0.1".equals(localAddress)) {
            return localAddress;
        }
        // 127.64.x.y, y in 1..250: never a .0 or .255 look-alike, room for 64k peers.
        return "127.64." + (peerIndex / 250) + "." + (1 + peerIndex % 250);
    }

    /** @param localAddress where the connection's source address is bound (see {@link #sourceAddress}) */
    TcpPacketSocket(IoLoop loop, Listener listener, String localAddress) throws IOException {
        this.loop = loop;
        this.listener = listener;
        this.channel = SocketChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(new InetSocketAddress(localAddress, 0));
            channel.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public int candidatePort() {
        return ACTIVE_CANDIDATE_PORT;
    }

    @Override
    public InetSocketAddress remoteCandidate(Sdp.Remote remote) {
        return remote.tcpCandidate();
    }

    @Override
    public void register(IoLoop loop) throws IOException {
        key = channel.register(loop.selector(), 0, this);
        updateInterest();
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        this.remote = remote;
        connecting = true;
        if (channel.connect(remote)) {
            onConnected();
        } else {
            updateInterest();
        }
    }

    @Override
    public void onReady(SelectionKey key) {
        if (closed || !key.isValid()) {
            return;
        }
        int ready = key.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
            try {
                if (!channel.finishConnect()) {
                    return;
                }
            } catch (IOException e) {
                fail("cannot open an ICE-TCP connection to " + remote + ": " + e.getMessage());
                return;
            }
            onConnected();
        }
        if (!closed && (ready & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if (!closed && (ready & SelectionKey.OP_READ) != 0) {
            read();
        }
    }

    private void onConnected() {
        connecting = false;
        connected = true;
        flush();
        updateInterest();
    }

    private void read() {
        ByteBuffer buffer = loop.streamRxBuffer;
        byte[] buf = loop.streamRx;
        for (int i = 0; i < READ_BATCH; i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                fail("ICE-TCP connection to " + remote + " failed: " + e.getMessage());
                return;
            }
            if (n < 0) {
                fail("the server closed the ICE-TCP connection " + remote);
                return;
            }
            if (n == 0) {
                return;
            }
            if (!framing.feed(buf, 0, n, listener)) {
                fail("RFC 4571 length above " + MAX_PACKET + " bytes on the ICE-TCP stream from " + remote);
                return;
            }
            if (closed || n < buf.length) {
                return;
            }
        }
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        if (closed || queue.remaining() < Rfc4571Framing.HEADER + len) {
            return false;
        }
        queue.put((byte) (len >>> 8)).put((byte) len).put(buf, off, len);
        if (connected && !writeInterest) {
            flush();
        }
        return true;
    }

    /** The loop writes everything on this connection, so that records never interleave: copy and hand over. */
    @Override
    public void sendFromHandshake(byte[] buf, int off, int len) {
        byte[] copy = Arrays.copyOfRange(buf, off, off + len);
        loop.execute(() -> send(copy, 0, copy.length));
    }

    private void flush() {
        queue.flip();
        try {
            channel.write(queue);
        } catch (IOException e) {
            queue.clear();
            fail("ICE-TCP send to " + remote + " failed: " + e.getMessage());
            return;
        }
        queue.compact();
        boolean pending = queue.position() > 0;
        if (pending != writeInterest) {
            writeInterest = pending;
            updateInterest();
        }
    }

    private void updateInterest() {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = connected ? SelectionKey.OP_READ | (writeInterest ? SelectionKey.OP_WRITE : 0)
                : connecting ? SelectionKey.OP_CONNECT : 0;
        key.interestOps(ops);
    }

    private void fail(String reason) {
        close();
        listener.onSocketFailed(reason);
    }

    /** Bytes queued and not yet taken by the kernel (tests, reports). */
    int queuedBytes() {
        return queue.position();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a connection the server already reset: nothing left to release.
        }
    }
}
