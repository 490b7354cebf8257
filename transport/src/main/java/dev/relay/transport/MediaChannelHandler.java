package dev.relay.transport;

import dev.relay.codecs.Demux;
import dev.relay.codecs.PacketKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demultiplexes one UDP socket (RFC 7983): STUN is answered here, DTLS goes to the Transport's
 * handshake, SRTP/SRTCP is copied into the owning media worker's ring. One instance per socket,
 * so its state is touched by one event-loop thread only.
 */
final class MediaChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MediaChannelHandler.class);

    /**
     * 32 MiB per socket, ~27,000 full-size datagrams between the workers and the socket: a
     * keyframe (10+ packets) fanned out to 1,000 subscribers arrives as one burst.
     */
    static final int EGRESS_RING_BYTES = 32 << 20;
    /**
     * The ring of a socket the workers send on themselves ({@link DatagramEgress#workersSend}):
     * it takes only what a full send buffer or a worker that is behind hands over
     * ({@link DatagramBatch}): ~6,800 full-size datagrams, about 50 ms of a 1 -> 800 broadcast,
     * whose age limit would drop them anyway.
     */
    static final int SPILL_EGRESS_RING_BYTES = 8 << 20;

    private final DropCounters drops;
    private final int index;
    private DatagramEgress egress;
    private final IceCheck check;
    private final InboundHandoff handoff;
    private final byte[] scratch = new byte[MediaServer.MAX_DATAGRAM * 2];
    private final byte[] reply = new byte[512];
    /**
     * At most this many validated addresses per socket. Entries need valid ICE credentials, so
     * only participants make them; the cap bounds what one with many source addresses can.
     */
    static final int MAX_VALIDATED_ADDRESSES = 65_536;
    /**
     * Addresses that passed a STUN check on this socket, to the Transport they belong to, oldest
     * check first: a check moves its address to the end, the cap evicts from the front, and a
     * Transport's entries leave when it closes. Every operation O(1); event-loop thread only.
     */
    private final LinkedHashMap<InetSocketAddress, Transport> validated = new LinkedHashMap<>();

    MediaChannelHandler(TransportRegistry registry, DropCounters drops, int index) {
        this.drops = drops;
        this.index = index;
        this.check = new IceCheck(registry, drops);
        this.handoff = new InboundHandoff(drops);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        egress = new DatagramEgress(index, ctx.channel(),
                DatagramEgress.workersCanSend(ctx.channel()) ? SPILL_EGRESS_RING_BYTES : EGRESS_RING_BYTES, drops);
    }

    DatagramEgress egress() {
        return egress;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuf content = packet.content();
            int len = content.readableBytes();
            if (len > scratch.length) {
                drops.increment(DropReason.UNKNOWN_KIND);
                return;
            }
            content.getBytes(content.readerIndex(), scratch, 0, len);
            onDatagram(ctx, packet.sender(), len);
        } catch (RuntimeException e) {
            // Bad input must never kill the event loop; count it and carry on.
            drops.increment(DropReason.UNKNOWN_KIND);
            LOG.debug("datagram handling failed", e);
        } finally {
            packet.release();
        }
    }

    private void onDatagram(ChannelHandlerContext ctx, InetSocketAddress sender, int len) {
        PacketKind kind = Demux.classify(scratch, 0, len);
        switch (kind) {
            case STUN -> onStun(ctx, sender, len);
            case DTLS -> onDtls(sender, len);
            case RTP -> toWorker(sender, len, InboundRecord.MSG_SRTP);
            case RTCP -> toWorker(sender, len, InboundRecord.MSG_SRTCP);
            default -> drops.increment(DropReason.UNKNOWN_KIND);
        }
    }

    private void onStun(ChannelHandlerContext ctx, InetSocketAddress sender, int len) {
        Transport transport = check.authenticate(scratch, len);
        if (transport == null) {
            return;
        }
        if (!remember(sender, transport)) {
            drops.increment(DropReason.ICE_ADDRESS_LIMIT);
            return;
        }
        int replyLength = check.writeSuccess(reply, 0, sender);
        ByteBuf out = ctx.alloc().directBuffer(replyLength);
        out.writeBytes(reply, 0, replyLength);
        ctx.writeAndFlush(new DatagramPacket(out, sender), ctx.voidPromise());
        egress.register(transport);
        transport.onValidatedRequest(egress, sender, check.useCandidate(), System.nanoTime());
    }

    /**
     * Records that {@code sender} passed a check for {@code transport} (or refreshes its age);
     * false if the Transport already has as many addresses as it may.
     */
    private boolean remember(InetSocketAddress sender, Transport transport) {
        Transport previous = validated.remove(sender);
        if (previous == transport) {
            validated.put(sender, transport);
            return true;
        }
        if (previous != null) {
            previous.addressForgotten();
        }
        if (!transport.tryAddAddress()) {
            return false;
        }
        validated.put(sender, transport);
        transport.onClose(() -> egress.execute(() -> forget(sender, transport)));
        if (validated.size() > MAX_VALIDATED_ADDRESSES) {
            Iterator<Map.Entry<InetSocketAddress, Transport>> eldest = validated.entrySet().iterator();
            Map.Entry<InetSocketAddress, Transport> entry = eldest.next();
            eldest.remove();
            entry.getValue().addressForgotten();
        }
        return true;
    }

    /** Removes {@code address} if it still belongs to {@code transport}. Event-loop thread. */
    private void forget(InetSocketAddress address, Transport transport) {
        if (validated.remove(address, transport)) {
            transport.addressForgotten();
        }
    }

    /** Validated addresses held (event-loop thread; tests). */
    int validatedAddresses() {
        return validated.size();
    }

    private void onDtls(InetSocketAddress sender, int len) {
        Transport transport = validatedTransport(sender);
        if (transport == null) {
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            return;
        }
        if (!transport.offerDtls(scratch, 0, len)) {
            drops.increment(DropReason.DTLS_REJECTED);
        }
    }

    private void toWorker(InetSocketAddress sender, int len, int msgType) {
        handoff.toWorker(validatedTransport(sender), scratch, 0, len, msgType, System.nanoTime());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // recvmmsg hands us a batch of datagrams, then this: one wake-up per worker per batch.
        handoff.signalAll();
        ctx.fireChannelReadComplete();
    }

    private Transport validatedTransport(InetSocketAddress sender) {
        Transport transport = validated.get(sender);
        if (transport != null && transport.isClosed()) {
            forget(sender, transport);
            return null;
        }
        return transport;
    }
}
