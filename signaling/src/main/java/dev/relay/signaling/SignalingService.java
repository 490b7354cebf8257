package dev.relay.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.cluster.RoomRouter;
import dev.relay.sfu.MediaWorkers;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.cluster.ClusterConfig;
import dev.relay.signaling.cluster.ClusterMembership;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.signaling.turn.TurnConfig;
import dev.relay.signaling.turn.TurnCredentials;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling protocol (docs/signaling.md): the entry point the WebSocket server calls. It
 * puts every message on the one control thread, where a {@link MessageDispatcher} decodes it and
 * hands it to the class whose job it is: {@link Rooms} (join, leave), {@link PublishNegotiator},
 * {@link SubscribeNegotiator}. Rooms and participants need no locks because only the control
 * thread touches them; Netty threads only enqueue.
 */
public final class SignalingService {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);
    static final int MAX_MESSAGE_CHARS = MessageDispatcher.MAX_MESSAGE_CHARS;

    private final ObjectMapper mapper = new ObjectMapper();
    private final ScheduledExecutorService control;
    private final Duration qualityInterval;
    private final Rooms rooms;
    private final SessionStats stats = new SessionStats();
    private final MessageDispatcher dispatcher;
    private final ConsentMonitor consent;
    private final QualityMonitor quality;
    private final Dynacast dynacast = new Dynacast();
    /** How often dynacast compares what publishers send with what subscribers take. */
    static final long DYNACAST_INTERVAL_MILLIS = 250;
    /** Track gauges are as fresh as this; a scrape every 15 s or more sees no lag worth naming. */
    static final long TRACK_COUNT_INTERVAL_MILLIS = 1000;
    private volatile ClusterMembership cluster;
    /** Rooms spanning nodes; null unless this relay is a cluster node with a pipe secret. */
    private volatile RoomPipes pipes;
    private final TransportFactory transports;
    private final PublishNegotiator publisher;
    private final SubscribeNegotiator subscriber;
    private static final String UNAVAILABLE = "unavailable";
    private final Limits limits;
    private final LimitCounters limitCounters;

    /** Dev mode: no access tokens. */
    public SignalingService(ScheduledExecutorService control, DtlsHandshakes dtlsHandshakes, MediaWorkers workers,
                            TransportRegistry registry, DtlsCertificate certificate,
                            List<String> advertisedAddresses, int mediaPort, SessionEvents events,
                            Duration iceTimeout, Duration qualityInterval) {
        this(control, dtlsHandshakes, workers, registry, certificate, advertisedAddresses, mediaPort, events,
                iceTimeout, qualityInterval, AccessControl.open());
    }

    /**
     * @param iceTimeout      a participant whose established Transport gets no valid STUN check for
     *                        this long is removed ({@code ice_failed}); RFC 7675 consent expiry is 30 s
     * @param qualityInterval how often quality samples are emitted; zero: never
     * @param access          the token checks at {@code join} and {@code publish}
     */
    public SignalingService(ScheduledExecutorService control, DtlsHandshakes dtlsHandshakes, MediaWorkers workers,
                            TransportRegistry registry, DtlsCertificate certificate,
                            List<String> advertisedAddresses, int mediaPort, SessionEvents events,
                            Duration iceTimeout, Duration qualityInterval, AccessControl access) {
        this(control, dtlsHandshakes, workers, registry, certificate, advertisedAddresses, mediaPort, events,
                iceTimeout, qualityInterval, access, Limits.defaults(), new LimitCounters(), LossRepair.on(), -1,
                TurnConfig.none());
    }

    /**
     * @param limits       what one client may hold or send; refusals are counted in {@code limitCounters}
     * @param repair       NACK/RTX for video, RED for audio (docs/quality.md)
     * @param mediaTcpPort the ICE-TCP port offered as passive candidates (RFC 6544), or -1 for none
     * @param turn         TURN servers each {@code joined} hands out, with credentials of its own
     */
    SignalingService(ScheduledExecutorService control, DtlsHandshakes dtlsHandshakes, MediaWorkers workers,
                     TransportRegistry registry, DtlsCertificate certificate,
                     List<String> advertisedAddresses, int mediaPort, SessionEvents events,
                     Duration iceTimeout, Duration qualityInterval, AccessControl access, Limits limits,
                     LimitCounters limitCounters, LossRepair repair, int mediaTcpPort, TurnConfig turn) {
        this.control = control;
        this.limits = limits;
        this.limitCounters = limitCounters;
        this.qualityInterval = qualityInterval;
        // The o= session id of every SDP this relay sends (RFC 8866 §5.2).
        long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        TransportFactory transports = new TransportFactory(registry, certificate, advertisedAddresses, mediaPort,
                mediaTcpPort, stats);
        DtlsStarter dtls = new DtlsStarter(certificate, dtlsHandshakes);
        SubscribeNegotiator subscriber = new SubscribeNegotiator(transports, dtls, events, sessionId,
                limits.subscribeSlots(), limitCounters, repair);
        PublishNegotiator publisher = new PublishNegotiator(transports, dtls, subscriber, events, sessionId,
                limits.tracksPerParticipant());
        this.rooms = new Rooms(workers, transports, publisher, subscriber, events, limits, stats,
                new TurnCredentials(turn, InstantSource.system()));
        this.transports = transports;
        this.publisher = publisher;
        this.subscriber = subscriber;
        ActiveSpeakerAnnouncer speakers = new ActiveSpeakerAnnouncer(rooms);
        this.dispatcher = new MessageDispatcher(mapper, new Routes(rooms, publisher, subscriber, dynacast, speakers,
                () -> cluster, () -> pipes), access, limits, limitCounters, control);
        // The Router ranks on its worker; the announcement is made on the control thread.
        StreamStateNotifier streamStates = new StreamStateNotifier(rooms);
        rooms.onOpen(room -> {
            room.router().onActiveSpeakers(ids -> control.execute(() -> speakers.announce(room, ids)));
            room.router().onStreamState((consumer, paused) ->
                    control.execute(() -> streamStates.changed(room, consumer, paused)));
            RoomPipes roomPipes = pipes;
            if (roomPipes != null) {
                roomPipes.roomOpened(room);
            }
        });
        this.consent = new ConsentMonitor(rooms, iceTimeout, System::nanoTime);
        this.quality = new QualityMonitor(rooms, events, control, stats);
    }

    /** Starts the periodic control-thread tasks: the ICE consent check, dynacast and quality samples. */
    void start() {
        long checkMillis = consent.checkIntervalMillis();
        control.scheduleWithFixedDelay(guarded("ICE consent check", consent::check), checkMillis, checkMillis,
                TimeUnit.MILLISECONDS);
        control.scheduleWithFixedDelay(guarded("track counts", () -> stats.countTracks(rooms.open())),
                TRACK_COUNT_INTERVAL_MILLIS, TRACK_COUNT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        control.scheduleWithFixedDelay(guarded("dynacast", () -> dynacast.evaluateAll(rooms.open(), System.nanoTime())),
                DYNACAST_INTERVAL_MILLIS, DYNACAST_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        if (!qualityInterval.isZero()) {
            long millis = qualityInterval.toMillis();
            control.scheduleAtFixedRate(guarded("quality sampling", quality::requestSamples), millis, millis,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** A periodic task that logs instead of dying: an exception would cancel every later run. */
    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} failed", what, e);
            }
        };
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** Joins, leaves, tracks and quality samples, for metrics. */
    public SessionStats stats() {
        return stats;
    }

    public int roomCount() {
        return rooms.roomCount();
    }

    public int participantCount() {
        return rooms.participantCount();
    }

    /** Messages answered with an error, for metrics. */
    public long rejectedMessages() {
        return dispatcher.rejectedMessages();
    }

    // ---- called from Netty threads ----

    /** Parsed here, on the socket's event loop: the control thread only meets the decoded message. */
    void onText(Connection connection, String text) {
        MessageDispatcher.Decoded decoded = dispatcher.decode(text);
        control.execute(() -> dispatcher.onDecoded(connection, decoded));
    }

    Limits limits() {
        return limits;
    }

    LimitCounters limitCounters() {
        return limitCounters;
    }

    void onClosed(Connection connection) {
        control.execute(() -> dispatcher.onClosed(connection));
    }

    // ---- control thread ----

    /** Closes every participant (shutdown). */
    /** SIGTERM, first step: refuse joins from now on (any thread). */
    void drain() {
        rooms.drain();
    }

    /**
     * Makes this relay one node of a cluster (docs/scale-out.md): joins of rooms another node holds
     * are redirected there. Before {@link #start}.
     */
    void cluster(ClusterMembership membership) {
        this.cluster = membership;
    }

    /**
     * Lets rooms span this node and others over pipes (docs/scale-out.md "Rooms across nodes"):
     * {@code sockets} opens a pipe's UDP socket. Before {@link #start}, after {@link #cluster}.
     */
    void pipes(ClusterConfig config, RoomPipes.Sockets sockets) {
        RoomPipes roomPipes = new RoomPipes(config, sockets, new PipeDialer(control), transports, rooms, publisher,
                subscriber, control, mapper, () -> cluster, this::roomMoved);
        rooms.listener(roomPipes);
        publisher.listener(roomPipes);
        this.pipes = roomPipes;
    }

    /** Relay-to-relay pipes open now (docs/scale-out.md); any thread. */
    public int pipeCount() {
        RoomPipes roomPipes = pipes;
        return roomPipes == null ? 0 : roomPipes.openPipes();
    }

    /** Pipe control connections refused so far (docs/security.md); any thread. */
    public long pipesRefused() {
        RoomPipes roomPipes = pipes;
        return roomPipes == null ? 0 : roomPipes.pipesRefused();
    }

    /** The pipes of rooms spanning nodes, or null. */
    RoomPipes pipes() {
        return pipes;
    }

    ScheduledExecutorService control() {
        return control;
    }

    /** The names of the rooms open now, read on the control thread; for the cluster's reports. */
    java.util.Collection<String> openRoomNames() {
        try {
            return control.submit(() -> rooms.open().stream().map(Room::name).toList()).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("control thread did not answer: " + e, e);
        }
    }

    /**
     * Any thread: another node of the cluster holds {@code room} now (docs/scale-out.md "Failure
     * handling"): each participant here is told ({@code error} {@code room_moved}), removed and its
     * socket closed; the web client rejoins and is redirected to the room's node.
     */
    void roomMoved(String room) {
        control.execute(() -> {
            Room moved = rooms.open(room);
            if (moved == null) {
                return;
            }
            for (Participant participant : moved.participants()) {
                participant.outbox().send(Messages.message("error").put("code", "room_moved")
                        .put("message", "room " + room + " moved to another relay; rejoin to continue"));
                rooms.leave(participant, LeaveReason.MOVED);
                participant.outbox().close();
            }
            RoomPipes roomPipes = pipes;
            if (roomPipes != null && rooms.isOpen(moved)) {
                // The other nodes' parts of the room lose their pipes to this stale copy: their
                // participants rejoin too, and land where the room is now.
                roomPipes.roomClosing(moved);
                rooms.closeIfDone(moved);
            }
        });
    }

    /** True once {@link #drain} was called: {@code /readyz} answers 503. */
    boolean draining() {
        return rooms.draining();
    }

    void closeAll() {
        rooms.closeAll();
    }

    /** Each request to the class whose job it is. */
    private record Routes(Rooms rooms, PublishNegotiator publisher, SubscribeNegotiator subscriber, Dynacast dynacast,
                          ActiveSpeakerAnnouncer speakers, Supplier<ClusterMembership> cluster,
                          Supplier<RoomPipes> pipes)
            implements MessageDispatcher.Requests {
        /**
         * docs/scale-out.md "Redirect": a room not open here is looked up in the cluster, off the
         * control thread; one held elsewhere is joined there, and none free refuses.
         */
        @Override
        public CompletableFuture<Void> admit(String room) {
            ClusterMembership membership = cluster.get();
            if (membership == null || rooms.isOpen(room)) {
                return null;
            }
            return membership.routeAsync(room).thenApply(route -> {
                if (route instanceof RoomRouter.Redirect redirect) {
                    throw new CompletionException(SignalingException.redirect(room, redirect.nodeId(),
                            redirect.signalingUrl()));
                }
                if (route instanceof RoomRouter.Spanned spanned) {
                    RoomPipes roomPipes = pipes.get();
                    if (roomPipes == null) {
                        throw new CompletionException(SignalingException.redirect(room, spanned.nodeId(),
                                spanned.signalingUrl()));
                    }
                    // docs/scale-out.md "Rooms across nodes": the join stays; the room opens here piped.
                    roomPipes.spanned(room, spanned);
                }
                if (route instanceof RoomRouter.Refused refused) {
                    throw new CompletionException(new SignalingException(UNAVAILABLE, refused.reason()));
                }
                return null;
            });
        }

        @Override
        public Participant join(Connection connection, String room, String name, VideoGrant grant, JsonNode id)
                throws SignalingException {
            Participant participant = rooms.join(connection, room, name, grant, id);
            speakers.greet(participant);
            return participant;
        }

        @Override
        public void publish(Participant participant, String offerSdp, JsonNode id) throws SignalingException {
            publisher.publish(participant, offerSdp, id);
        }

        @Override
        public void publish(Participant participant, String offerSdp, List<TrackOption> tracks, JsonNode id)
                throws SignalingException {
            publisher.publish(participant, offerSdp, tracks, id);
        }

        @Override
        public void mute(Participant participant, String trackId, boolean muted) throws SignalingException {
            publisher.mute(participant, trackId, muted);
        }

        @Override
        public void restartIce(Participant participant) throws SignalingException {
            subscriber.restartIce(participant);
        }

        @Override
        public void subscribeAnswer(Participant participant, String answerSdp, long version)
                throws SignalingException {
            subscriber.answer(participant, answerSdp, version);
        }

        @Override
        public void leave(Participant participant, LeaveReason reason) {
            rooms.leave(participant, reason);
        }

        @Override
        public void setSubscription(Participant participant, String publisherId, String trackId, int layer) {
            subscriber.setLayer(participant, publisherId, trackId, layer);
            dynacast.evaluate(participant.room(), System.nanoTime());
        }
    }
}
