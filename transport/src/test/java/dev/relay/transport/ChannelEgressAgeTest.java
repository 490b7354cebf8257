package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Media does not wait in the relay longer than {@link ChannelEgress#MAX_QUEUE_AGE_NANOS}: a record
 * whose stamp (when the relay received what it was made from) is older than that when the event
 * loop comes to it is dropped and counted as EGRESS_STALE, while fresh and unstamped records go
 * out. A LocalChannel stands in for the UDP socket.
 */
class ChannelEgressAgeTest {
    @Test
    void shouldDropWhatWaitedTooLongAndSendTheRest() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(1);
        ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
        LocalAddress address = new LocalAddress("egress-age-" + System.nanoTime());
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        DatagramPacket packet = (DatagramPacket) msg;
                        received.add((int) packet.content().getByte(packet.content().readerIndex()));
                        packet.release();
                    }
                }).bind(address).sync().channel();
        Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        DropCounters drops = new DropCounters();
        DatagramEgress egress = new DatagramEgress(0, client, 64 * 1024, drops);
        Transport transport = new TransportRegistry(drops).create();
        try {
            client.eventLoop().submit(() -> {
                egress.register(transport);
                transport.onValidatedRequest(egress, new InetSocketAddress("127.0.0.1", 5000), true, 1);
            }).sync();
            long now = System.nanoTime();
            long late = ChannelEgress.MAX_QUEUE_AGE_NANOS + TimeUnit.MILLISECONDS.toNanos(20);
            // Hold the event loop so that all four wait in the ring together, as under load.
            client.eventLoop().submit(() -> {
                egress.offer(transport.id(), now, new byte[] {1}, 0, 1);
                egress.offer(transport.id(), now - late, new byte[] {2}, 0, 1);
                egress.offer(transport.id(), ChannelEgress.NO_STAMP, new byte[] {3}, 0, 1);
                egress.offer(transport.id(), now - TimeUnit.MILLISECONDS.toNanos(10), new byte[] {4}, 0, 1);
                egress.wake();
            }).sync();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received.size() + drops.get(DropReason.EGRESS_STALE) < 4 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("[1, 3, 4]", received.toString(), "fresh and unstamped records go out, in order");
            assertEquals(1, drops.get(DropReason.EGRESS_STALE), "the late one is counted");
            assertEquals(1, drops.total());
        } finally {
            client.close().sync();
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
