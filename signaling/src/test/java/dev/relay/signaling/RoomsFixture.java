package dev.relay.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.sfu.MediaWorkers;
import dev.relay.transport.DropCounters;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Rooms} built from real parts (one media worker, real Transports), for tests of what sits
 * on top of it; the test thread plays the control thread. Messages to each participant and
 * session events go to one {@link Transcript}.
 */
final class RoomsFixture implements AutoCloseable {
    final Transcript transcript = new Transcript();
    final TransportRegistry registry = new TransportRegistry(new dev.relay.transport.DropCounters());
    final RecordingEvents events = new RecordingEvents(transcript);
    final Rooms rooms;
    final PublishNegotiator publisher;
    final SubscribeNegotiator subscriber;
    private final Map<String, ObjectNode> lastMessages = new HashMap<>();
    private final MediaWorkers workers = new MediaWorkers(1, new DropCounters());
    private final DtlsHandshakes dtls = new DtlsHandshakes(DtlsHandshakes.Limits.defaults());

    final LimitCounters limitCounters = new LimitCounters();
    final SessionStats stats = new SessionStats();

    RoomsFixture() {
        this(Limits.defaults());
    }

    RoomsFixture(Limits limits) {
        this(limits, new dev.relay.signaling.turn.TurnCredentials(dev.relay.signaling.turn.TurnConfig.none(),
                java.time.InstantSource.system()));
    }

    /** With TURN servers handed out at join. */
    RoomsFixture(Limits limits, dev.relay.signaling.turn.TurnCredentials turn) {
        DtlsCertificate certificate = DtlsCertificate.generate();
        TransportFactory transports = new TransportFactory(registry, certificate, List.of("127.0.0.1"), 40000);
        DtlsStarter dtlsStarter = new DtlsStarter(certificate, dtls);
        subscriber = new SubscribeNegotiator(transports, dtlsStarter, events, 1, limits.subscribeSlots(),
                limitCounters, LossRepair.on());
        publisher = new PublishNegotiator(transports, dtlsStarter, subscriber, events, 1,
                limits.tracksPerParticipant());
        rooms = new Rooms(workers, transports, publisher, subscriber, events, limits, stats, turn);
    }

    /** Joins {@code name} to {@code room} on a socket whose messages are {@code "name <- ..."} lines. */
    Participant join(String name, String room) {
        return join(name, room, dev.relay.signaling.auth.VideoGrant.unrestricted(room));
    }

    /** {@link #join(String, String)} with what an access token granted. */
    Participant join(String name, String room, dev.relay.signaling.auth.VideoGrant grant) {
        try {
            return tryJoin(name, room, grant);
        } catch (SignalingException e) {
            throw new AssertionError(name + " could not join " + room + ": " + e.getMessage(), e);
        }
    }

    /** A join that may be refused (a limit). */
    Participant tryJoin(String name, String room, dev.relay.signaling.auth.VideoGrant grant)
            throws SignalingException {
        Outbox outbox = new Outbox() {
            @Override
            public void send(ObjectNode message) {
                lastMessages.put(name, message);
                transcript.add(name + " <- " + Transcript.render(message));
            }

            @Override
            public void close() {
                transcript.add(name + " closed");
            }
        };
        return rooms.join(new Connection(outbox, "test:" + name), room, name, grant, null);
    }

    /** The last message sent to {@code name}, whole (the transcript cuts SDP short). */
    ObjectNode lastMessageTo(String name) {
        return lastMessages.get(name);
    }

    @Override
    public void close() {
        rooms.closeAll();
        dtls.close();
        workers.close();
    }
}
