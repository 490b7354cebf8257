package dev.relay.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport's UDP socket: one datagram per packet, connected to the server's UDP host
 * candidate once its SDP is known. Reads and sends use the loop's scratch buffers: nothing is
 * allocated per packet.
 */
final class UdpPacketSocket implements PacketSocket {
    private static final Logger LOG = LoggerFactory.getLogger(UdpPacketSocket.class);
    /** Several hundred datagrams: seconds of one subscriber's media if its loop falls behind. */
    private static final int BUFFER_BYTES = 1 << 20;
    /** Datagrams read per readiness, so other sockets of the loop get their turn. */
    private static final int READ_BATCH = 64;

    private final IoLoop loop;
    private final Listener listener;
    private final DatagramChannel channel;
    private final int localPort;
    private SelectionKey key;

    /** @param localAddress where the socket binds: 127.0.0.1, or our end of a namespace's veth pair */
    UdpPacketSocket(IoLoop loop, Listener listener, String localAddress) throws IOException {
        this.loop = loop;
        this.listener = listener;
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER_BYTES);
            channel.bind(new InetSocketAddress(localAddress, 0));
            channel.configureBlocking(false);
            this.localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public int candidatePort() {
        return localPort;
    }

    @Override
    public InetSocketAddress remoteCandidate(Sdp.Remote remote) {
        return remote.candidate();
    }

    @Override
    public void register(IoLoop loop) throws IOException {
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        channel.connect(remote);
    }

    @Override
    public void onReady(SelectionKey key) {
        ByteBuffer buffer = loop.rxBuffer;
        byte[] buf = loop.rx;
        for (int i = 0; i < READ_BATCH; i++) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException | NotYetConnectedException e) {
                // ICMP port unreachable: the server is gone or not yet listening; or a datagram
                // before connect() pointed the socket at the server.
                loop.readErrors++;
                return;
            }
            if (n <= 0) {
                return;
            }
            listener.onPacket(buf, n);
        }
    }

    @Override
    public boolean send(byte[] buf, int off, int len) {
        ByteBuffer out = loop.txBuffer;
        if (out.array() != buf) {
            out = ByteBuffer.wrap(buf, off, len);
        } else {
            out.clear().position(off).limit(off + len);
        }
        try {
            return channel.write(out) == len;
        } catch (IOException e) {
            // Port unreachable after the server went away, or a full socket buffer.
            return false;
        }
    }

    @Override
    public void sendFromHandshake(byte[] buf, int off, int len) {
        try {
            // DatagramChannel serializes concurrent writes: the loop may be sending a check.
            channel.write(ByteBuffer.wrap(buf, off, len));
        } catch (IOException e) {
            LOG.debug("DTLS send failed", e);
        }
    }

    @Override
    public void close() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
    }
}
