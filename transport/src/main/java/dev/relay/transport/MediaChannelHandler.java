package dev.relay.transport;

import dev.relay.codecs.Demux;
import dev.relay.codecs.PacketKind;
import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    /** A binding indication (RFC 8489 §3): keepalive, needs no answer. */
    private static final int BINDING_INDICATION = 0x0011;

    /**
     * 32 MiB per socket, ~27,000 full-size datagrams between the workers and the socket: a
     * keyframe (10+ packets) fanned out to 1,000 subscribers arrives as one burst.
     */
    static final int EGRESS_RING_BYTES = 32 << 20;

    private final TransportRegistry registry;
    private final DropCounters drops;
    private final int index;
    private ChannelEgress egress;
    private final WorkerInbox[] toSignal = new WorkerInbox[16];
    private int toSignalCount;
    private final byte[] scratch = new byte[MediaServer.MAX_DATAGRAM * 2];
    private final byte[] reply = new byte[512];
    private final StunMessage stun = new StunMessage();
    private final StunMessageWriter stunWriter = new StunMessageWriter();
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
        this.registry = registry;
        this.drops = drops;
        this.index = index;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        egress = new ChannelEgress(index, ctx.channel(), EGRESS_RING_BYTES, drops);
    }

    ChannelEgress egress() {
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
        if (!stun.wrap(scratch, 0, len)) {
            drops.increment(DropReason.STUN_MALFORMED);
            return;
        }
        if (!stun.isBindingRequest()) {
            if (stun.messageType() != BINDING_INDICATION) {
                drops.increment(DropReason.STUN_UNEXPECTED);
            }
            return;
        }
        int usernameOffset = stun.usernameOffset();
        if (usernameOffset < 0) {
            drops.increment(DropReason.STUN_UNKNOWN_USERNAME);
            return;
        }
        int usernameLength = stun.usernameLength();
        int colon = -1;
        for (int i = 0; i < usernameLength; i++) {
            if (scratch[usernameOffset + i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            drops.increment(DropReason.STUN_UNKNOWN_USERNAME);
            return;
        }
        // RFC 8445 §7.2.2: the first part of USERNAME is our ufrag. A String here is fine: checks
        // are a few per second per peer, media never takes this branch.
        Transport transport = registry.byUfrag(new String(scratch, usernameOffset, colon, StandardCharsets.US_ASCII));
        if (transport == null || transport.isClosed()) {
            drops.increment(DropReason.STUN_UNKNOWN_USERNAME);
            return;
        }
        byte[] key = transport.ice().integrityKey();
        if (!stun.checkFingerprint() || !stun.checkMessageIntegrity(key)) {
            drops.increment(DropReason.STUN_BAD_INTEGRITY);
            return;
        }
        if (!remember(sender, transport)) {
            drops.increment(DropReason.ICE_ADDRESS_LIMIT);
            return;
        }
        byte[] ip = sender.getAddress().getAddress();
        int replyLength = stunWriter.writeBindingSuccess(reply, 0, scratch, stun.transactionIdOffset(), ip,
                sender.getPort(), key);
        ByteBuf out = ctx.alloc().directBuffer(replyLength);
        out.writeBytes(reply, 0, replyLength);
        ctx.writeAndFlush(new DatagramPacket(out, sender), ctx.voidPromise());
        egress.register(transport);
        transport.onValidatedRequest(egress, sender, stun.useCandidate(), System.nanoTime());
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
        Transport transport = validatedTransport(sender);
        WorkerInbox inbox;
        if (transport == null || (inbox = transport.inbox()) == null) {
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            return;
        }
        if (!InboundRecord.write(inbox.ring(), msgType, transport.id(), System.nanoTime(), scratch, 0, len)) {
            drops.increment(DropReason.RING_FULL);
            return;
        }
        markToSignal(inbox);
    }

    /** Workers written to during this read batch; signalled once in channelReadComplete. */
    private void markToSignal(WorkerInbox inbox) {
        for (int i = 0; i < toSignalCount; i++) {
            if (toSignal[i] == inbox) {
                return;
            }
        }
        if (toSignalCount == toSignal.length) {
            inbox.signal();
            return;
        }
        toSignal[toSignalCount++] = inbox;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // recvmmsg hands us a batch of datagrams, then this: one wake-up per worker per batch.
        for (int i = 0; i < toSignalCount; i++) {
            toSignal[i].signal();
            toSignal[i] = null;
        }
        toSignalCount = 0;
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
