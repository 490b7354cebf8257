package dev.relay.transport;

import dev.relay.codecs.Rfc4571Framing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.agrona.DirectBuffer;

/**
 * The egress of one ICE-TCP connection (RFC 6544): each record goes on the stream with the
 * RFC 4571 two-byte length before it. A peer that does not read is never waited for: while the
 * connection's outbound buffer is above its high-water mark ({@link TcpMediaServer}) records are
 * dropped and counted ({@link DropReason#TCP_SEND_BLOCKED}), so what one slow TCP peer holds is
 * bounded and no other peer's media waits behind it.
 */
final class StreamEgress extends ChannelEgress {
    /**
     * A TCP connection carries one peer's media: about 85 full packets, more than a keyframe's
     * burst to one subscriber within one worker cycle.
     */
    static final int RING_BYTES = 128 * 1024;

    StreamEgress(Channel channel, DropCounters drops) {
        super(-1, channel, RING_BYTES, drops);
    }

    @Override
    protected boolean writeRecord(int transportId, DirectBuffer buffer, int index, int len) {
        Channel channel = channel();
        if (!channel.isActive()) {
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            return false;
        }
        if (!channel.isWritable()) {
            drops.increment(DropReason.TCP_SEND_BLOCKED);
            return false;
        }
        ByteBuf out = channel.alloc().directBuffer(Rfc4571Framing.HEADER + len);
        out.writeShort(len);
        copy(buffer, index, out, len);
        channel.write(out, channel.voidPromise());
        return true;
    }

    /** The remote address is the connection's; a blocked connection drops control as it drops media. */
    @Override
    void sendControl(byte[] buf, int off, int len, InetSocketAddress remote) {
        Channel channel = channel();
        if (!channel.isActive() || !channel.isWritable()) {
            drops.increment(DropReason.TCP_SEND_BLOCKED);
            return;
        }
        ByteBuf out = channel.alloc().directBuffer(Rfc4571Framing.HEADER + len);
        out.writeShort(len);
        out.writeBytes(buf, off, len);
        channel.writeAndFlush(out, channel.voidPromise());
    }
}
