package dev.relay.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.signaling.auth.RefusalReason;
import dev.relay.signaling.auth.TokenRefusedException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** WebSocket frames of one signaling connection. */
final class SignalingFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingFrameHandler.class);

    private final SignalingService signaling;
    private final ConnectionGuard guard;
    private final ChannelGroup webSockets;
    private final Limits limits;
    private final LimitCounters counters;
    private final LogThrottle warnings;
    private final TokenBucket messages;
    /**
     * Refusals a connection may earn: a burst's worth, refilled at one a second. A client that
     * overshoots once gets errors; one that keeps on is closed within seconds.
     */
    private final TokenBucket strikes;
    private boolean closing;

    SignalingFrameHandler(SignalingService signaling, ConnectionGuard guard, ChannelGroup webSockets, Limits limits,
                 LimitCounters counters, LogThrottle warnings) {
        this.signaling = signaling;
        this.guard = guard;
        this.webSockets = webSockets;
        this.limits = limits;
        this.counters = counters;
        this.warnings = warnings;
        this.messages = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst(), System::nanoTime);
        this.strikes = new TokenBucket(1, limits.messageBurst(), System::nanoTime);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            Channel ch = ctx.channel();
            WebSocketGate.Admission admission = ch.attr(WebSocketGate.ADMISSION).getAndSet(null);
            if (admission == null || admission.refusal() != null) {
                refuse(ch, admission);
                super.userEventTriggered(ctx, evt);
                return;
            }
            Outbox outbox = new Outbox() {
                @Override
                public void send(ObjectNode message) {
                    if (!guard.mayQueue(ch)) {
                        return;
                    }
                    try {
                        ch.writeAndFlush(new TextWebSocketFrame(signaling.mapper().writeValueAsString(message)));
                    } catch (JsonProcessingException e) {
                        LOG.error("cannot serialise {}", message, e);
                    }
                }

                @Override
                public void close() {
                    ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }

                @Override
                public void close(int statusCode, String reason) {
                    ch.writeAndFlush(new CloseWebSocketFrame(statusCode, reason))
                            .addListener(ChannelFutureListener.CLOSE);
                }

                @Override
                public void joined() {
                    guard.joined();
                }
            };
            webSockets.add(ch);
            ch.attr(HttpServer.CONNECTION).set(new Connection(outbox, String.valueOf(ch.remoteAddress()),
                    admission.token()));
        }
        super.userEventTriggered(ctx, evt);
    }

    /** The upgrade's token was refused: the error, then the close; no signaling connection. */
    private void refuse(Channel ch, WebSocketGate.Admission admission) throws JsonProcessingException {
        TokenRefusedException refusal = admission != null ? admission.refusal()
                : new TokenRefusedException(RefusalReason.MISSING, "no access token on this connection");
        String reason = refusal.reason().wireName();
        ch.write(new TextWebSocketFrame(signaling.mapper().writeValueAsString(
                Messages.unauthorized(reason, refusal.getMessage()))));
        ch.writeAndFlush(new CloseWebSocketFrame(MessageDispatcher.CLOSE_POLICY_VIOLATION,
                Messages.UNAUTHORIZED + ": " + reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        Connection connection = ctx.channel().attr(HttpServer.CONNECTION).get();
        if (connection == null) {
            return;
        }
        if (closing) {
            return; // our close frame is on its way; nothing more is read
        }
        if (!messages.tryTake()) {
            rateLimited(ctx.channel(), connection);
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            signaling.onText(connection, text.text());
        } else {
            signaling.onText(connection, "\u0000binary frame");
        }
    }

    /**
     * Over the message rate: the message is dropped unread and answered with
     * {@code rate_limited}; a client that earns more than a burst's worth of refusals (refilled
     * at one a second) is closed (1008), so even the error replies stay bounded. Decided here,
     * on the event loop, so a flood never reaches the control thread.
     */
    private void rateLimited(Channel ch, Connection connection) {
        counters.refused(Limit.MESSAGE_RATE);
        warnings.warn("rate", "{} sends more than {} messages a second; dropping them", connection.remote,
                limits.messagesPerSecond());
        if (!strikes.tryTake()) {
            closing = true;
            // Not closed at once: the client is still sending, and closing a socket with unread
            // input resets it, so the client would lose the close frame. Netty closes when
            // the client answers the close frame (RFC 6455 §5.5.1); this, if it does not.
            ch.writeAndFlush(new CloseWebSocketFrame(MessageDispatcher.CLOSE_POLICY_VIOLATION,
                    "rate_limited: more than " + limits.messagesPerSecond() + " messages a second"));
            ch.eventLoop().schedule(() -> ch.close(), 1, java.util.concurrent.TimeUnit.SECONDS);
            return;
        }
        connection.outbox.send(Messages.message("error").put("code", "rate_limited")
                .put("message", "more than " + limits.messagesPerSecond() + " messages a second (burst "
                        + limits.messageBurst() + "): this one was dropped; slow down or be disconnected"));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Connection connection = ctx.channel().attr(HttpServer.CONNECTION).get();
        if (connection != null) {
            signaling.onClosed(connection);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("signaling connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
