package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Rfc4571Framing;
import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import io.netty.channel.Channel;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ICE-TCP listener over real loopback connections (RFC 6544 passive candidate, RFC 4571
 * framing): what it answers, binds, forwards, refuses, drops and releases.
 */
@Timeout(30)
class TcpMediaServerTest {
    private DropCounters drops;
    private TransportRegistry registry;
    private TcpMediaServer server;
    private Transport transport;
    private RingInbox inbox;
    private ManyToOneRingBuffer ring;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void setUp() throws InterruptedException {
        drops = new DropCounters();
        registry = new TransportRegistry(drops);
        server = TcpMediaServer.start("127.0.0.1", 0, 1, registry, drops, 1_000);
        transport = registry.create();
        inbox = new RingInbox();
        ring = inbox.ring;
        transport.inbox(inbox);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        server.close();
    }

    @Test
    void shouldAnswerAFramedCheckSentInPiecesAndSelectTheConnection() throws IOException {
        Socket socket = connect();
        byte[] framed = frame(bindingRequest(transport, true));
        OutputStream out = socket.getOutputStream();
        for (byte b : framed) {
            // One byte per segment: the relay must reassemble the frame whatever TCP does.
            out.write(b);
            out.flush();
        }
        StunMessage response = readStun(socket);
        assertTrue(response.isBindingSuccessResponse());
        assertTrue(response.checkMessageIntegrity(transport.ice().integrityKey()));
        assertEquals(socket.getLocalPort(), response.mappedPort(), "XOR-MAPPED-ADDRESS is the peer's end of the connection");
        await(transport::isTcp, "the connection is the selected path");
        assertEquals(socket.getLocalSocketAddress(), transport.selectedRemote());
        assertEquals(0, drops.total());
    }

    @Test
    void shouldForwardMediaOfABoundConnectionAndSendMediaBackFramed() throws IOException {
        Socket socket = bind();
        socket.getOutputStream().write(frame(rtp(200)));
        await(() -> ring.size() > 0, "the packet reaches the worker's ring");
        int[] seen = new int[2];
        ring.read((type, buffer, index, length) -> {
            seen[0] = buffer.getInt(index + InboundRecord.TRANSPORT_ID_OFFSET);
            seen[1] = length - InboundRecord.DATAGRAM_OFFSET;
        });
        assertEquals(transport.id(), seen[0]);
        assertEquals(200, seen[1]);

        ChannelEgress egress = transport.selectedEgress();
        byte[] media = new byte[300];
        media[0] = (byte) 0x80;
        media[299] = 42;
        assertTrue(egress.offer(transport.id(), ChannelEgress.NO_STAMP, media, 0, media.length));
        egress.wake();
        byte[] back = readFrame(socket);
        assertEquals(300, back.length);
        assertEquals(42, back[299]);
        transport.sendControl(new byte[] {22, (byte) 0xfe, (byte) 0xfd}, 0, 3);
        assertEquals("[22, -2, -3]", Arrays.toString(readFrame(socket)), "DTLS leaves framed too");
    }

    @Test
    void shouldCloseAConnectionWhoseFirstPacketIsNotAValidCheck() throws IOException {
        Socket socket = connect();
        socket.getOutputStream().write(frame(rtp(100)));
        assertClosedByRelay(socket);
        assertEquals(1, drops.get(DropReason.UNVALIDATED_ADDRESS));
        assertEquals(0, ring.size());
    }

    @Test
    void shouldCloseAConnectionThatAnnouncesMoreThanADatagram() throws IOException {
        Socket socket = bind();
        socket.getOutputStream().write(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2, 3});
        assertClosedByRelay(socket);
        assertEquals(1, drops.get(DropReason.TCP_BAD_STREAM));
        await(() -> !transport.isTcp(), "a closed connection is no longer the selected path");
        assertNull(transport.selectedRemote());
    }

    @Test
    void shouldCloseAConnectionWithNoValidCheckInTime() throws IOException {
        Socket socket = connect();
        assertClosedByRelay(socket);
        assertEquals(1, drops.get(DropReason.TCP_CONNECTION_LIMIT));
        await(() -> server.connections() == 0 && server.unboundAddresses() == 0, "nothing kept of it");
    }

    @Test
    void shouldRefuseUnboundConnectionsFromOneAddressBeyondTheCapAndForgetThemWhenClosed() throws IOException {
        List<Socket> first = new ArrayList<>();
        for (int i = 0; i < TcpMediaServer.MAX_UNBOUND_PER_ADDRESS; i++) {
            first.add(connect());
        }
        await(() -> server.connections() == TcpMediaServer.MAX_UNBOUND_PER_ADDRESS, "all admitted");
        Socket refused = connect();
        assertClosedByRelay(refused);
        assertEquals(1, drops.get(DropReason.TCP_CONNECTION_LIMIT));

        // A check binds one of them: its place among the unbound is free again.
        Socket bound = first.get(0);
        bound.getOutputStream().write(frame(bindingRequest(transport, true)));
        readStun(bound);
        Socket another = connect();
        another.getOutputStream().write(frame(bindingRequest(transport, false)));
        assertTrue(readStun(another).isBindingSuccessResponse(), "admitted after one connection was bound");

        for (Socket socket : sockets) {
            socket.close();
        }
        await(() -> server.connections() == 0 && server.unboundAddresses() == 0, "every connection released");
    }

    @Test
    void shouldCloseTheConnectionWhenItsTransportCloses() throws IOException {
        Socket socket = bind();
        transport.close();
        assertClosedByRelay(socket);
        await(() -> server.connections() == 0, "released");
    }

    @Test
    void shouldDropMediaForAPeerThatDoesNotReadInsteadOfQueueingIt() throws IOException {
        Socket socket = bind();
        socket.setReceiveBufferSize(4096);
        ChannelEgress egress = transport.selectedEgress();
        Channel channel = egress.channel();
        byte[] media = new byte[1200];
        media[0] = (byte) 0x80;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (drops.get(DropReason.TCP_SEND_BLOCKED) == 0 && System.nanoTime() < deadline) {
            for (int i = 0; i < 50; i++) {
                egress.offer(transport.id(), ChannelEgress.NO_STAMP, media, 0, media.length);
            }
            egress.wake();
            sleep(5);
        }
        assertTrue(drops.get(DropReason.TCP_SEND_BLOCKED) > 0, "a peer that stops reading has its media dropped");
        long queued = channel.unsafe().outboundBuffer() == null ? 0
                : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
        System.out.println("queued for a peer that does not read: " + queued + " bytes");
        assertTrue(queued <= TcpMediaServer.HIGH_WATER_MARK + 16 * 1024,
                "what waits for that peer in the relay stays bounded: " + queued + " bytes");
        assertFalse(socket.isClosed());
    }

    // ---- helpers ----

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
        socket.setSoTimeout(5_000);
        sockets.add(socket);
        return socket;
    }

    /** A connection a nominating check has bound and selected. */
    private Socket bind() throws IOException {
        Socket socket = connect();
        socket.getOutputStream().write(frame(bindingRequest(transport, true)));
        assertTrue(readStun(socket).isBindingSuccessResponse());
        await(transport::isTcp, "selected");
        return socket;
    }

    private static byte[] bindingRequest(Transport transport, boolean useCandidate) {
        byte[] out = new byte[512];
        byte[] tx = "0123456789ab".getBytes(StandardCharsets.US_ASCII);
        int len = new StunMessageWriter().writeBindingRequest(out, 0, tx,
                transport.localCredentials().ufrag() + ":browser", transport.ice().integrityKey(), 0x6e7f00ffL,
                true, 42L, useCandidate);
        return Arrays.copyOf(out, len);
    }

    /** {@code size} bytes whose first two make RFC 7983 call them RTP (version 2, payload type 96). */
    private static byte[] rtp(int size) {
        byte[] rtp = new byte[size];
        rtp[0] = (byte) 0x80;
        rtp[1] = 96;
        return rtp;
    }

    private static byte[] frame(byte[] packet) {
        byte[] out = new byte[Rfc4571Framing.HEADER + packet.length];
        Rfc4571Framing.writeHeader(out, 0, packet.length);
        System.arraycopy(packet, 0, out, Rfc4571Framing.HEADER, packet.length);
        return out;
    }

    private static byte[] readFrame(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int len = in.readUnsignedShort();
        byte[] packet = new byte[len];
        in.readFully(packet);
        return packet;
    }

    private static StunMessage readStun(Socket socket) throws IOException {
        byte[] packet = readFrame(socket);
        StunMessage stun = new StunMessage();
        assertTrue(stun.wrap(packet, 0, packet.length), "a STUN message");
        return stun;
    }

    private static void assertClosedByRelay(Socket socket) throws IOException {
        try {
            int read = socket.getInputStream().read();
            assertEquals(-1, read, "the relay closed the connection");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the relay kept the connection open", e);
        } catch (java.net.SocketException e) {
            // Reset by the relay: closed too.
            assertNotNull(e.getMessage());
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            sleep(10);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
