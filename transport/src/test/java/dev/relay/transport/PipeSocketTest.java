package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.srtp.PipeKeyExchange;
import dev.relay.transport.srtp.SrtpKeys;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One end of a relay-to-relay pipe over real UDP on loopback: SRTP from the other end's
 * address reaches the owning worker's ring, anything from elsewhere is dropped and counted, what
 * the Transport sends leaves protected towards the other end, and closing the Transport closes
 * the socket.
 */
class PipeSocketTest {
    private DropCounters drops;
    private TransportRegistry registry;
    private MediaServer server;
    private Transport transport;
    private RingInbox inbox;
    private ManyToOneRingBuffer ring;
    private DatagramSocket otherEnd;
    private PipeSocket pipe;

    @BeforeEach
    void setUp() throws Exception {
        drops = new DropCounters();
        registry = new TransportRegistry(drops);
        server = MediaServer.start("127.0.0.1", 0, 1, registry, drops);
        transport = registry.create();
        inbox = new RingInbox();
        ring = inbox.ring;
        transport.inbox(inbox);
        otherEnd = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        otherEnd.setSoTimeout(5_000);
        pipe = server.openPipe("127.0.0.1", drops);
        pipe.connect(transport, (InetSocketAddress) otherEnd.getLocalSocketAddress());
    }

    @AfterEach
    void tearDown() {
        transport.close();
        otherEnd.close();
        server.close();
    }

    @Test
    void shouldHandTheOtherEndsSrtpToTheWorker() throws Exception {
        byte[] rtp = rtpLike(40);
        otherEnd.send(new DatagramPacket(rtp, rtp.length, new InetSocketAddress("127.0.0.1", pipe.port())));
        await(() -> ring.size() > 0, "the datagram reaches the ring");
        List<byte[]> read = new ArrayList<>();
        ring.read((type, buffer, index, length) -> {
            assertEquals(InboundRecord.MSG_SRTP, type);
            assertEquals(transport.id(), buffer.getInt(index + InboundRecord.TRANSPORT_ID_OFFSET));
            byte[] datagram = new byte[length - InboundRecord.DATAGRAM_OFFSET];
            buffer.getBytes(index + InboundRecord.DATAGRAM_OFFSET, datagram);
            read.add(datagram);
        });
        assertEquals(1, read.size());
        assertArrayEquals(rtp, read.get(0));
    }

    @Test
    void shouldDropAndCountWhatComesFromAnyOtherAddress() throws Exception {
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] rtp = rtpLike(40);
            stranger.send(new DatagramPacket(rtp, rtp.length, new InetSocketAddress("127.0.0.1", pipe.port())));
        }
        await(() -> drops.get(DropReason.UNVALIDATED_ADDRESS) == 1, "the stranger's datagram is counted");
        assertEquals(0, ring.size());
    }

    @Test
    void shouldSendProtectedMediaToTheOtherEnd() throws Exception {
        PipeKeyExchange ours = PipeKeyExchange.start();
        PipeKeyExchange theirs = PipeKeyExchange.start();
        SrtpKeys keys = ours.keys("p", true, "a", theirs.publicKey(), "b");
        transport.installSrtp(keys);
        byte[] buf = new byte[256];
        byte[] rtp = rtpLike(40);
        System.arraycopy(rtp, 0, buf, 0, rtp.length);
        EgressBatch batch = new EgressBatch();
        int sent = transport.sendRtp(buf, 0, rtp.length, batch);
        batch.flush();
        assertTrue(sent > rtp.length, "an SRTP packet carries a tag: " + sent);
        DatagramPacket received = new DatagramPacket(new byte[1500], 1500);
        otherEnd.receive(received);
        assertEquals(sent, received.getLength());
        assertEquals(pipe.port(), received.getPort(), "from the pipe's own port");
        assertArrayEquals(Arrays.copyOf(rtp, 12), Arrays.copyOf(received.getData(), 12), "the header is in the clear");
        assertFalse(Arrays.equals(Arrays.copyOfRange(rtp, 12, 40), Arrays.copyOfRange(received.getData(), 12, 40)),
                "the payload is not");
        transport.releaseSrtp();
    }

    @Test
    void shouldCloseTheSocketWithTheTransport() {
        assertTrue(pipe.isOpen());
        transport.close();
        await(() -> !pipe.isOpen(), "the pipe's socket closes");
    }

    private static byte[] rtpLike(int len) {
        byte[] rtp = new byte[len];
        rtp[0] = (byte) 0x80;
        rtp[1] = 96;
        for (int i = 12; i < len; i++) {
            rtp[i] = (byte) i;
        }
        return rtp;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
