package dev.relay.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what ICE-TCP connections can hold before they prove anything: at most
 * {@code maxConnections} open in all, and at most {@code maxUnboundPerAddress} from one IP
 * address that no valid ICE check has bound yet (a connection costs a few KiB until then, and
 * its ring only once bound). A refused connection is closed at once and counted
 * ({@link DropReason#TCP_CONNECTION_LIMIT}). Shared by every connection of the listener; any
 * event-loop thread.
 */
@ChannelHandler.Sharable
final class TcpConnectionGate extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Boolean> BOUND = AttributeKey.valueOf("relay.ice-tcp.bound");
    private static final AttributeKey<Boolean> ADMITTED = AttributeKey.valueOf("relay.ice-tcp.admitted");

    private final int maxConnections;
    private final int maxUnboundPerAddress;
    private final DropCounters drops;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> unbound = new ConcurrentHashMap<>();

    TcpConnectionGate(int maxConnections, int maxUnboundPerAddress, DropCounters drops) {
        this.maxConnections = maxConnections;
        this.maxUnboundPerAddress = maxUnboundPerAddress;
        this.drops = drops;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        InetAddress address = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refuse(ctx);
            return;
        }
        if (unbound.merge(address, 1, Integer::sum) > maxUnboundPerAddress) {
            release(address);
            open.decrementAndGet();
            refuse(ctx);
            return;
        }
        channel.attr(ADMITTED).set(Boolean.TRUE);
        ctx.fireChannelActive();
    }

    /** A valid ICE check bound {@code channel} to its Transport: it no longer counts as unbound. */
    void bound(Channel channel) {
        if (channel.attr(ADMITTED).get() != null && channel.attr(BOUND).setIfAbsent(Boolean.TRUE) == null) {
            release(((InetSocketAddress) channel.remoteAddress()).getAddress());
        }
    }

    /** Nothing from a refused connection reaches the handlers behind the gate. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ctx.channel().attr(ADMITTED).get() == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (channel.attr(ADMITTED).getAndSet(null) == null) {
            return;
        }
        open.decrementAndGet();
        if (channel.attr(BOUND).get() == null) {
            release(((InetSocketAddress) channel.remoteAddress()).getAddress());
        }
        ctx.fireChannelInactive();
    }

    /** Open connections (metrics, tests). */
    int open() {
        return open.get();
    }

    /** Addresses with an unbound connection (tests: the map must not grow without bound). */
    int addressesTracked() {
        return unbound.size();
    }

    private void release(InetAddress address) {
        unbound.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    private void refuse(ChannelHandlerContext ctx) {
        drops.increment(DropReason.TCP_CONNECTION_LIMIT);
        ctx.channel().config().setAutoRead(false);
        ctx.close();
    }
}
