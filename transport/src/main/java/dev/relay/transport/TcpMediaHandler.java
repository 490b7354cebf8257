package dev.relay.transport;

import dev.relay.codecs.Demux;
import dev.relay.codecs.PacketKind;
import dev.relay.codecs.Rfc4571Framing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One passive ICE-TCP connection (RFC 6544): the peer's active candidate connected to our
 * passive one. The stream is split into packets (RFC 4571, {@link Rfc4571Framing}) and demultiplexed as
 * on UDP (RFC 7983): a STUN check that authenticates binds the connection to its Transport for
 * good (one connection is one candidate pair, RFC 6544 §3), DTLS goes to that Transport's
 * handshake, SRTP/SRTCP to its media worker. Until a check binds it, a connection may only send
 * STUN and is closed after {@link #BIND_TIMEOUT_MILLIS} (by default); it closes when its Transport does.
 * One instance per connection, on that connection's event loop.
 */
final class TcpMediaHandler extends ChannelInboundHandlerAdapter implements Rfc4571Framing.PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TcpMediaHandler.class);
    /** A connection with no valid ICE check this long after it opened is closed. */
    static final long BIND_TIMEOUT_MILLIS = 10_000;

    private final long bindTimeoutMillis;
    private final TcpConnectionGate gate;
    private final DropCounters drops;
    private final IceCheck check;
    private final InboundHandoff handoff;
    private final Rfc4571Framing framing = new Rfc4571Framing(MediaServer.MAX_DATAGRAM);
    /** What one read hands the framing at a time, copied out of Netty's buffer. */
    private final byte[] chunk = new byte[4096];
    private final byte[] reply = new byte[512];
    private ChannelHandlerContext ctx;
    private StreamEgress egress;
    private InetSocketAddress remote;
    private Transport bound;
    private ScheduledFuture<?> bindTimeout;
    /** Closes this connection when its Transport closes; withdrawn if the connection goes first. */
    private Runnable closer;

    TcpMediaHandler(TransportRegistry registry, TcpConnectionGate gate, DropCounters drops, long bindTimeoutMillis) {
        this.bindTimeoutMillis = bindTimeoutMillis;
        this.gate = gate;
        this.drops = drops;
        this.check = new IceCheck(registry, drops);
        this.handoff = new InboundHandoff(drops);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.remote = (InetSocketAddress) ctx.channel().remoteAddress();
        bindTimeout = ctx.executor().schedule(() -> {
            if (bound == null) {
                drops.increment(DropReason.TCP_CONNECTION_LIMIT);
                ctx.close();
            }
        }, bindTimeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            while (in.isReadable()) {
                int n = Math.min(chunk.length, in.readableBytes());
                in.readBytes(chunk, 0, n);
                if (!framing.feed(chunk, 0, n, this)) {
                    drops.increment(DropReason.TCP_BAD_STREAM);
                    ctx.close();
                    break;
                }
            }
        } catch (RuntimeException e) {
            // Bad input must never kill the event loop; count it and drop the connection.
            drops.increment(DropReason.TCP_BAD_STREAM);
            LOG.debug("ICE-TCP stream handling failed", e);
            ctx.close();
        } finally {
            in.release();
        }
    }

    @Override
    public void onPacket(byte[] buf, int len) {
        if (!ctx.channel().isActive()) {
            return;
        }
        PacketKind kind = Demux.classify(buf, 0, len);
        if (kind == PacketKind.STUN) {
            onStun(buf, len);
        } else if (bound == null) {
            // Only a valid check opens a connection; anything else first is not an ICE peer.
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            ctx.close();
        } else if (kind == PacketKind.DTLS) {
            if (!bound.offerDtls(buf, 0, len)) {
                drops.increment(DropReason.DTLS_REJECTED);
            }
        } else if (kind == PacketKind.RTP) {
            handoff.toWorker(bound, buf, 0, len, InboundRecord.MSG_SRTP, System.nanoTime());
        } else if (kind == PacketKind.RTCP) {
            handoff.toWorker(bound, buf, 0, len, InboundRecord.MSG_SRTCP, System.nanoTime());
        } else {
            drops.increment(DropReason.UNKNOWN_KIND);
        }
    }

    private void onStun(byte[] buf, int len) {
        Transport transport = check.authenticate(buf, len);
        if (transport == null) {
            return;
        }
        if (bound == null) {
            if (!transport.tryAddAddress()) {
                drops.increment(DropReason.ICE_ADDRESS_LIMIT);
                return;
            }
            bound = transport;
            // The ring is taken only now: a connection that never authenticates holds a few KiB.
            egress = new StreamEgress(ctx.channel(), drops);
            bindTimeout.cancel(false);
            gate.bound(ctx.channel());
            closer = ctx.channel()::close;
            transport.onClose(closer);
        } else if (transport != bound) {
            // RFC 6544 §3: a connection belongs to one candidate pair, hence to one Transport.
            drops.increment(DropReason.STUN_UNEXPECTED);
            return;
        }
        int replyLength = check.writeSuccess(reply, 0, remote);
        ByteBuf out = ctx.alloc().directBuffer(Rfc4571Framing.HEADER + replyLength);
        out.writeShort(replyLength);
        out.writeBytes(reply, 0, replyLength);
        ctx.writeAndFlush(out, ctx.voidPromise());
        transport.onValidatedRequest(egress, remote, check.useCandidate(), System.nanoTime());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        handoff.signalAll();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (bindTimeout != null) {
            bindTimeout.cancel(false);
        }
        Transport transport = bound;
        if (transport != null) {
            transport.pathClosed(egress, remote);
            transport.addressForgotten();
            transport.cancelOnClose(closer);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: the peer is gone; nothing to count beyond the close.
        LOG.debug("ICE-TCP connection from {} failed: {}", remote, cause.toString());
        ctx.close();
    }

    /** The Transport a valid check bound this connection to, or null (tests). */
    Transport bound() {
        return bound;
    }
}
