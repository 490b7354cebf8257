package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.cluster.RoomRouter;
import dev.relay.sfu.Codec;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.cluster.ClusterConfig;
import dev.relay.signaling.cluster.ClusterMembership;
import dev.relay.signaling.cluster.PipeFrames;
import dev.relay.transport.PipeSocket;
import dev.relay.transport.Transport;
import dev.relay.transport.srtp.PipeKeyExchange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms that span nodes (docs/scale-out.md "Rooms across nodes"). A node whose participant
 * joined a room another node holds opens its own part of the room and a pipe to that node (its
 * uplink); the node holding the room is the hub of every pipe of the room, so a track crosses to
 * each other node once, and from a node to the hub and on. Over each pipe's control channel each
 * end announces the participants and tracks of the room the other end does not have (its own, and
 * on the hub those of the other pipes); each announced track is forwarded by a {@code PipeConsumer},
 * every simulcast layer as it arrived, and becomes a Producer of the other end's Router, which
 * its subscribers subscribe to like any other. The key exchange is authenticated by the cluster
 * secret and every later message by a key from it ({@link PipeFrames}). Control thread only,
 * except {@link #spanned} and the WebSocket callbacks, which hand over to it.
 */
final class RoomPipes implements RoomListener {
    private static final Logger LOG = LoggerFactory.getLogger(RoomPipes.class);
    /** The pipe control endpoint on each node's HTTP port. */
    static final String PATH = "/cluster/pipe";
    /** An open message whose time is further off than this is refused: a replay, or a clock far off. */
    static final long MAX_CLOCK_SKEW_SECONDS = 60;
    /** How long an end waits for the other's half of the key exchange. */
    static final long OPEN_TIMEOUT_MILLIS = 10_000;
    /** Largest control message taken (a track announcement is a few hundred bytes). */
    static final int MAX_MESSAGE_CHARS = 16 * 1024;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.@:-]{1,160}");
    private static final Pattern RID = Pattern.compile("[A-Za-z0-9_-]{1,16}");
    private static final int MAX_TRACKS_PER_REMOTE = 32;
    private static final int MAX_LAYERS = 4;

    /** Opens one UDP socket for a pipe (a MediaServer's, in production). */
    interface Sockets {
        PipeSocket open() throws Exception;
    }

    /** Dials another node's pipe endpoint; the answers arrive through {@code pipes}. */
    interface Dialer {
        void dial(URI uri, Pipe pipe, RoomPipes pipes);
    }

    private final ClusterConfig config;
    private final Sockets sockets;
    private final Dialer dialer;
    private final TransportFactory transports;
    private final Rooms rooms;
    private final PublishNegotiator publisher;
    private final SubscribeNegotiator subscriber;
    private final ScheduledExecutorService control;
    private final ObjectMapper mapper;
    private final Supplier<ClusterMembership> cluster;
    private final Consumer<String> roomLost;
    /** Rooms a join was routed to as spanned, by name: where their node is, until they open. */
    private final Map<String, RoomRouter.Spanned> spans = new ConcurrentHashMap<>();
    /** Pipe ids seen in open messages, with when: a replayed open is refused. */
    private final Map<String, Long> seen = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile long pipesRefused;
    /** Pipes open now (written on the control thread, read by metrics). */
    private volatile int open;
    /** The room whose pipes close because it closes (its uplink's loss is then no news). */
    private Room closing;

    RoomPipes(ClusterConfig config, Sockets sockets, Dialer dialer, TransportFactory transports, Rooms rooms,
              PublishNegotiator publisher, SubscribeNegotiator subscriber, ScheduledExecutorService control,
              ObjectMapper mapper, Supplier<ClusterMembership> cluster, Consumer<String> roomLost) {
        this.config = config;
        this.sockets = sockets;
        this.dialer = dialer;
        this.transports = transports;
        this.rooms = rooms;
        this.publisher = publisher;
        this.subscriber = subscriber;
        this.control = control;
        this.mapper = mapper;
        this.cluster = cluster;
        this.roomLost = roomLost;
    }

    /** Pipe control connections refused so far (bad or stale open, a room not held here); any thread. */
    long pipesRefused() {
        return pipesRefused;
    }

    /** Pipes open now; any thread. */
    int openPipes() {
        return open;
    }

    // ---- the node whose participant joined a room held elsewhere: the uplink ----

    /** Any thread: a join of {@code room} stays here though {@code owner}'s node holds it. */
    void spanned(String room, RoomRouter.Spanned owner) {
        spans.put(room, owner);
    }

    /** A room opened here: if a spanned join opened it, its pipe to the room's node opens now. */
    void roomOpened(Room room) {
        RoomRouter.Spanned owner = spans.remove(room.name());
        if (owner == null) {
            return;
        }
        Pipe pipe = new Pipe(true);
        try {
            PipeSocket socket = sockets.open();
            Transport transport = transports.open(room.router());
            String pipeId = (System.currentTimeMillis() / 1000) + ":" + HexFormat.of().formatHex(randomBytes(8)) + ":"
                    + config.nodeId() + ":" + room.name();
            pipe.start(pipeId, owner.nodeId(), room, transport, socket, PipeKeyExchange.start(),
                    config.pipeAddress() + ":" + socket.port());
        } catch (Exception e) {
            LOG.warn("room {}: cannot open a pipe to its node: {}", room.name(), e.toString());
            control.execute(() -> roomLost.accept(room.name()));
            return;
        }
        room.addPipe(pipe);
        expireUnopened(pipe);
        URI uri = URI.create(owner.pipeUrl());
        LOG.info("room {}: piping from {} ({})", room.name(), uri, pipe.pipeId());
        dialer.dial(uri, pipe, this);
    }

    /** The dialed WebSocket is up: the first half of the key exchange goes out. */
    void connected(Pipe pipe, Pipe.Link link) {
        pipe.link(link);
        if (pipe.isClosed()) {
            link.close();
            return;
        }
        byte[] key = pipe.exchange().publicKey();
        ObjectNode open = mapper.createObjectNode().put("type", "open").put("pipeId", pipe.pipeId())
                .put("address", pipe.ownAddress()).put("key", b64(key))
                .put("tag", b64(PipeKeyExchange.tag(config.pipeSecret(), pipe.pipeId(), true, key, pipe.ownAddress())));
        link.send(json(open));
    }

    // ---- the node that holds the room: the hub ----

    /** A WebSocket to {@link #PATH} is up: its first message must be a valid open, within the timeout. */
    Pipe accepted(Pipe.Link link) {
        Pipe pipe = new Pipe(false);
        pipe.link(link);
        expireUnopened(pipe);
        return pipe;
    }

    /** Ends {@code pipe} if its key exchange is not done within {@link #OPEN_TIMEOUT_MILLIS}. */
    private void expireUnopened(Pipe pipe) {
        control.schedule(() -> {
            if (pipe.isOpen() || pipe.isClosed()) {
                return;
            }
            String reason = "key exchange not done within " + OPEN_TIMEOUT_MILLIS + " ms";
            if (pipe.isUplink()) {
                closed(pipe, reason);
            } else {
                refuse(pipe, reason);
            }
        }, OPEN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void onOpen(Pipe pipe, JsonNode open) {
        String pipeId = text(open, "pipeId", 300);
        String address = text(open, "address", 64);
        byte[] key = bytes(open, "key");
        byte[] tag = bytes(open, "tag");
        if (!"open".equals(open.path("type").asText())
                || !PipeKeyExchange.verify(config.pipeSecret(), pipeId, true, key, address, tag)) {
            refuse(pipe, "not a valid open");
            return;
        }
        String[] parts = pipeId.split(":", 4);
        long sentAt;
        try {
            sentAt = Long.parseLong(parts[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            refuse(pipe, "not a valid pipe id");
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        if (parts.length != 4 || Math.abs(now - sentAt) > MAX_CLOCK_SKEW_SECONDS || !remember(pipeId, now)) {
            refuse(pipe, "stale or replayed open");
            return;
        }
        String node = parts[2];
        String roomName = parts[3];
        if (!MessageDispatcher.ROOM_NAME.matcher(roomName).matches() || node.equals(config.nodeId())) {
            refuse(pipe, "not a valid room");
            return;
        }
        if (socketAddress(address) == null) {
            refuse(pipe, "not a valid address");
            return;
        }
        Room room = rooms.open(roomName);
        if (room != null) {
            if (isUplinked(room)) {
                refuse(pipe, "room " + roomName + " is not held here");
            } else {
                acceptOpen(pipe, room, pipeId, node, address, key);
            }
            return;
        }
        ClusterMembership membership = cluster.get();
        if (membership == null) {
            refuse(pipe, "not a cluster node");
            return;
        }
        // Not open here: open it only if the directory says it is this node's (or now is).
        membership.routeAsync(roomName).whenComplete((route, error) -> control.execute(() -> {
            if (pipe.isClosed()) {
                return;
            }
            if (error != null || !(route instanceof RoomRouter.Local)) {
                refuse(pipe, "room " + roomName + " is not held here");
                return;
            }
            Room opened = rooms.open(roomName);
            acceptOpen(pipe, opened != null ? opened : rooms.openRoom(roomName), pipeId, node, address, key);
        }));
    }

    private void acceptOpen(Pipe pipe, Room room, String pipeId, String node, String address, byte[] peerKey) {
        InetSocketAddress peer = socketAddress(address);
        if (peer == null) {
            refuse(pipe, "not a valid address");
            return;
        }
        PipeSocket socket;
        try {
            socket = sockets.open();
        } catch (Exception e) {
            refuse(pipe, "no pipe socket: " + e);
            rooms.closeIfDone(room); // opened for this pipe only
            return;
        }
        Transport transport = transports.open(room.router());
        PipeKeyExchange exchange = PipeKeyExchange.start();
        pipe.start(pipeId, node, room, transport, socket, exchange, config.pipeAddress() + ":" + socket.port());
        PipeKeyExchange.Agreement agreement;
        try {
            agreement = exchange.agree(pipeId, false, pipe.ownAddress(), peerKey, address);
        } catch (IllegalArgumentException e) {
            refuse(pipe, "not a valid key");
            return;
        }
        socket.connect(transport, peer);
        room.router().transportConnected(transport, agreement.srtp());
        byte[] key = exchange.publicKey();
        pipe.link().send(json(mapper.createObjectNode().put("type", "accept").put("address", pipe.ownAddress())
                .put("key", b64(key))
                .put("tag", b64(PipeKeyExchange.tag(config.pipeSecret(), pipeId, false, key, pipe.ownAddress())))));
        pipe.opened(new PipeFrames(agreement.sendMacKey(), agreement.receiveMacKey()));
        pipe.link().authenticated();
        room.addPipe(pipe);
        open++;
        LOG.info("room {}: piped to node {} ({})", room.name(), node, pipeId);
        announceAll(pipe);
    }

    private void onAccept(Pipe pipe, JsonNode accept) {
        if (!"accept".equals(accept.path("type").asText())) {
            closed(pipe, "refused: " + accept.path("reason").asText("?"));
            return;
        }
        String address = text(accept, "address", 64);
        byte[] key = bytes(accept, "key");
        InetSocketAddress peer = socketAddress(address);
        if (peer == null || !PipeKeyExchange.verify(config.pipeSecret(), pipe.pipeId(), false, key, address,
                bytes(accept, "tag"))) {
            closed(pipe, "not a valid accept");
            return;
        }
        PipeKeyExchange.Agreement agreement;
        try {
            agreement = pipe.exchange().agree(pipe.pipeId(), true, pipe.ownAddress(), key, address);
        } catch (IllegalArgumentException e) {
            closed(pipe, "not a valid key");
            return;
        }
        Room room = pipe.room();
        pipe.socket().connect(pipe.transport(), peer);
        room.router().transportConnected(pipe.transport(), agreement.srtp());
        pipe.opened(new PipeFrames(agreement.sendMacKey(), agreement.receiveMacKey()));
        open++;
        LOG.info("room {}: pipe open ({})", room.name(), pipe.pipeId());
        announceAll(pipe);
    }

    private void refuse(Pipe pipe, String reason) {
        pipesRefused++;
        LOG.warn("pipe refused: {}", reason);
        Pipe.Link link = pipe.link();
        if (link != null && !pipe.isOpen()) {
            link.send(json(mapper.createObjectNode().put("type", "refuse").put("reason", reason)));
        }
        closed(pipe, reason);
    }

    // ---- both ends ----

    /** A text message on the pipe's control channel. */
    void onText(Pipe pipe, String text) {
        if (pipe.isClosed()) {
            return;
        }
        try {
            if (text.length() > MAX_MESSAGE_CHARS) {
                throw new IllegalArgumentException("a message of " + text.length() + " characters");
            }
            if (!pipe.isOpen()) {
                JsonNode message = mapper.readTree(text);
                if (!pipe.firstMessage()) {
                    // One message is the whole first half of the key exchange: more before the answer is abuse.
                    throw new IllegalArgumentException("a second message before the key exchange ended");
                }
                if (pipe.isUplink()) {
                    onAccept(pipe, message);
                } else {
                    onOpen(pipe, message);
                }
                return;
            }
            onMessage(pipe, mapper.readTree(pipe.frames().open(text)));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            if (pipe.isOpen() || pipe.isUplink()) {
                closed(pipe, "bad message: " + e.getMessage());
            } else {
                refuse(pipe, "bad message");
            }
        }
    }

    private void onMessage(Pipe pipe, JsonNode message) {
        Room room = pipe.room();
        String type = message.path("t").asText();
        switch (type) {
            case "participant" -> importParticipant(pipe, room, message);
            case "left" -> {
                Participant remote = importedBy(pipe, room, text(message, "id", 160));
                if (remote != null) {
                    removeRemote(pipe, room, remote);
                }
            }
            case "track" -> importTrack(pipe, room, message);
            case "untrack" -> {
                Participant remote = importedBy(pipe, room, text(message, "participant", 160));
                PublishedTrack track = remote == null ? null
                        : remote.publish().trackById(text(message, "trackId", 160));
                if (track != null) {
                    publisher.unpublish(remote, track);
                }
            }
            case "mute" -> {
                Participant remote = importedBy(pipe, room, text(message, "participant", 160));
                if (remote != null) {
                    try {
                        publisher.mute(remote, text(message, "trackId", 160), message.path("muted").asBoolean());
                    } catch (SignalingException e) {
                        // A track that went meanwhile: nothing to mute.
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown message " + type);
        }
    }

    private void importParticipant(Pipe pipe, Room room, JsonNode message) {
        String id = text(message, "id", 160);
        String name = text(message, "name", 256);
        if (!ID.matcher(id).matches() || !id.contains("@")) {
            throw new IllegalArgumentException("not a valid participant id");
        }
        if (room.hasParticipant(id) || pipe.imported().size() >= Pipe.MAX_REMOTE_PARTICIPANTS) {
            return;
        }
        Participant remote = new Participant(id, name.isEmpty() ? id : name, room, DISCARD,
                VideoGrant.unrestricted(room.name()));
        remote.origin(pipe);
        room.addRemote(remote);
        pipe.imported().add(id);
        for (Participant local : room.participants()) {
            ObjectNode event = message("participantJoined");
            event.putObject("participant").put("participantId", id).put("name", remote.name());
            local.outbox().send(event);
        }
        participantJoined(remote);
    }

    private void importTrack(Pipe pipe, Room room, JsonNode message) {
        Participant owner = importedBy(pipe, room, text(message, "participant", 160));
        if (owner == null || owner.publish().tracks().size() >= MAX_TRACKS_PER_REMOTE) {
            return;
        }
        String trackId = text(message, "trackId", 160);
        String kind = text(message, "kind", 8);
        Codec codec;
        try {
            codec = Codec.valueOf(text(message, "codec", 16).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a codec of this relay");
        }
        if (trackId.isEmpty() || !codec.kind().name().toLowerCase(Locale.ROOT).equals(kind)
                || owner.publish().trackById(trackId) != null) {
            throw new IllegalArgumentException("not a valid track");
        }
        List<String> rids = new ArrayList<>();
        for (JsonNode rid : message.path("rids")) {
            if (!RID.matcher(rid.asText()).matches() || rids.size() >= MAX_LAYERS) {
                throw new IllegalArgumentException("not a valid rid");
            }
            rids.add(rid.asText());
        }
        JsonNode ssrcList = message.path("ssrcs");
        int streams = Math.max(1, rids.size());
        if (!ssrcList.isArray() || ssrcList.size() != streams) {
            throw new IllegalArgumentException("an SSRC per stream");
        }
        int[] ssrcs = new int[streams];
        for (int i = 0; i < streams; i++) {
            long ssrc = ssrcList.get(i).asLong(-1);
            if (ssrc <= 0 || ssrc > 0xFFFFFFFFL || pipe.ssrcs().contains(ssrc)) {
                throw new IllegalArgumentException("not a valid SSRC");
            }
            ssrcs[i] = (int) ssrc;
        }
        for (int ssrc : ssrcs) {
            pipe.ssrcs().add(ssrc & 0xFFFFFFFFL);
        }
        int payloadType = payloadType(message, "pt", false);
        int redPayloadType = payloadType(message, "red", true);
        int audioLevel = message.path("audioLevel").asInt(-1);
        if (audioLevel < 1 || audioLevel > 14) {
            audioLevel = -1;
        }
        int producerId = publisher.nextProducerId();
        room.router().createPipedProducer(producerId, pipe.transport(), codec, ssrcs, payloadType, redPayloadType,
                audioLevel);
        PublishedTrack track = new PublishedTrack(producerId, "pipe" + producerId, trackId, kind, codec,
                text(message, "fmtp", 256), rids.isEmpty() ? ssrcs[0] & 0xFFFFFFFFL : 0, rids, owner);
        PublishState state = owner.publish();
        state.add(track);
        state.media(track, new PublishState.TrackMedia(payloadType, redPayloadType, audioLevel));
        String source = text(message, "source", 16);
        if (TrackOption.isSource(source)) {
            state.source(trackId, source);
        }
        state.mute(trackId, message.path("muted").asBoolean());
        if (kind.equals("video") && TrackOption.SCREEN.equals(state.source(track))) {
            room.router().setScreenShare(producerId, true);
        }
        publisher.announce(owner, List.of(track));
    }

    /** A participant of another node leaves the room here: its tracks first, then itself. */
    private void removeRemote(Pipe pipe, Room room, Participant remote) {
        publisher.unpublishAll(remote);
        room.removeRemote(remote);
        pipe.imported().remove(remote.id());
        for (Participant local : room.participants()) {
            local.outbox().send(message("participantLeft").put("participantId", remote.id()));
        }
        participantLeft(remote);
    }

    /** The control channel closed, or failed: the pipe's media and everything that came over it go. */
    void closed(Pipe pipe, String reason) {
        boolean wasOpen = pipe.isOpen();
        if (!pipe.close()) {
            return;
        }
        if (wasOpen) {
            open--;
        }
        Pipe.Link link = pipe.link();
        if (link != null) {
            link.close();
        }
        Room room = pipe.room();
        if (room == null) {
            return;
        }
        LOG.info("room {}: pipe {} closed: {}", room.name(), pipe.pipeId(), reason);
        for (Participant remote : room.remotes()) {
            if (remote.origin() == pipe) {
                removeRemote(pipe, room, remote);
            }
        }
        for (int consumerId : pipe.exported().values()) {
            room.router().closeConsumer(consumerId);
        }
        pipe.exported().clear();
        if (pipe.transport() != null) {
            transports.close(room.router(), pipe.transport());
        }
        if (pipe.socket() != null) {
            pipe.socket().close(); // also when the key exchange never connected it to the Transport
        }
        room.removePipe(pipe);
        if (room == closing) {
            return;
        }
        if (pipe.isUplink() && rooms.isOpen(room)) {
            // This node's part of the room cannot go on without the room's node: its participants
            // rejoin, and land where the directory says the room is now (docs/scale-out.md).
            roomLost.accept(room.name());
        } else if (rooms.isOpen(room)) {
            rooms.closeIfDone(room);
        }
    }

    // ---- what this node announces: RoomListener ----

    /** Everything of the room the other end does not have. */
    private void announceAll(Pipe pipe) {
        Room room = pipe.room();
        List<Participant> everyone = room.participants();
        everyone.addAll(room.remotes());
        for (Participant participant : everyone) {
            if (exports(pipe, participant)) {
                announceParticipant(pipe, participant);
                for (PublishedTrack track : participant.publish().tracks()) {
                    announceTrack(pipe, track);
                }
            }
        }
    }

    /** Whether {@code participant} goes to the other end of {@code pipe}: not where it came from, not hidden. */
    private static boolean exports(Pipe pipe, Participant participant) {
        return pipe.isOpen() && participant.origin() != pipe && !participant.grant().hidden();
    }

    private void announceParticipant(Pipe pipe, Participant participant) {
        String id = clusterId(participant);
        if (pipe.announced().add(id)) {
            send(pipe, mapper.createObjectNode().put("t", "participant").put("id", id).put("name", participant.name()));
        }
    }

    private void announceTrack(Pipe pipe, PublishedTrack track) {
        if (pipe.exported().containsKey(track.producerId())) {
            return;
        }
        Participant owner = track.owner();
        int streams = Math.max(1, track.layers());
        int[] ssrcs = new int[streams];
        ArrayNode ssrcList = mapper.createArrayNode();
        for (int i = 0; i < streams; i++) {
            ssrcs[i] = (int) ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
            ssrcList.add(ssrcs[i] & 0xFFFFFFFFL);
        }
        int consumerId = subscriber.nextConsumerId();
        owner.room().router().createPipeConsumer(consumerId, track.producerId(), pipe.transport(), ssrcs);
        pipe.exported().put(track.producerId(), consumerId);
        PublishState state = owner.publish();
        PublishState.TrackMedia media = state.media(track);
        ObjectNode message = mapper.createObjectNode().put("t", "track").put("participant", clusterId(owner))
                .put("trackId", track.trackId()).put("kind", track.kind()).put("codec", track.codec().name())
                .put("fmtp", track.fmtp()).put("pt", media.payloadType()).put("red", media.redPayloadType())
                .put("audioLevel", media.audioLevelExtensionId()).put("source", state.source(track))
                .put("muted", state.muted(track));
        track.rids().forEach(message.putArray("rids")::add);
        message.set("ssrcs", ssrcList);
        send(pipe, message);
    }

    @Override
    public void participantJoined(Participant participant) {
        for (Pipe pipe : participant.room().pipes()) {
            if (exports(pipe, participant)) {
                announceParticipant(pipe, participant);
            }
        }
    }

    @Override
    public void participantLeft(Participant participant) {
        String id = clusterId(participant);
        for (Pipe pipe : participant.room().pipes()) {
            if (pipe.isOpen() && pipe.announced().remove(id)) {
                send(pipe, mapper.createObjectNode().put("t", "left").put("id", id));
            }
        }
    }

    @Override
    public void trackPublished(PublishedTrack track) {
        for (Pipe pipe : track.owner().room().pipes()) {
            if (exports(pipe, track.owner())) {
                announceParticipant(pipe, track.owner());
                announceTrack(pipe, track);
            }
        }
    }

    @Override
    public void trackUnpublished(PublishedTrack track) {
        for (Pipe pipe : track.owner().room().pipes()) {
            // The Producer closed, and its pipe Consumers with it.
            if (pipe.exported().remove(track.producerId()) != null && pipe.isOpen()) {
                send(pipe, mapper.createObjectNode().put("t", "untrack").put("participant", clusterId(track.owner()))
                        .put("trackId", track.trackId()));
            }
        }
    }

    @Override
    public void trackMuted(PublishedTrack track, boolean muted) {
        for (Pipe pipe : track.owner().room().pipes()) {
            if (pipe.isOpen() && pipe.exported().containsKey(track.producerId())) {
                send(pipe, mapper.createObjectNode().put("t", "mute").put("participant", clusterId(track.owner()))
                        .put("trackId", track.trackId()).put("muted", muted));
            }
        }
    }

    @Override
    public void roomClosing(Room room) {
        closing = room;
        try {
            for (Pipe pipe : room.pipes()) {
                closed(pipe, "room closed");
            }
        } finally {
            closing = null;
        }
    }

    // ---- helpers ----

    /** A participant's id across the cluster: its node's id appended to one of this node's. */
    private String clusterId(Participant participant) {
        return participant.isRemote() ? participant.id() : participant.id() + "@" + config.nodeId();
    }

    private static boolean isUplinked(Room room) {
        for (Pipe pipe : room.pipes()) {
            if (pipe.isUplink()) {
                return true;
            }
        }
        return false;
    }

    private static Participant importedBy(Pipe pipe, Room room, String id) {
        Participant remote = room.remote(id);
        return remote != null && remote.origin() == pipe ? remote : null;
    }

    private void send(Pipe pipe, ObjectNode message) {
        pipe.link().send(pipe.frames().seal(json(message)));
    }

    private String json(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean remember(String pipeId, long nowSeconds) {
        seen.values().removeIf(at -> nowSeconds - at > 2 * MAX_CLOCK_SKEW_SECONDS);
        if (seen.size() >= 10_000 || seen.containsKey(pipeId)) {
            return false;
        }
        seen.put(pipeId, nowSeconds);
        return true;
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    /** This node's pipe endpoint as other nodes reach it: its cluster address and HTTP port. */
    static String pipeUrl(String address, int httpPort) {
        String host = address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
        return "ws://" + host + ":" + httpPort + PATH;
    }

    private static String text(JsonNode node, String field, int maxChars) {
        String value = node.path(field).asText("");
        if (value.length() > maxChars) {
            throw new IllegalArgumentException(field + " too long");
        }
        return value;
    }

    private static byte[] bytes(JsonNode node, String field) {
        try {
            return Base64.getDecoder().decode(text(node, field, 128));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static int payloadType(JsonNode node, String field, boolean optional) {
        int pt = node.path(field).asInt(-1);
        if (pt < 0 || pt > 127) {
            if (optional) {
                return -1;
            }
            throw new IllegalArgumentException("not a valid payload type");
        }
        return pt;
    }

    /** An IP literal and port, as an open or accept gives it; null if it is not one. */
    static InetSocketAddress socketAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!host.matches("[0-9A-Fa-f:.]+")) {
            return null; // a literal only: no name lookups on the control thread
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65_535) {
                return null;
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (Exception e) {
            return null;
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Where messages to a participant of another node go: nowhere; its own node tells it. */
    private static final Outbox DISCARD = new Outbox() {
        @Override
        public void send(ObjectNode message) {
        }

        @Override
        public void close() {
        }
    };
}
