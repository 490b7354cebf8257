package dev.relay.signaling;

import dev.relay.signaling.auth.AccessControl;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port: the web client at {@code /}, the signaling WebSocket at {@code /ws} (behind the
 * {@link WebSocketGate}), and plain-text endpoints ({@code /metrics}, {@code /healthz}, {@code /readyz})
 * registered by the caller. Also the metrics port, which serves only text endpoints.
 */
final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    static final AttributeKey<Connection> CONNECTION = AttributeKey.valueOf("relay.connection");
    /** RFC 6455 §7.4.1 "going away": the close code at shutdown. */
    static final int CLOSE_GOING_AWAY = 1001;
    /** Frames up to 1 MiB are read so an oversized message gets a bad_json reply, not a hang-up. */
    private static final int MAX_FRAME_BYTES = 1 << 20;
    /**
     * Netty's default request line limit is 4 KiB; a 4 KiB token in {@code ?access_token=} must
     * reach the verifier, which refuses it with a reason, instead of failing the HTTP decode.
     */
    private static final int MAX_REQUEST_LINE_BYTES = 8192;
    /** Metrics and health requests have no body worth reading. */
    private static final int MAX_TEXT_REQUEST_BYTES = 8192;
    /** The web client: plain files served as they are (ES modules, no build step). */
    private static final Map<String, String> STATIC_FILES = Map.ofEntries(
            Map.entry("/", "index.html"),
            Map.entry("/index.html", "index.html"),
            Map.entry("/client.js", "client.js"),
            Map.entry("/errors.js", "errors.js"),
            Map.entry("/joinscreen.js", "joinscreen.js"),
            Map.entry("/publisher.js", "publisher.js"),
            Map.entry("/quality.js", "quality.js"),
            Map.entry("/recovery.js", "recovery.js"),
            Map.entry("/sdp.js", "sdp.js"),
            Map.entry("/signaling.js", "signaling.js"),
            Map.entry("/stats.js", "stats.js"),
            Map.entry("/tiles.js", "tiles.js"),
            Map.entry("/style.css", "style.css"));

    /** A plain-text endpoint's reply: {@code /readyz} is 503 while the relay drains. */
    record Text(HttpResponseStatus status, String body) {
        static Text ok(String body) {
            return new Text(HttpResponseStatus.OK, body);
        }
    }

    private final EventLoopGroup group;
    private final Channel channel;
    /** The open signaling WebSockets, for the close frames at shutdown; empty on the metrics port. */
    private final ChannelGroup webSockets;
    private volatile boolean stopping;

    private HttpServer(EventLoopGroup group, Channel channel, ChannelGroup webSockets) {
        this.group = group;
        this.channel = channel;
        this.webSockets = webSockets;
    }

    /** The public port: web client, signaling WebSocket, and {@code textEndpoints}. */
    static HttpServer start(String bindAddress, int port, SignalingService signaling, AccessControl access,
                            Map<String, Supplier<Text>> textEndpoints) throws InterruptedException {
        Limits limits = signaling.limits();
        LimitCounters counters = signaling.limitCounters();
        LogThrottle warnings = new LogThrottle(LOG, 10_000_000_000L, System::nanoTime);
        ConnectionGuard.Addresses addresses = new ConnectionGuard.Addresses();
        ChannelGroup webSockets = new DefaultChannelGroup("signaling", GlobalEventExecutor.INSTANCE);
        HttpServer[] self = new HttpServer[1];
        WebSocketServerProtocolConfig wsConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WebSocketGate.PATH).maxFramePayloadLength(MAX_FRAME_BYTES).checkStartsWith(false)
                .build();
        WebSocketGate gate = new WebSocketGate(access);
        HttpDecoderConfig decoder = new HttpDecoderConfig().setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES);
        // Netty's default high water mark is 64 KiB; a subscribe offer alone can be larger.
        WriteBufferWaterMark waterMark = new WriteBufferWaterMark(limits.writeBufferHighBytes() / 2,
                limits.writeBufferHighBytes());
        HttpServer server = start("http", bindAddress, port, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (self[0] != null && self[0].stopping) {
                    ch.close(); // accepted just before the listening socket closed
                    return;
                }
                ConnectionGuard guard = new ConnectionGuard(addresses, limits, counters, warnings);
                ch.pipeline().addLast(new HttpServerCodec(decoder), new HttpObjectAggregator(MAX_FRAME_BYTES),
                        guard,
                        new PipeEndpoint(signaling::pipes, signaling.control()),
                        gate,
                        new WebSocketServerProtocolHandler(wsConfig),
                        // RFC 6455 §5.4: a message may arrive in several frames (Java's
                        // client splits at 16 KiB); signaling handles whole messages.
                        new WebSocketFrameAggregator(MAX_FRAME_BYTES),
                        new SignalingFrameHandler(signaling, guard, webSockets, limits, counters, warnings),
                        new RequestHandler(textEndpoints, true));
            }
        }, waterMark, webSockets);
        self[0] = server;
        return server;
    }

    /** A port with only {@code textEndpoints} ({@code --metrics-port}): no web client, no WebSocket. */
    static HttpServer startText(String bindAddress, int port, Map<String, Supplier<Text>> textEndpoints)
            throws InterruptedException {
        return start("metrics-http", bindAddress, port, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_TEXT_REQUEST_BYTES),
                        new RequestHandler(textEndpoints, false));
            }
        }, WriteBufferWaterMark.DEFAULT, new DefaultChannelGroup("metrics", GlobalEventExecutor.INSTANCE));
    }

    private static HttpServer start(String threadName, String bindAddress, int port,
                                    ChannelInitializer<SocketChannel> initializer, WriteBufferWaterMark waterMark,
                                    ChannelGroup webSockets) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory(threadName, true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childHandler(initializer);
        try {
            Channel channel = bootstrap.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
            return new HttpServer(group, channel, webSockets);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Shutdown, first step: closes the listening socket, so new connections are refused by the
     * kernel; one accepted meanwhile is closed at once.
     */
    void stopAccepting() {
        stopping = true;
        channel.close().syncUninterruptibly();
    }

    /**
     * Shutdown: every signaling WebSocket gets a close frame 1001 "going away" with
     * {@code reason}; waits up to {@code timeout} for the sockets to close, then closes the rest.
     * Returns how many were open.
     */
    int goAway(String reason, Duration timeout) {
        int open = webSockets.size();
        webSockets.writeAndFlush(new CloseWebSocketFrame(CLOSE_GOING_AWAY, reason));
        if (!webSockets.newCloseFuture().awaitUninterruptibly(Math.max(0, timeout.toMillis()))) {
            webSockets.close().awaitUninterruptibly(1000);
        }
        return open;
    }

    @Override
    public void close() {
        stopping = true;
        channel.close().syncUninterruptibly();
        webSockets.close().awaitUninterruptibly(1000);
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Plain HTTP: static web client files (on the public port) and text endpoints. */
    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Map<String, Supplier<Text>> textEndpoints;
        private final boolean webClient;

        RequestHandler(Map<String, Supplier<Text>> textEndpoints, boolean webClient) {
            this.textEndpoints = textEndpoints;
            this.webClient = webClient;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
            String path = new QueryStringDecoder(request.uri()).path();
            if (!request.method().equals(HttpMethod.GET)) {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
                return;
            }
            Supplier<Text> endpoint = textEndpoints.get(path);
            if (endpoint != null) {
                Text reply = endpoint.get();
                respond(ctx, request, reply.status(), "text/plain; version=0.0.4; charset=utf-8", reply.body());
                return;
            }
            String file = webClient ? STATIC_FILES.get(path) : null;
            if (file == null) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
                return;
            }
            try (InputStream in = HttpServer.class.getResourceAsStream("/web/" + file)) {
                if (in == null) {
                    respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
                    return;
                }
                String type = file.endsWith(".html") ? "text/html; charset=utf-8"
                        : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
                respond(ctx, request, HttpResponseStatus.OK, type,
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /** A complete response; the connection stays open if the request asked for keep-alive. */
    static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                        String contentType, String body) {
        respond(ctx, status, contentType, body, HttpUtil.isKeepAlive(request));
    }

    /** A complete response, then the connection closes (a refused upgrade). */
    static void respondAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        respond(ctx, status, "text/plain; charset=utf-8", body, false);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, String body,
                                boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
