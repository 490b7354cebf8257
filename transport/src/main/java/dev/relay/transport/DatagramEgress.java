package dev.relay.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The egress of one UDP socket. On an epoll socket the media workers send themselves, one
 * sendmmsg(2) per worker, socket and duty cycle ({@link DatagramBatch}); otherwise (NIO, or a
 * Netty without the native call {@link NativeSendmmsg} needs) each worker's records go through
 * the ring, and the event loop sends each as one datagram to its Transport's selected address,
 * which it resolves through a map only it writes ({@link #register}).
 */
final class DatagramEgress extends ChannelEgress {
    private final Int2ObjectHashMap<Transport> transports = new Int2ObjectHashMap<>();
    /** The socket's native descriptor when workers send on it themselves, else -1. */
    private final int fd;
    private final boolean ipv6;

    DatagramEgress(int index, Channel channel, int ringBytes, DropCounters drops) {
        super(index, channel, ringBytes, drops);
        // A socket outside the workers' dense index (a relay-to-relay pipe's) goes through the ring.
        if (index >= 0 && workersCanSend(channel)) {
            EpollDatagramChannel epoll = (EpollDatagramChannel) channel;
            this.fd = epoll.fd().intValue();
            this.ipv6 = NativeSendmmsg.isIpv6(epoll.fd());
        } else {
            this.fd = -1;
            this.ipv6 = false;
        }
    }

    /** True if media workers can send on {@code channel} themselves: an epoll socket, and the native call. */
    static boolean workersCanSend(Channel channel) {
        return NativeSendmmsg.AVAILABLE && channel instanceof EpollDatagramChannel;
    }

    /** True if media workers send on this socket themselves (sendmmsg), false if through the ring. */
    boolean workersSend() {
        return fd >= 0;
    }

    @Override
    boolean send(int transportId, Recipient to, EgressBatch batch, byte[] buf, int off, int len) {
        if (fd < 0) {
            return super.send(transportId, to, batch, buf, off, len);
        }
        return batch.sendDatagram(this, transportId, to, buf, off, len);
    }

    /** A worker's batch for this socket, over the worker's staging; called once per worker and socket. */
    DatagramBatch newBatch(DatagramStaging staging) {
        return new DatagramBatch(this, staging, fd, ipv6, drops);
    }

    /**
     * Event-loop thread: lets records for this Transport be addressed, until it closes (then the
     * entry is removed on this loop, so a closed Transport is never kept alive from here).
     */
    void register(Transport transport) {
        if (transports.get(transport.id()) == transport) {
            return;
        }
        transports.put(transport.id(), transport);
        transport.onClose(() -> execute(() -> transports.remove(transport.id(), transport)));
    }

    /** Transports this socket can address (event-loop thread; for tests and metrics). */
    int registered() {
        return transports.size();
    }

    @Override
    protected boolean writeRecord(int transportId, DirectBuffer buffer, int index, int len) {
        Transport transport = transports.get(transportId);
        InetSocketAddress remote;
        if (transport == null || transport.isClosed() || (remote = transport.selectedRemote()) == null) {
            if (transport != null && transport.isClosed()) {
                transports.remove(transportId);
            }
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            return false;
        }
        Channel channel = channel();
        ByteBuf out = channel.alloc().directBuffer(len);
        copy(buffer, index, out, len);
        channel.write(new DatagramPacket(out, remote), channel.voidPromise());
        return true;
    }

    @Override
    void sendControl(byte[] buf, int off, int len, InetSocketAddress remote) {
        Channel channel = channel();
        ByteBuf out = channel.alloc().directBuffer(len);
        out.writeBytes(buf, off, len);
        channel.writeAndFlush(new DatagramPacket(out, remote), channel.voidPromise());
    }
}
