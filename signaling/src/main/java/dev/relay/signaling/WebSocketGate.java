package dev.relay.signaling;

import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.AccessToken;
import dev.relay.signaling.auth.TokenRefusedException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of Netty's WebSocket handshake (docs/signaling.md "Authentication"): an upgrade to
 * {@code /ws} from a page whose {@code Origin} is not allowed gets 403 and no socket; otherwise
 * its access token is checked and the outcome is left on the channel ({@link #ADMISSION}) for
 * the frame handler, which either opens the signaling connection with the token's claims or sends
 * the {@code unauthorized} error and closes. A refused token still gets its WebSocket for that
 * one message: a browser cannot read the body of a refused upgrade, so it could not tell the
 * user why. Sharable: it keeps no state of its own.
 */
@ChannelHandler.Sharable
final class WebSocketGate extends ChannelInboundHandlerAdapter {
    static final String PATH = "/ws";
    static final String TOKEN_PARAMETER = "access_token";
    static final AttributeKey<Admission> ADMISSION = AttributeKey.valueOf("relay.admission");
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketGate.class);

    /** What the upgrade's token granted (a null token in dev mode), or why it was refused. */
    record Admission(AccessToken token, TokenRefusedException refusal) {
    }

    private final AccessControl access;

    WebSocketGate(AccessControl access) {
        this.access = access;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!uri.path().equals(PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (!access.allowsOrigin(origin, request.headers().get(HttpHeaderNames.HOST))) {
            // Debug only: a page can make browsers knock as often as it likes; the metric counts them.
            LOG.debug("refused WebSocket upgrade from {}: Origin not allowed", ctx.channel().remoteAddress());
            try {
                HttpServer.respondAndClose(ctx, HttpResponseStatus.FORBIDDEN, "origin not allowed\n");
            } finally {
                request.release();
            }
            return;
        }
        Admission admission;
        try {
            admission = new Admission(access.admit(uri.parameters().getOrDefault(TOKEN_PARAMETER, List.of()),
                    request.headers().get(HttpHeaderNames.AUTHORIZATION)), null);
        } catch (TokenRefusedException e) {
            LOG.debug("refused token from {}: {}", ctx.channel().remoteAddress(), e.reason().wireName());
            admission = new Admission(null, e);
        }
        ctx.channel().attr(ADMISSION).set(admission);
        // Netty's handshaker takes only the exact path. Dropping the query also keeps the token out
        // of everything downstream (the handshake event, logs).
        request.setUri(PATH);
        ctx.fireChannelRead(request);
    }
}
