package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A media worker's own sends on an epoll UDP socket (sendmmsg from the worker's thread, without
 * the socket's event loop): real sockets on loopback, checked by what a plain receiving socket
 * gets, byte for byte and in order.
 */
class DatagramBatchTest {
    private EventLoopGroup group;
    private Channel channel;
    private final DropCounters drops = new DropCounters();

    @BeforeEach
    void bind() throws Exception {
        assumeTrue(Epoll.isAvailable(), "needs the native epoll transport (Linux)");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1, 1))
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void shouldSendEveryDatagramOfAWorkersCycleWithoutTheEventLoop() throws Exception {
        DatagramEgress egress = new DatagramEgress(0, channel, 64 * 1024, drops);
        assertTrue(egress.workersSend(), "workers send on an epoll socket themselves");
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(2_000);
            receiver.setReceiveBufferSize(4 << 20);
            Recipient to = Recipient.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), receiver.getLocalPort()));
            EgressBatch batch = new EgressBatch();
            // More than a cycle's staging and several sendmmsg batches: sent as they fill, the rest
            // at the cycle's end.
            int count = DatagramStaging.SLOTS + 44;
            for (int i = 0; i < count; i++) {
                byte[] datagram = datagram(i);
                assertTrue(egress.send(7, to, batch, datagram, 0, datagram.length));
            }
            assertEquals(1, batch.flush(), "one socket sent on");
            for (int i = 0; i < count; i++) {
                DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                receiver.receive(packet);
                assertArrayEquals(datagram(i), Arrays.copyOf(packet.getData(), packet.getLength()), "datagram " + i);
                assertEquals(((InetSocketAddress) channel.localAddress()).getPort(), packet.getPort(),
                        "sent from the relay's media port");
            }
            assertEquals(0, egress.ringUsedBytes(), "nothing went through the ring");
            assertEquals(0, drops.total());
        }
    }

    @Test
    void shouldCountADatagramTheKernelRefusesAndSendTheRestOfTheBatch() throws Exception {
        DatagramEgress egress = new DatagramEgress(0, channel, 64 * 1024, drops);
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(2_000);
            Recipient good = Recipient.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), receiver.getLocalPort()));
            // Port 0 is not a destination: the kernel refuses that datagram alone (EINVAL).
            Recipient refused = Recipient.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            EgressBatch batch = new EgressBatch();
            for (int i = 0; i < 6; i++) {
                byte[] datagram = datagram(i);
                egress.send(7, i == 2 ? refused : good, batch, datagram, 0, datagram.length);
            }
            batch.flush();
            for (int i : new int[] {0, 1, 3, 4, 5}) {
                DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                receiver.receive(packet);
                assertArrayEquals(datagram(i), Arrays.copyOf(packet.getData(), packet.getLength()), "datagram " + i);
            }
            assertEquals(1, drops.get(DropReason.SEND_FAILED));
        }
    }

    @Test
    void shouldDropWhatIsLeftForASocketThatClosed() throws Exception {
        DatagramEgress egress = new DatagramEgress(0, channel, 64 * 1024, drops);
        Recipient to = Recipient.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
        EgressBatch batch = new EgressBatch();
        byte[] datagram = datagram(1);
        egress.send(7, to, batch, datagram, 0, datagram.length);
        egress.send(7, to, batch, datagram, 0, datagram.length);
        channel.close().sync();
        batch.flush();
        assertEquals(2, drops.get(DropReason.SEND_FAILED), "counted, not written to a descriptor that may be reused");
    }

    @Test
    void shouldHandWhatAFullSendBufferRefusesToTheEventLoopInOrder() throws Exception {
        DatagramEgress egress = new DatagramEgress(0, channel, 1 << 20, drops);
        EpollDatagramChannel epoll = (EpollDatagramChannel) channel;
        int fd = epoll.fd().intValue();
        boolean ipv6 = NativeSendmmsg.isIpv6(epoll.fd());
        // A kernel whose send buffer fills after three datagrams of the first sendmmsg (EAGAIN,
        // as a NIC still sending a burst would make it), and takes everything again later.
        int[] calls = {0};
        DatagramBatch.Sender fullAfterThree = (f, v6, packets, offset, len) ->
                calls[0]++ == 0 ? NativeSendmmsg.send(f, v6, packets, offset, Math.min(3, len))
                        : calls[0] == 2 ? -11 : NativeSendmmsg.send(f, v6, packets, offset, len);
        DatagramStaging staging = new DatagramStaging();
        DatagramBatch batch = new DatagramBatch(egress, staging, fd, ipv6, drops, fullAfterThree);
        Transport transport = new TransportRegistry(drops).create();
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(2_000);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), receiver.getLocalPort());
            // The event loop addresses handed-over records by the Transport's selected path.
            channel.eventLoop().submit(() -> {
                egress.register(transport);
                transport.onValidatedRequest(egress, address, true, System.nanoTime());
            }).sync();
            Recipient to = Recipient.of(address);
            for (int i = 0; i < 10; i++) {
                byte[] datagram = datagram(i);
                batch.add(staging.put(datagram, 0, datagram.length), datagram.length, transport.id(), to,
                        System.nanoTime(), false);
            }
            assertEquals(3, batch.flush(), "three went out at once");
            assertEquals(7, batch.spilled(), "the rest went to the event loop");
            // The next cycle's datagrams: behind the handed-over ones while those wait, else sent at once.
            staging.clear();
            for (int i = 10; i < 15; i++) {
                byte[] datagram = datagram(i);
                batch.add(staging.put(datagram, 0, datagram.length), datagram.length, transport.id(), to,
                        System.nanoTime(), false);
            }
            batch.flush();
            // A worker that is behind hands its whole batch to the event loop.
            staging.clear();
            for (int i = 15; i < 20; i++) {
                byte[] datagram = datagram(i);
                batch.add(staging.put(datagram, 0, datagram.length), datagram.length, transport.id(), to,
                        System.nanoTime(), i == 17);
            }
            assertEquals(0, batch.flush(), "none sent by the worker");
            for (int i = 0; i < 20; i++) {
                DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                receiver.receive(packet);
                assertArrayEquals(datagram(i), Arrays.copyOf(packet.getData(), packet.getLength()), "datagram " + i);
            }
            assertEquals(0, drops.total(), "nothing dropped");
        } finally {
            transport.close();
        }
    }

    /** A datagram whose length and bytes both depend on {@code i}. */
    private static byte[] datagram(int i) {
        byte[] datagram = new byte[100 + (i * 37) % 1_100];
        for (int j = 0; j < datagram.length; j++) {
            datagram[j] = (byte) (i * 31 + j);
        }
        return datagram;
    }
}
