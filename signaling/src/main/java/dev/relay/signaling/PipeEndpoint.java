package dev.relay.signaling;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The pipe control endpoint, {@link RoomPipes#PATH} on the HTTP port (docs/scale-out.md "Rooms
 * across nodes"): an upgrade to it takes the connection off the signaling path (no origin or
 * token checks: the first message must carry the cluster secret's tag, else the pipe is refused
 * and closed); its text messages go to {@link RoomPipes} on the control thread. 404 on a relay
 * that is not a pipe-capable cluster node.
 */
final class PipeEndpoint extends ChannelInboundHandlerAdapter {
    private final Supplier<RoomPipes> pipes;
    private final Executor control;

    PipeEndpoint(Supplier<RoomPipes> pipes, Executor control) {
        this.pipes = pipes;
        this.control = control;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)
                || !new QueryStringDecoder(request.uri()).path().equals(RoomPipes.PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        RoomPipes roomPipes = pipes.get();
        if (roomPipes == null) {
            try {
                HttpServer.respondAndClose(ctx, HttpResponseStatus.NOT_FOUND, "not found\n");
            } finally {
                request.release();
            }
            return;
        }
        // This connection is a pipe's from now on: the signaling handlers after this one go.
        ChannelPipeline pipeline = ctx.pipeline();
        List<String> names = pipeline.names();
        for (String name : new ArrayList<>(names.subList(names.indexOf(ctx.name()) + 1, names.size()))) {
            if (pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
        pipeline.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath(RoomPipes.PATH).maxFramePayloadLength(RoomPipes.MAX_MESSAGE_CHARS).build()),
                new WebSocketFrameAggregator(RoomPipes.MAX_MESSAGE_CHARS),
                new Frames(roomPipes, control));
        request.setUri(RoomPipes.PATH);
        pipeline.remove(this);
        ctx.fireChannelRead(request);
    }

    /** One pipe's control channel, accepted. */
    private static final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final RoomPipes pipes;
        private final Executor control;
        /** Set and read on the control thread only (tasks run there in order). */
        private Pipe pipe;

        Frames(RoomPipes pipes, Executor control) {
            this.pipes = pipes;
            this.control = control;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                Channel ch = ctx.channel();
                ConnectionGuard guard = ch.pipeline().get(ConnectionGuard.class);
                Pipe.Link link = new Pipe.Link() {
                    @Override
                    public void send(String text) {
                        ch.writeAndFlush(new TextWebSocketFrame(text));
                    }

                    @Override
                    public void close() {
                        ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
                    }

                    @Override
                    public void authenticated() {
                        if (guard != null) {
                            guard.joined();
                        }
                    }
                };
                control.execute(() -> pipe = pipes.accepted(link));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                String message = text.text();
                control.execute(() -> {
                    if (pipe != null) {
                        pipes.onText(pipe, message);
                    }
                });
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            control.execute(() -> {
                if (pipe != null) {
                    pipes.closed(pipe, "control channel closed");
                }
            });
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
