package dev.relay.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one TCP port for peers that cannot use UDP: passive ICE-TCP candidates (RFC 6544), every
 * connection framed per RFC 4571 and handled by its own {@link TcpMediaHandler}, behind a
 * {@link TcpConnectionGate}. Sends never wait for a slow peer: each connection's kernel send
 * buffer is small and its Netty outbound buffer has a high-water mark above which media is
 * dropped and counted ({@link StreamEgress}), so a stalled peer holds at most a few hundred KiB
 * and delays nobody else.
 */
public final class TcpMediaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpMediaServer.class);
    /** Open ICE-TCP connections in all; each bound one holds a {@link StreamEgress#RING_BYTES} ring. */
    public static final int MAX_CONNECTIONS = 4096;
    /**
     * Connections from one IP address that no valid ICE check has bound yet. A connection is
     * unbound for about a round trip (the browser's first check follows its connect), but an
     * office behind one NAT address, exactly the network that blocks UDP, may open dozens at
     * once when a meeting starts; each costs a few KiB until bound.
     */
    public static final int MAX_UNBOUND_PER_ADDRESS = 64;
    /**
     * Above this much queued in Netty a connection's media is dropped (about 0.2 s of a 2.5 Mbit/s
     * stream): real-time media that late is worth less than the delay it adds for what follows.
     */
    static final int HIGH_WATER_MARK = 64 * 1024;
    static final int LOW_WATER_MARK = 32 * 1024;
    /** The kernel's share of the queue (it doubles what is asked, socket(7)). */
    static final int SEND_BUFFER_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel listener;
    private final TcpConnectionGate gate;
    private final int port;

    private TcpMediaServer(EventLoopGroup group, Channel listener, TcpConnectionGate gate) {
        this.group = group;
        this.listener = listener;
        this.gate = gate;
        this.port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Listens on {@code port} (0: any free port) with {@code ioThreads} event loops. */
    public static TcpMediaServer start(String bindAddress, int port, int ioThreads, TransportRegistry registry,
                                       DropCounters drops) throws InterruptedException {
        return start(bindAddress, port, ioThreads, registry, drops, TcpMediaHandler.BIND_TIMEOUT_MILLIS);
    }

    /** As {@link #start(String, int, int, TransportRegistry, DropCounters)}; tests shorten the bind timeout. */
    static TcpMediaServer start(String bindAddress, int port, int ioThreads, TransportRegistry registry,
                                DropCounters drops, long bindTimeoutMillis) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.max(1, ioThreads),
                new DefaultThreadFactory("media-tcp", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        TcpConnectionGate gate = new TcpConnectionGate(MAX_CONNECTIONS, MAX_UNBOUND_PER_ADDRESS, drops);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(gate, new TcpMediaHandler(registry, gate, drops, bindTimeoutMillis));
                    }
                });
        Channel listener;
        try {
            listener = bootstrap.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            throw e;
        }
        TcpMediaServer server = new TcpMediaServer(group, listener, gate);
        LOG.info("media TCP port {} on {} (ICE-TCP passive, RFC 6544)", server.port, bindAddress);
        return server;
    }

    public int port() {
        return port;
    }

    /** Addresses with a connection no check has bound yet (tests: must not grow without bound). */
    int unboundAddresses() {
        return gate.addressesTracked();
    }

    /** Open ICE-TCP connections, bound or not. */
    public int connections() {
        return gate.open();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
