package dev.relay.loadgen;

import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One synthetic participant of a Janus VideoRoom: a publisher handle (we offer, Janus answers,
 * we control ICE) and a subscriber handle for all the room's other publishers in one
 * PeerConnection (Janus offers and controls ICE, we answer {@code a=setup:active}). The media is
 * the same {@link ClientTransport} with the same sources as against the relay.
 */
final class JanusPeer extends SyntheticPeer {
    private static final Logger LOG = LoggerFactory.getLogger(JanusPeer.class);
    /** Feed ids are the plan index plus this, so a subscriber knows whose packets a stream carries. */
    static final long FEED_BASE = 1000;

    private final Context context;

    /** What every Janus peer of a run shares. */
    record Context(JanusSession janus, Map<String, Long> roomIds, Map<String, List<Long>> publisherFeeds,
                   IoLoop[] loops, AtomicInteger loopCounter, DtlsCertificate certificate, Executor dtlsExecutor,
                   RunConfig config, String localAddress) {
        IoLoop nextLoop() {
            return loops[Math.floorMod(loopCounter.getAndIncrement(), loops.length)];
        }
    }

    JanusPeer(Scenario.PeerPlan plan, Context context) {
        super(plan);
        this.context = context;
    }

    static long feedOf(int planIndex) {
        return FEED_BASE + planIndex;
    }

    static int publisherOfFeed(long feed) {
        return feed < FEED_BASE ? -1 : (int) (feed - FEED_BASE);
    }

    private long room() {
        return context.roomIds().get(plan.room());
    }

    @Override
    CompletableFuture<Void> start() {
        if (!plan.publishes()) {
            return CompletableFuture.completedFuture(null);
        }
        return context.janus().attach(this::onEvent).thenCompose(handle -> {
            IoLoop loop = context.nextLoop();
            ClientTransport transport;
            try {
                transport = new ClientTransport(this, ClientTransport.Role.PUBLISH, loop, context.certificate(),
                        context.dtlsExecutor(), context.config().decryptEvery(), context.localAddress(), false);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            String offer = startPublishing(transport, loop, context.config());
            return context.janus().message(handle,
                            JanusApi.joinAndConfigure(room(), feedOf(plan.index()), plan.name()), "offer", offer)
                    .thenCompose(reply -> {
                        if (reply.error() != null || reply.jsepSdp() == null) {
                            String text = "publish refused: " + JanusSession.describe(reply);
                            recordError(text);
                            throw new IllegalStateException(text);
                        }
                        Sdp.Remote remote = Sdp.parse(reply.jsepSdp());
                        // RFC 5763 §5: Janus answering active makes it the DTLS client.
                        DtlsSession.Role role = "active".equals(remote.setup()) ? DtlsSession.Role.SERVER
                                : DtlsSession.Role.CLIENT;
                        LOG.debug("{}: Janus answered a=setup:{}, we are the DTLS {}", plan.name(), remote.setup(), role);
                        transport.loop.execute(() -> transport.start(remote, true, role, System.nanoTime()));
                        return context.janus().trickleCompleted(handle).thenApply(ignored -> (Void) null);
                    });
        });
    }

    /** Subscribes to every other publisher of the room in one PeerConnection. */
    @Override
    CompletableFuture<Void> subscribe() {
        if (plan.expectedStreams() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        List<Long> feeds = new ArrayList<>(context.publisherFeeds().get(plan.room()));
        feeds.remove(Long.valueOf(feedOf(plan.index())));
        return context.janus().attach(this::onEvent).thenCompose(handle -> context.janus()
                .message(handle, JanusApi.subscribe(room(), feeds), null, null)
                .thenCompose(reply -> {
                    if (reply.error() != null || !"offer".equals(reply.jsepType())) {
                        String text = "subscribe refused: " + JanusSession.describe(reply);
                        recordError(text);
                        throw new IllegalStateException(text);
                    }
                    return answer(handle, reply);
                }));
    }

    private CompletableFuture<Void> answer(long handle, JanusApi.Reply attached) {
        Sdp.Remote remote = Sdp.parse(attached.jsepSdp());
        LOG.debug("{}: Janus offered a=setup:{} with {} m-sections", plan.name(), remote.setup(), remote.media().size());
        IoLoop loop = context.nextLoop();
        ClientTransport transport;
        try {
            transport = new ClientTransport(this, ClientTransport.Role.SUBSCRIBE, loop, context.certificate(),
                    context.dtlsExecutor(), context.config().decryptEvery(), context.localAddress(), false);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        subscribe = transport;
        List<ClientTransport.StreamSpec> specs = new ArrayList<>();
        for (Sdp.Media m : remote.media()) {
            if (!m.isActiveSend() || m.ssrc() == 0) {
                continue;
            }
            boolean video = "video".equals(m.kind());
            int publisher = publisherOfFeed(attached.feedOfMid(m.mid()));
            String trackId = (video ? Peer.VIDEO_TRACK_PREFIX : Peer.AUDIO_TRACK_PREFIX) + publisher;
            specs.add(new ClientTransport.StreamSpec((int) m.ssrc(), video, publisher, trackId));
        }
        loop.execute(() -> {
            try {
                loop.add(transport);
                transport.updateStreams(specs);
            } catch (IOException e) {
                transport.fail("cannot register socket: " + e);
            }
        });
        String answer = Sdp.subscribeAnswer(transport.localDescription(), sessionId, remote.media(), true);
        // Janus offered, so it controls ICE (RFC 8445 §6.1.1); we answer active: DTLS client. Checking
        // starts before the answer leaves, so Janus's first checks find the socket answering.
        loop.execute(() -> transport.start(remote, false, DtlsSession.Role.CLIENT, System.nanoTime()));
        return context.janus().message(handle, JanusApi.start(), "answer", answer).thenCompose(reply -> {
            if (reply.error() != null) {
                String text = "start refused: " + JanusSession.describe(reply);
                recordError(text);
                throw new IllegalStateException(text);
            }
            return context.janus().trickleCompleted(handle).thenApply(ignored -> (Void) null);
        });
    }

    /** Events Janus sends on its own: a hangup or an error is worth a line in the report. */
    private void onEvent(JanusApi.Reply event) {
        if ("hangup".equals(event.janus())) {
            recordError("Janus hung up handle " + event.sender());
        } else if (event.error() != null) {
            recordError("Janus: " + event.error());
        }
    }

    /** The session's destroy at the end hangs up every handle; nothing to send per peer. */
    @Override
    CompletableFuture<Void> leave() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    void abort() {
    }
}
