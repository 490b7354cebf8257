package dev.relay.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/** Each UDP socket gets its own handler: the handler's address map is then single-threaded. */
final class MediaChannelInitializer extends ChannelInitializer<Channel> {
    private final TransportRegistry registry;
    private final DropCounters drops;
    private final java.util.concurrent.atomic.AtomicInteger nextIndex = new java.util.concurrent.atomic.AtomicInteger();

    MediaChannelInitializer(TransportRegistry registry, DropCounters drops) {
        this.registry = registry;
        this.drops = drops;
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline().addLast(new MediaChannelHandler(registry, drops, nextIndex.getAndIncrement()));
    }
}
