package dev.relay.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.transport.dtls.DtlsCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One synthetic participant: a signaling WebSocket (docs/signaling.md) and up to two
 * PeerConnections, publish (we offer) and subscribe (the relay offers, we answer), each a
 * {@link ClientTransport}. Signaling callbacks run on the HTTP client's executor, one at a time
 * per WebSocket; transports are handed to their loops by command.
 */
final class Peer extends SyntheticPeer implements WebSocket.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Track ids carry the publisher's index so a subscriber knows whose packets to expect. */
    static final String AUDIO_TRACK_PREFIX = "lg-audio-";
    static final String VIDEO_TRACK_PREFIX = "lg-video-";

    private final Context context;
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final CompletableFuture<Void> publishAnswered = new CompletableFuture<>();
    private final CompletableFuture<Void> left = new CompletableFuture<>();
    private volatile WebSocket socket;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private volatile String participantId;
    private volatile int subscribeOffers;

    /** What every peer of a run shares. */
    record Context(HttpClient http, URI signalingUri, IoLoop[] loops, AtomicInteger loopCounter,
                   DtlsCertificate certificate, Executor dtlsExecutor, RunConfig config, String localAddress) {
        /** Transports are spread over the loops round-robin. */
        IoLoop nextLoop() {
            return loops[Math.floorMod(loopCounter.getAndIncrement(), loops.length)];
        }
    }

    Peer(Scenario.PeerPlan plan, Context context) {
        super(plan);
        this.context = context;
    }

    String participantId() {
        return participantId;
    }

    int subscribeOffers() {
        return subscribeOffers;
    }

    /**
     * Opens the WebSocket, joins the room and, for a publisher, sends the publish offer. Completes
     * when the relay has answered what was sent (joined, and publishAnswer when publishing).
     */
    @Override
    CompletableFuture<Void> start() {
        PeerTokens tokens = context.config().tokens();
        URI signaling = tokens == null ? context.signalingUri()
                : URI.create(context.signalingUri() + "?access_token=" + tokens.forPeer(plan.name(), plan.room()));
        return context.http().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(signaling, this)
                .thenCompose(ws -> {
                    socket = ws;
                    ObjectNode join = JSON.createObjectNode().put("type", "join").put("room", plan.room())
                            .put("name", plan.name());
                    send(join);
                    return joined;
                })
                .thenCompose(ignored -> plan.publishes() ? publishAnswered : CompletableFuture.completedFuture(null));
    }

    /** Sends {@code leave}; completes when the relay answers {@code left} or the socket closes. */
    @Override
    CompletableFuture<Void> leave() {
        if (socket == null || left.isDone()) {
            return CompletableFuture.completedFuture(null);
        }
        send(JSON.createObjectNode().put("type", "leave"));
        return left;
    }

    @Override
    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        left.complete(null);
    }

    /** Sends frames one after another: java.net.http allows one outstanding sendText per socket. */
    private synchronized void send(ObjectNode message) {
        String text = message.toString();
        WebSocket ws = socket;
        sendChain = sendChain.handle((r, e) -> null).thenCompose(ignored -> ws.sendText(text, true));
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                onMessage(JSON.readTree(text));
            } catch (IOException | RuntimeException e) {
                LOG.error("{}: cannot handle signaling message {}", plan.name(), abbreviate(text), e);
                recordError("load generator failed on a relay message: " + e);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        left.complete(null);
        joined.completeExceptionally(new IllegalStateException("relay closed the WebSocket: " + statusCode + " " + reason));
        publishAnswered.completeExceptionally(new IllegalStateException("relay closed the WebSocket"));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        left.complete(null);
        joined.completeExceptionally(error);
        publishAnswered.completeExceptionally(error);
    }

    private void onMessage(JsonNode message) throws IOException {
        String type = message.path("type").asText();
        switch (type) {
            case "joined" -> onJoined(message);
            case "publishAnswer" -> onPublishAnswer(message.path("sdp").asText());
            case "subscribeOffer" -> onSubscribeOffer(message.path("sdp").asText(), message.path("version").asLong());
            case "left" -> left.complete(null);
            case "error" -> {
                String text = message.path("code").asText() + ": " + message.path("message").asText()
                        + " (request " + message.path("requestType").asText("?") + ")";
                LOG.warn("{}: relay error {}", plan.name(), text);
                recordError(text);
                if ("join".equals(message.path("requestType").asText())) {
                    joined.completeExceptionally(new IllegalStateException("join refused: " + text));
                } else if ("publish".equals(message.path("requestType").asText())) {
                    publishAnswered.completeExceptionally(new IllegalStateException("publish refused: " + text));
                }
            }
            default -> {
                // participantJoined, participantLeft, trackPublished, trackUnpublished, pong: nothing to do.
            }
        }
    }

    private void onJoined(JsonNode message) throws IOException {
        participantId = message.path("participantId").asText();
        if (plan.publishes()) {
            IoLoop loop = context.nextLoop();
            ClientTransport transport = new ClientTransport(this, ClientTransport.Role.PUBLISH, loop,
                    context.certificate(), context.dtlsExecutor(), context.config().decryptEvery(),
                    localAddress(), context.config().iceTcp());
            String offer = startPublishing(transport, loop, context.config());
            send(JSON.createObjectNode().put("type", "publish").put("sdp", offer));
        }
        joined.complete(null);
    }

    private void onPublishAnswer(String sdp) {
        ClientTransport transport = publish;
        if (transport == null) {
            recordError("publishAnswer without a publish offer");
            return;
        }
        Sdp.Remote remote;
        try {
            remote = Sdp.parse(sdp);
        } catch (IllegalArgumentException e) {
            recordError("bad publishAnswer: " + e.getMessage());
            publishAnswered.completeExceptionally(e);
            return;
        }
        if (!"passive".equals(remote.setup())) {
            recordError("relay answered a=setup:" + remote.setup() + "; the load generator is a DTLS client only");
        }
        transport.loop.execute(() -> transport.start(remote, System.nanoTime()));
        publishAnswered.complete(null);
    }

    private void onSubscribeOffer(String sdp, long version) throws IOException {
        Sdp.Remote remote;
        try {
            remote = Sdp.parse(sdp);
        } catch (IllegalArgumentException e) {
            recordError("bad subscribeOffer: " + e.getMessage());
            return;
        }
        subscribeOffers++;
        boolean first = subscribe == null;
        if (first) {
            IoLoop loop = context.nextLoop();
            ClientTransport transport = new ClientTransport(this, ClientTransport.Role.SUBSCRIBE, loop,
                    context.certificate(), context.dtlsExecutor(), context.config().decryptEvery(),
                    localAddress(), context.config().iceTcp());
            subscribe = transport;
            loop.execute(() -> {
                try {
                    loop.add(transport);
                } catch (IOException e) {
                    transport.fail("cannot register socket: " + e);
                }
            });
        }
        ClientTransport transport = subscribe;
        List<ClientTransport.StreamSpec> specs = new ArrayList<>();
        for (Sdp.Media m : remote.media()) {
            if (!m.isActiveSend() || m.ssrc() == 0) {
                continue;
            }
            String trackId = m.trackId();
            boolean video = "video".equals(m.kind());
            specs.add(new ClientTransport.StreamSpec((int) m.ssrc(), video, publisherOf(trackId), trackId));
        }
        String answer = Sdp.subscribeAnswer(transport.localDescription(), sessionId, remote.media());
        // Answer first so the relay's DTLS server exists before our ClientHello arrives.
        send(JSON.createObjectNode().put("type", "subscribeAnswer").put("sdp", answer).put("version", version));
        transport.loop.execute(() -> {
            transport.updateStreams(specs);
            if (first) {
                transport.start(remote, System.nanoTime());
            }
        });
    }

    /** Where this peer's transports bind: over ICE-TCP an address of its own on loopback. */
    private String localAddress() {
        return context.config().iceTcp() ? TcpPacketSocket.sourceAddress(context.localAddress(), plan.index())
                : context.localAddress();
    }

    /** The publisher index in our own track ids ({@code lg-video-12}), or -1 for a foreign track. */
    static int publisherOf(String trackId) {
        if (trackId == null) {
            return -1;
        }
        String digits = trackId.startsWith(AUDIO_TRACK_PREFIX) ? trackId.substring(AUDIO_TRACK_PREFIX.length())
                : trackId.startsWith(VIDEO_TRACK_PREFIX) ? trackId.substring(VIDEO_TRACK_PREFIX.length()) : null;
        if (digits == null) {
            return -1;
        }
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
