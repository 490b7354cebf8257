package dev.relay.loadgen;

import dev.relay.codecs.Rfc4571Framing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ICE-TCP socket against a plain TCP listener that frames and deframes per RFC 4571. */
class TcpPacketSocketTest extends PacketSocketTest {
    private TcpServer tcp;

    /** A passive candidate's end: one accepted connection, read and written blocking. */
    static final class TcpServer implements ServerEnd {
        final ServerSocket listener;
        private final Rfc4571Framing framing = new Rfc4571Framing(Rfc4571Framing.MAX_LENGTH);
        private final ArrayDeque<byte[]> packets = new ArrayDeque<>();
        Socket connection;

        TcpServer() throws IOException {
            listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            listener.setSoTimeout(5000);
        }

        Socket accepted() throws IOException {
            if (connection == null) {
                connection = listener.accept();
                connection.setSoTimeout(5000);
            }
            return connection;
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        @Override
        public byte[] receive(int seconds) throws IOException {
            InputStream in = accepted().getInputStream();
            byte[] buf = new byte[4096];
            while (packets.isEmpty()) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                if (n < 0) {
                    return null;
                }
                framing.feed(buf, 0, n, (p, len) -> packets.add(Arrays.copyOf(p, len)));
            }
            return packets.poll();
        }

        /** Writes the length field and the packet in separate segments, as a stream may cut them. */
        @Override
        public void send(byte[] packet) throws IOException {
            OutputStream out = accepted().getOutputStream();
            byte[] header = new byte[Rfc4571Framing.HEADER];
            Rfc4571Framing.writeHeader(header, 0, packet.length);
            out.write(header, 0, 1);
            out.flush();
            out.write(header, 1, 1);
            out.write(packet, 0, packet.length / 2);
            out.flush();
            out.write(packet, packet.length / 2, packet.length - packet.length / 2);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (connection != null) {
                connection.close();
            }
            listener.close();
        }
    }

    @Override
    ServerEnd openServer() throws IOException {
        tcp = new TcpServer();
        return tcp;
    }

    @Override
    PacketSocket openSocket(IoLoop loop, PacketSocket.Listener listener) throws IOException {
        return new TcpPacketSocket(loop, listener, "127.0.0.1");
    }

    @Test
    void shouldSendWhatWasQueuedBeforeTheConnectionWasUp() throws Exception {
        byte[] check = PACKETS.get(0);
        onLoop(() -> {
            try {
                socket.register(loop);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return socket.send(check, 0, check.length);
        });
        connect();
        assertArrayEquals(check, server.receive(5));
    }

    /** A server that does not read: the loop never blocks, the queue stays bounded, packets are refused. */
    @Test
    void shouldDropRatherThanWaitWhenTheServerStopsReading() throws Exception {
        connect();
        tcp.accepted();
        byte[] p = packet(1200, 4);
        int refusedAt = onLoop(() -> {
            for (int i = 0; i < 200_000; i++) {
                if (!socket.send(p, 0, p.length)) {
                    return i;
                }
            }
            return -1;
        });
        assertTrue(refusedAt > 0, "the socket took 200,000 packets without refusing one");
        int queued = onLoop(() -> ((TcpPacketSocket) socket).queuedBytes());
        assertTrue(queued <= TcpPacketSocket.SEND_QUEUE_BYTES, "queued " + queued);
        assertTrue(queued > TcpPacketSocket.SEND_QUEUE_BYTES - Rfc4571Framing.HEADER - p.length, "queue full: " + queued);
    }

    @Test
    void shouldReportTheServerClosingTheConnection() throws Exception {
        connect();
        tcp.accepted().close();
        String reason = failures.poll(5, TimeUnit.SECONDS);
        assertNotNull(reason, "no failure reported");
        assertTrue(reason.contains("closed") || reason.contains("reset"), reason);
        byte[] p = PACKETS.get(1);
        assertEquals(false, onLoop(() -> socket.send(p, 0, p.length)), "a failed socket sends nothing");
    }

    @Test
    void shouldReportARefusedConnection() throws Exception {
        InetSocketAddress nobody = server.address();
        tcp.listener.close();
        onLoop(() -> {
            try {
                socket.register(loop);
                socket.connect(nobody);
            } catch (IOException e) {
                listener.onSocketFailed("connect threw: " + e.getMessage());
            }
            return null;
        });
        String reason = failures.poll(5, TimeUnit.SECONDS);
        assertNotNull(reason, "no failure reported");
    }

    /** On loopback each peer connects from an address of its own; a veth address is kept as it is. */
    @ParameterizedTest
    @CsvSource({"127.0.0.1, 0, 127.64.0.1", "127.0.0.1, 249, 127.64.0.250", "127.0.0.1, 250, 127.64.1.1",
        "127.0.0.1, 999, 127.64.3.250", "198.18.40.1, 7, 198.18.40.1"})
    void shouldGiveEachLoopbackPeerASourceAddressOfItsOwn(String local, int peer, String expected) {
        assertEquals(expected, TcpPacketSocket.sourceAddress(local, peer));
    }
}
