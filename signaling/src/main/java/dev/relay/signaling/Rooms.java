package dev.relay.signaling;

import static dev.relay.signaling.Messages.message;
import static dev.relay.signaling.Messages.withId;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.MediaWorkers;
import dev.relay.signaling.auth.VideoGrant;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySampler;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.signaling.turn.TurnConfig;
import dev.relay.signaling.turn.TurnCredentials;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room and participant lifecycle: a join opens the room if needed and subscribes the newcomer to
 * what the others publish; a leave tears that down in the reverse order and closes the room
 * when it empties (docs/events.md "A call, as events"). Control thread only; the two counts are
 * read by metrics from other threads.
 */
final class Rooms {
    private static final Logger LOG = LoggerFactory.getLogger(Rooms.class);

    private final MediaWorkers workers;
    private final TransportFactory transports;
    private final PublishNegotiator publisher;
    private final SubscribeNegotiator subscriber;
    private final SessionEvents events;
    private final TurnCredentials turn;
    private final Limits limits;
    private final Map<String, Room> rooms = new HashMap<>();
    private final SessionStats stats;
    private long nextParticipant = 1;
    private volatile int roomCount;
    private volatile int participantCount;
    /** Set once at SIGTERM (any thread); read by joins and by the readiness probe. */
    private volatile boolean draining;
    /** Told of each room as it opens (on the control thread), before its first participant is in. */
    private java.util.function.Consumer<Room> onOpen = room -> { };
    private RoomListener listener = RoomListener.NONE;

    Rooms(MediaWorkers workers, TransportFactory transports, PublishNegotiator publisher,
          SubscribeNegotiator subscriber, SessionEvents events) {
        this(workers, transports, publisher, subscriber, events, Limits.defaults());
    }

    Rooms(MediaWorkers workers, TransportFactory transports, PublishNegotiator publisher,
          SubscribeNegotiator subscriber, SessionEvents events, Limits limits) {
        this(workers, transports, publisher, subscriber, events, limits, new SessionStats());
    }

    Rooms(MediaWorkers workers, TransportFactory transports, PublishNegotiator publisher,
          SubscribeNegotiator subscriber, SessionEvents events, Limits limits, SessionStats stats) {
        this(workers, transports, publisher, subscriber, events, limits, stats,
                new TurnCredentials(TurnConfig.none(), InstantSource.system()));
    }

    /** @param turn the TURN servers and credentials each {@code joined} hands out (none when not configured) */
    Rooms(MediaWorkers workers, TransportFactory transports, PublishNegotiator publisher,
          SubscribeNegotiator subscriber, SessionEvents events, Limits limits, SessionStats stats,
          TurnCredentials turn) {
        this.turn = turn;
        this.stats = stats;
        this.limits = limits;
        this.workers = workers;
        this.transports = transports;
        this.publisher = publisher;
        this.subscriber = subscriber;
        this.events = events;
    }

    /** Who to tell of each room that opens from now on. */
    void onOpen(java.util.function.Consumer<Room> listener) {
        onOpen = listener;
    }

    /** Who hears of participants joining and leaving and of rooms closing (the pipes to other nodes). */
    void listener(RoomListener roomListener) {
        listener = roomListener;
    }

    int roomCount() {
        return roomCount;
    }

    int participantCount() {
        return participantCount;
    }

    /** From now on every join is refused with {@code draining}; who is in stays (docs/operations.md "Shutdown"). */
    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** The open rooms; a live view, not to be changed while iterated. */
    Collection<Room> open() {
        return Collections.unmodifiableCollection(rooms.values());
    }

    /** The open room of that name, or null. */
    Room open(String name) {
        return rooms.get(name);
    }

    /** A room of that name is open here. */
    boolean isOpen(String name) {
        return rooms.containsKey(name);
    }

    boolean isOpen(Room room) {
        return rooms.get(room.name()) == room;
    }

    /** {@link #join(Connection, String, String, VideoGrant, JsonNode)} with every grant (dev mode). */
    Participant join(Connection connection, String roomName, String name, JsonNode id) throws SignalingException {
        return join(connection, roomName, name, VideoGrant.unrestricted(roomName), id);
    }

    /**
     * Adds a participant to {@code roomName} (validated by the dispatcher), opening the room if
     * it is not: {@code joined} to the newcomer, {@code participantJoined} to the others, then the
     * newcomer's first subscribe offer for what they publish. A hidden participant is neither
     * announced to the others nor listed to later newcomers.
     *
     * @throws SignalingException {@code draining} once the relay is shutting down;
     *         {@code limit_exceeded} if the room is full, or it would be one room more than the
     *         relay allows; nothing changes then
     */
    Participant join(Connection connection, String roomName, String name, VideoGrant grant, JsonNode id)
            throws SignalingException {
        if (draining) {
            // A new participant here would be cut off within the drain; another replica takes it.
            throw new SignalingException(SignalingException.DRAINING, "this relay is shutting down; join again "
                    + "to reach another one");
        }
        Room room = rooms.get(roomName);
        if (room == null && rooms.size() >= limits.rooms()) {
            throw SignalingException.limit(Limit.ROOMS, "this relay has " + rooms.size()
                    + " rooms open, the most it allows; try again later");
        }
        if (room != null && room.size() >= limits.participantsPerRoom()) {
            throw SignalingException.limit(Limit.PARTICIPANTS_PER_ROOM, "room " + roomName + " has "
                    + room.size() + " participants, the most this relay allows");
        }
        if (room == null) {
            room = openRoom(roomName);
        }
        String participantId = "p" + nextParticipant++;
        Participant participant = new Participant(participantId, name.isEmpty() ? participantId : name, room,
                connection.outbox, grant);
        ObjectNode joined = withId(message("joined"), id).put("participantId", participantId).put("room", roomName);
        joined.putObject("permissions").put("canPublish", grant.mayPublish()).put("canSubscribe", grant.canSubscribe())
                .put("canPublishData", grant.canPublishData()).put("hidden", grant.hidden());
        if (turn.enabled()) {
            // docs/signaling.md "TURN": credentials of this participant only, valid for --turn-ttl.
            TurnCredentials.IceServer server = turn.issue(participantId + "@" + roomName);
            ObjectNode entry = joined.putArray("iceServers").addObject();
            server.urls().forEach(entry.putArray("urls")::add);
            entry.put("username", server.username()).put("credential", server.credential());
            joined.put("iceServersExpire", server.expires().getEpochSecond());
        }
        ArrayNode list = joined.putArray("participants");
        List<Participant> present = room.participants();
        present.addAll(room.remotes());
        for (Participant other : present) {
            if (other.grant().hidden()) {
                continue;
            }
            ObjectNode entry = list.addObject().put("participantId", other.id()).put("name", other.name());
            ArrayNode tracks = entry.putArray("tracks");
            for (PublishedTrack track : other.publish().tracks()) {
                tracks.addObject().put("trackId", track.trackId()).put("kind", track.kind())
                        .put("source", other.publish().source(track)).put("muted", other.publish().muted(track));
            }
        }
        room.add(participant);
        participantCount++;
        stats.joined();
        connection.outbox.send(joined);
        events.participantJoined(roomName, participantId, participant.name());
        for (Participant other : room.others(participant)) {
            if (!grant.hidden()) {
                ObjectNode event = message("participantJoined");
                event.putObject("participant").put("participantId", participantId).put("name", participant.name());
                other.outbox().send(event);
            }
            for (PublishedTrack track : other.publish().tracks()) {
                subscriber.subscribe(participant, track);
            }
        }
        for (Participant remote : room.remotes()) {
            for (PublishedTrack track : remote.publish().tracks()) {
                subscriber.subscribe(participant, track);
            }
        }
        subscriber.offer(participant);
        listener.participantJoined(participant);
        LOG.info("{} ({}) joined room {} ({} participants)", participantId, connection.remote, roomName, room.size());
        return participant;
    }

    /**
     * Removes a participant, once: its tracks are unpublished, then what it received stops, then
     * its Transports close and the others hear {@code participantLeft}. The last one out closes
     * the room.
     */
    void leave(Participant participant, LeaveReason reason) {
        if (!participant.leave()) {
            return;
        }
        Room room = participant.room();
        publisher.unpublishAll(participant);
        subscriber.unsubscribeAll(participant);
        transports.close(room.router(), participant.publish().transport());
        transports.close(room.router(), participant.subscribe().transport());
        room.remove(participant);
        participantCount--;
        stats.left(reason);
        if (!participant.grant().hidden()) {
            for (Participant other : room.others(participant)) {
                other.outbox().send(message("participantLeft").put("participantId", participant.id()));
            }
        }
        events.participantLeft(room.name(), participant.id(), reason);
        listener.participantLeft(participant);
        closeIfDone(room);
        LOG.info("{} left room {} ({})", participant.id(), room.name(), reason.wireName());
    }

    /**
     * Opens a room here: its Router on a worker. A join opens it, or another node piping it from
     * here (docs/scale-out.md "Rooms across nodes").
     */
    Room openRoom(String roomName) {
        Room room = new Room(roomName, workers.newRouter(), new QualitySampler(System.nanoTime()));
        rooms.put(roomName, room);
        roomCount = rooms.size();
        events.roomCreated(roomName);
        onOpen.accept(room);
        return room;
    }

    /**
     * Closes {@code room} if no participant of this node is in it and no other node pipes it
     * from here; its pipes close with it.
     */
    void closeIfDone(Room room) {
        if (room.isEmpty() && room.mayClose() && isOpen(room)) {
            listener.roomClosing(room);
            rooms.remove(room.name());
            roomCount = rooms.size();
            events.roomClosed(room.name());
        }
    }

    /** Removes every participant (shutdown). */
    void closeAll() {
        for (Room room : new ArrayList<>(rooms.values())) {
            for (Participant participant : room.participants()) {
                leave(participant, LeaveReason.SHUTDOWN);
            }
        }
    }
}
