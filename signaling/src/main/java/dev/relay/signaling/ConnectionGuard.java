package dev.relay.signaling;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection on the public port, against what a client may hold (docs/signaling.md
 * "Limits"): the connection count of its source address, the time it may stay without joining,
 * and how long it may leave the relay's writes unread. One per channel; its state is the
 * channel's event loop's, except the shared {@link Addresses}.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    /** RFC 6455 §7.4.1 "policy violation". */
    static final int CLOSE_POLICY_VIOLATION = 1008;

    /** Connections open per source address, shared by every channel of the port. */
    static final class Addresses {
        private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

        int add(InetAddress address) {
            return open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        }

        void remove(InetAddress address) {
            open.computeIfPresent(address, (a, n) -> n.decrementAndGet() == 0 ? null : n);
        }

        /** Addresses with a connection open; for tests (the map must not keep closed ones). */
        int size() {
            return open.size();
        }
    }

    private final Addresses addresses;
    private final Limits limits;
    private final LimitCounters counters;
    private final LogThrottle warnings;
    private InetAddress address;
    private boolean overCap;
    /** Set once the WebSocket joined a room (read on the event loop, written by the control thread). */
    private volatile boolean joined;
    private long unwritableSince = -1;
    private boolean slowReaderClosed;
    /**
     * Cancelled when the channel closes: a pending task holds the whole pipeline, and 1,500
     * short sessions would otherwise keep theirs until the deadline (SessionCleanupTest).
     */
    private ScheduledFuture<?> deadline;
    private ScheduledFuture<?> slowReaderCheck;

    ConnectionGuard(Addresses addresses, Limits limits, LimitCounters counters, LogThrottle warnings) {
        this.addresses = addresses;
        this.limits = limits;
        this.counters = counters;
        this.warnings = warnings;
    }

    /** The connection joined a room: the join deadline no longer applies. Any thread. */
    void joined() {
        joined = true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            address = remote.getAddress();
            if (addresses.add(address) > limits.connectionsPerAddress()) {
                // Answered at its first request (429, with a reason), or closed by the join deadline.
                overCap = true;
                counters.refused(Limit.CONNECTIONS_PER_ADDRESS);
                warnings.warn("connections", "refused a connection from {}: {} open, at most {} per address",
                        address.getHostAddress(), limits.connectionsPerAddress() + 1, limits.connectionsPerAddress());
            }
        }
        deadline = ctx.executor().schedule(() -> joinDeadline(ctx), limits.joinTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (address != null) {
            addresses.remove(address);
            address = null;
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (slowReaderCheck != null) {
            slowReaderCheck.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (overCap && msg instanceof HttpRequest) {
            ReferenceCountUtil.release(msg);
            HttpServer.respondAndClose(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "limit_exceeded: "
                    + Limit.CONNECTIONS_PER_ADDRESS.wireName() + ": more than " + limits.connectionsPerAddress()
                    + " connections from your address\n");
            return;
        }
        super.channelRead(ctx, msg);
    }

    /**
     * A socket that has not joined by the deadline is closed: a WebSocket with 1008 and a reason,
     * plain HTTP (a page load, a scrape on a kept-alive connection) without one.
     */
    private void joinDeadline(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (joined || !ch.isActive()) {
            return;
        }
        counters.refused(Limit.JOIN_TIMEOUT);
        if (ch.attr(HttpServer.CONNECTION).get() != null) {
            ch.writeAndFlush(new CloseWebSocketFrame(CLOSE_POLICY_VIOLATION, Limit.JOIN_TIMEOUT.wireName()
                    + ": no join within " + limits.joinTimeout().toMillis() + " ms"))
                    .addListener(ChannelFutureListener.CLOSE);
            // A peer that does not read the close frame still loses the socket.
            ctx.executor().schedule(() -> ch.close(), 1, TimeUnit.SECONDS);
        } else {
            ch.close();
        }
    }

    /**
     * Above the high water mark the socket is unwritable; if it stays so for the slow-reader
     * timeout, its reader is not keeping up and it is closed, releasing what was queued.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        if (!ch.isWritable() && unwritableSince < 0) {
            long since = System.nanoTime();
            unwritableSince = since;
            slowReaderCheck = ctx.executor().schedule(() -> {
                if (unwritableSince == since && !ch.isWritable() && ch.isActive()) {
                    closeSlowReader(ch, "unwritable for " + limits.slowReaderTimeout().toMillis() + " ms");
                }
            }, limits.slowReaderTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } else if (ch.isWritable()) {
            unwritableSince = -1;
        }
        super.channelWritabilityChanged(ctx);
    }

    /**
     * True if a message may be queued; any thread (the close it may do is the channel's own). A socket that already holds several times
     * the high water mark is closed at once: its reader is far behind, waiting is only memory.
     */
    boolean mayQueue(Channel ch) {
        if (ch.isWritable()) {
            return true;
        }
        if (ch.bytesBeforeWritable() > 3L * limits.writeBufferHighBytes()) {
            String why = "more than " + 4L * limits.writeBufferHighBytes() + " bytes queued";
            if (ch.eventLoop().inEventLoop()) {
                closeSlowReader(ch, why);
            } else {
                ch.eventLoop().execute(() -> closeSlowReader(ch, why));
            }
            return false;
        }
        return true;
    }

    /** Event loop only. */
    private void closeSlowReader(Channel ch, String why) {
        if (slowReaderClosed || !ch.isActive()) {
            return;
        }
        slowReaderClosed = true;
        counters.refused(Limit.SLOW_READER);
        warnings.warn("slow reader", "closed {}: it does not read what the relay sends ({})", ch.remoteAddress(),
                why);
        ch.close(); // a close frame would only queue behind the unread bytes
    }
}
