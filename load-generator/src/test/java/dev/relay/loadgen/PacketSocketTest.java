package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link PacketSocket} does, over a real loopback socket and a real {@link IoLoop}:
 * packets go out and come back whole and in order, whatever thread sends them. A subclass per
 * implementation supplies the server's end; the implementation's own behaviour (TCP's bounded
 * queue, a closed connection) is tested in that subclass.
 */
@Timeout(20)
abstract class PacketSocketTest {
    /** Packets as a transport sends them: a STUN-sized one, a tiny one, a full media packet. */
    static final List<byte[]> PACKETS = List.of(packet(20, 1), packet(1, 2), packet(1200, 3));

    /** The server's side of the path, as the test drives it (blocking, on the test thread). */
    interface ServerEnd extends AutoCloseable {
        InetSocketAddress address();

        /** The next packet the socket sent, or null after {@code seconds}. */
        byte[] receive(int seconds) throws IOException;

        void send(byte[] packet) throws IOException;

        @Override
        void close() throws IOException;
    }

    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final BlockingQueue<String> failures = new LinkedBlockingQueue<>();
    final PacketSocket.Listener listener = new PacketSocket.Listener() {
        @Override
        public void onPacket(byte[] buf, int len) {
            received.add(Arrays.copyOf(buf, len));
        }

        @Override
        public void onSocketFailed(String reason) {
            failures.add(reason);
        }
    };
    IoLoop loop;
    ServerEnd server;
    PacketSocket socket;

    abstract ServerEnd openServer() throws IOException;

    abstract PacketSocket openSocket(IoLoop loop, PacketSocket.Listener listener) throws IOException;

    /** Runs {@code step} on the loop thread, as the transport does everything. */
    <T> T onLoop(java.util.function.Supplier<T> step) throws Exception {
        return loop.call(step).get(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() throws Exception {
        loop = new IoLoop(0);
        loop.start();
        server = openServer();
        socket = openSocket(loop, listener);
    }

    @AfterEach
    void stop() throws Exception {
        onLoop(() -> {
            socket.close();
            return null;
        });
        loop.stop();
        loop.join(2000);
        server.close();
    }

    void connect() throws Exception {
        onLoop(() -> {
            try {
                socket.register(loop);
                socket.connect(server.address());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
    }

    @Test
    void shouldDeliverEveryPacketWholeAndInOrderBothWays() throws Exception {
        connect();
        for (byte[] p : PACKETS) {
            assertEquals(true, onLoop(() -> socket.send(p, 0, p.length)));
        }
        for (byte[] p : PACKETS) {
            assertArrayEquals(p, server.receive(5));
        }
        for (byte[] p : PACKETS) {
            server.send(p);
        }
        for (byte[] p : PACKETS) {
            byte[] got = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "packet back from the server");
            assertArrayEquals(p, got);
        }
    }

    @Test
    void shouldSendAtAnOffsetOfTheLoopsScratchBuffer() throws Exception {
        connect();
        byte[] p = PACKETS.get(2);
        assertEquals(true, onLoop(() -> {
            System.arraycopy(p, 0, loop.tx, 7, p.length);
            return socket.send(loop.tx, 7, p.length);
        }));
        assertArrayEquals(p, server.receive(5));
    }

    @Test
    void shouldSendARecordFromTheHandshakeThread() throws Exception {
        connect();
        byte[] record = packet(150, 9);
        socket.sendFromHandshake(record, 0, record.length);
        assertArrayEquals(record, server.receive(5));
    }

    static byte[] packet(int len, int seed) {
        byte[] p = new byte[len];
        for (int i = 0; i < len; i++) {
            p[i] = (byte) (seed * 17 + i);
        }
        return p;
    }
}
