package dev.relay.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one UDP port all peers share. On Linux: {@code ioThreads} epoll sockets bound to the same
 * port with SO_REUSEPORT (the kernel spreads peers by 4-tuple, so one peer always lands on one
 * socket and its handler's address map), each read with recvmmsg. Elsewhere: one NIO socket.
 */
public final class MediaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaServer.class);
    /** 4 MiB is what the kernels we run on grant (net.core.rmem_max); smaller buffers drop bursts. */
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /** Largest datagram we accept; WebRTC keeps packets under the ~1200-byte path MTU. */
    public static final int MAX_DATAGRAM = 1500;
    /** Upper bound on SO_REUSEPORT sockets; workers keep per-socket state in arrays this long. */
    public static final int MAX_SOCKETS = 64;

    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final int port;

    private MediaServer(EventLoopGroup group, int port) {
        this.group = group;
        this.port = port;
    }

    public static MediaServer start(String bindAddress, int port, int ioThreads, TransportRegistry registry,
                                    DropCounters drops) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        int sockets = epoll ? Math.max(1, Math.min(MAX_SOCKETS, ioThreads)) : 1;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(sockets, new DefaultThreadFactory("media-io", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        if (epoll) {
            bootstrap.channel(EpollDatagramChannel.class)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    // recvmmsg: up to 64 KiB / 1500 B datagrams per syscall, far fewer syscalls than one read each.
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 1024))
                    // Workers send on these sockets themselves and must not overtake what the event
                    // loop still holds for them (DatagramBatch): any byte pending in Netty's outbound
                    // buffer makes the channel unwritable, which ChannelEgress.holds reads.
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1, 1));
        } else {
            bootstrap.channel(NioDatagramChannel.class)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        }
        bootstrap.handler(new MediaChannelInitializer(registry, drops));
        List<Channel> bound = new ArrayList<>();
        int boundPort = port;
        try {
            for (int i = 0; i < sockets; i++) {
                Channel channel = bootstrap.bind(new InetSocketAddress(bindAddress, boundPort)).sync().channel();
                boundPort = ((InetSocketAddress) channel.localAddress()).getPort();
                bound.add(channel);
            }
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            throw e;
        }
        MediaServer server = new MediaServer(group, boundPort);
        server.channels.addAll(bound);
        LOG.info("media UDP port {} on {} ({} x {} socket{})", boundPort, bindAddress, sockets,
                epoll ? "epoll SO_REUSEPORT" : "NIO", sockets == 1 ? "" : "s");
        return server;
    }

    public int port() {
        return port;
    }

    /**
     * A UDP socket of its own for one relay-to-relay pipe, on an ephemeral port of {@code bindAddress},
     * served by this server's event loops (docs/scale-out.md "Rooms across nodes").
     */
    public PipeSocket openPipe(String bindAddress, DropCounters drops) throws InterruptedException {
        return PipeSocket.open(group, channels.get(0) instanceof EpollDatagramChannel, bindAddress, drops);
    }

    /** Each socket's egress (its ring to the event loop), in socket order; for metrics. */
    public List<ChannelEgress> egress() {
        List<ChannelEgress> egress = new ArrayList<>();
        for (Channel channel : channels) {
            MediaChannelHandler handler = channel.pipeline().get(MediaChannelHandler.class);
            if (handler != null && handler.egress() != null) {
                egress.add(handler.egress());
            }
        }
        return egress;
    }

    @Override
    public void close() {
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
