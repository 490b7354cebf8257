package dev.relay.transport;

import dev.relay.codecs.Demux;
import dev.relay.codecs.PacketKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;

/**
 * The UDP socket of one relay-to-relay pipe (docs/scale-out.md "Rooms across nodes"): each end
 * of a pipe has one, so a pipe is its own 5-tuple and the two nodes can pipe several rooms
 * without sharing a demultiplexing key. There is no ICE and no DTLS on it: the SRTP keys come from
 * the authenticated control channel ({@code PipeKeyExchange}), and media is taken only from the
 * other end's address, which the control channel also gave. Anything else is dropped and
 * counted. SRTP and SRTCP go to the owning worker as the main port's do.
 */
public final class PipeSocket implements AutoCloseable {
    /** What a pipe's workers may queue for its event loop: ~700 full-size datagrams. */
    static final int EGRESS_RING_BYTES = 1 << 20;

    private final Channel channel;
    private final Handler handler;

    private PipeSocket(Channel channel, Handler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    static PipeSocket open(EventLoopGroup group, boolean epoll, String bindAddress, DropCounters drops)
            throws InterruptedException {
        Handler handler = new Handler(drops);
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MediaServer.MAX_DATAGRAM))
                .handler(handler);
        Channel channel = bootstrap.bind(new InetSocketAddress(bindAddress, 0)).sync().channel();
        return new PipeSocket(channel, handler);
    }

    /** The port the other end sends to (with this node's address). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * From the moment this returns, media from {@code peer} goes to {@code transport} and
     * {@code transport}'s media goes to {@code peer}; closing the Transport closes this socket.
     * Once per socket; waits for the socket's event loop to take the peer.
     */
    public void connect(Transport transport, InetSocketAddress peer) {
        DatagramEgress egress = new DatagramEgress(-1, channel, EGRESS_RING_BYTES, handler.drops);
        Runnable bind = () -> {
            handler.connect(transport, peer);
            egress.register(transport);
        };
        // Done before this returns: the other end may send the moment it hears of this end.
        if (channel.eventLoop().inEventLoop()) {
            bind.run();
        } else {
            channel.eventLoop().submit(bind).syncUninterruptibly();
        }
        transport.pipeTo(egress, peer);
        transport.onClose(this::close);
    }

    @Override
    public void close() {
        channel.close();
    }

    /** True while the socket is open (tests). */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Demultiplexes the pipe's socket: SRTP and SRTCP from the other end only. Event-loop thread. */
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final DropCounters drops;
        private final InboundHandoff handoff;
        private final byte[] scratch = new byte[MediaServer.MAX_DATAGRAM];
        private Transport transport;
        private InetSocketAddress peer;

        Handler(DropCounters drops) {
            this.drops = drops;
            this.handoff = new InboundHandoff(drops);
        }

        void connect(Transport transport, InetSocketAddress peer) {
            this.transport = transport;
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            try {
                ByteBuf content = packet.content();
                int len = content.readableBytes();
                if (peer == null || !peer.equals(packet.sender())) {
                    drops.increment(DropReason.UNVALIDATED_ADDRESS);
                    return;
                }
                if (len > scratch.length) {
                    drops.increment(DropReason.UNKNOWN_KIND);
                    return;
                }
                content.getBytes(content.readerIndex(), scratch, 0, len);
                PacketKind kind = Demux.classify(scratch, 0, len);
                if (kind == PacketKind.RTP) {
                    handoff.toWorker(transport, scratch, 0, len, InboundRecord.MSG_SRTP, System.nanoTime());
                } else if (kind == PacketKind.RTCP) {
                    handoff.toWorker(transport, scratch, 0, len, InboundRecord.MSG_SRTCP, System.nanoTime());
                } else {
                    drops.increment(DropReason.UNKNOWN_KIND);
                }
            } catch (RuntimeException e) {
                drops.increment(DropReason.UNKNOWN_KIND);
            } finally {
                packet.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            handoff.signalAll();
        }

        /** A send the kernel refused (the other end's network unreachable): counted, the socket stays. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            drops.increment(DropReason.SEND_FAILED);
        }
    }
}
