package dev.relay.signaling.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Turns session events into {@link CloudEvent}s and hands each to every sink. Control thread only
 * (the per-room sequence numbers live here unguarded).
 */
public final class CloudEventEmitter implements SessionEvents {
    private final String nodeId;
    private final String source;
    private final Clock clock;
    private final Supplier<String> ids;
    private final List<EventSink> sinks;
    private final Map<String, Long> roomSeq = new HashMap<>();

    public CloudEventEmitter(String nodeId, Clock clock, Supplier<String> ids, List<EventSink> sinks) {
        this.nodeId = nodeId;
        this.source = "/relay/" + nodeId;
        this.clock = clock;
        this.ids = ids;
        this.sinks = List.copyOf(sinks);
    }

    /** The sinks {@code config} asks for: Kafka and/or a JSON-lines file, or else the log. */
    public static CloudEventEmitter fromConfig(EventsConfig config) {
        List<EventSink> sinks = new ArrayList<>();
        if (config.spoolDir() != null && !config.kafkaEnabled()) {
            org.slf4j.LoggerFactory.getLogger(CloudEventEmitter.class).warn(
                    "--events-spool {} is ignored: the spool holds events for Kafka, and no Kafka is configured",
                    config.spoolDir());
        }
        try {
            if (config.kafkaEnabled()) {
                sinks.add(new KafkaEventSink(config));
            }
            if (config.jsonLinesFile() != null) {
                sinks.add(new JsonLinesEventSink(config.jsonLinesFile(), config.bufferCapacity(), config.nodeId()));
            }
        } catch (RuntimeException e) {
            sinks.forEach(s -> s.close(Duration.ZERO));
            throw e;
        }
        if (sinks.isEmpty()) {
            sinks.add(new LogEventSink());
        }
        return new CloudEventEmitter(config.nodeId(), Clock.systemUTC(), () -> UUID.randomUUID().toString(), sinks);
    }

    public List<EventSink> sinks() {
        return sinks;
    }

    @Override
    public void roomCreated(String room) {
        roomSeq.remove(room);
        emit(EventType.ROOM_CREATED, room, data(room));
    }

    @Override
    public void roomClosed(String room) {
        emit(EventType.ROOM_CLOSED, room, data(room));
        roomSeq.remove(room);
    }

    @Override
    public void participantJoined(String room, String participantId, String name) {
        emit(EventType.PARTICIPANT_JOINED, room, data(room).put("participantId", participantId).put("name", name));
    }

    @Override
    public void participantLeft(String room, String participantId, LeaveReason reason) {
        emit(EventType.PARTICIPANT_LEFT, room,
                data(room).put("participantId", participantId).put("reason", reason.wireName()));
    }

    @Override
    public void trackPublished(String room, String participantId, String trackId, String kind, String codec) {
        emit(EventType.TRACK_PUBLISHED, room, data(room).put("participantId", participantId)
                .put("trackId", trackId).put("kind", kind).put("codec", codec));
    }

    @Override
    public void trackUnpublished(String room, String participantId, String trackId, String kind) {
        emit(EventType.TRACK_UNPUBLISHED, room, data(room).put("participantId", participantId)
                .put("trackId", trackId).put("kind", kind));
    }

    @Override
    public void subscriptionStarted(String room, String subscriberId, String publisherId, String trackId,
                                    String kind) {
        emit(EventType.SUBSCRIPTION_STARTED, room, data(room).put("subscriberId", subscriberId)
                .put("publisherId", publisherId).put("trackId", trackId).put("kind", kind));
    }

    @Override
    public void subscriptionStopped(String room, String subscriberId, String publisherId, String trackId,
                                    String kind) {
        emit(EventType.SUBSCRIPTION_STOPPED, room, data(room).put("subscriberId", subscriberId)
                .put("publisherId", publisherId).put("trackId", trackId).put("kind", kind));
    }

    @Override
    public void participantQuality(String room, QualitySample sample) {
        ObjectNode data = data(room).put("participantId", sample.participantId())
                .put("intervalMs", sample.intervalMs());
        direction(data.putObject("publish"), sample.publish(), false);
        direction(data.putObject("subscribe"), sample.subscribe(), true);
        emit(EventType.PARTICIPANT_QUALITY, room, data);
    }

    private static void direction(ObjectNode node, QualitySample.Direction d, boolean withRtt) {
        node.put("tracks", d.tracks())
                .put("bitrateBps", d.bitrateBps())
                .put("packetLoss", round(d.packetLoss(), 4))
                .put("jitterMs", round(d.jitterMs(), 1));
        if (withRtt) {
            if (d.rttMs() < 0) {
                node.putNull("rttMs");
            } else {
                node.put("rttMs", round(d.rttMs(), 1));
            }
            node.put("retransmissions", d.retransmissions());
            if (!d.layers().isEmpty()) {
                ArrayNode layers = node.putArray("layers");
                d.layers().forEach(layers::add);
            }
            if (d.estimateBps() >= 0) {
                node.put("estimateBps", d.estimateBps());
                node.put("allocatedBps", Math.max(0, d.allocatedBps()));
            }
            node.put("paused", d.paused());
        }
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    @Override
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Sinks drain in parallel: each has its own thread, so close them all before waiting.
        List<Thread> closers = new ArrayList<>();
        for (EventSink sink : sinks) {
            Thread t = new Thread(() -> sink.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))),
                    "events-close-" + sink.name());
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 3_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ObjectNode data(String room) {
        return JsonNodeFactory.instance.objectNode().put("room", room);
    }

    private void emit(EventType type, String room, ObjectNode data) {
        long seq = roomSeq.merge(room, 1L, Long::sum);
        CloudEvent event = new CloudEvent(ids.get(), source, type, clock.instant(), room, nodeId, seq, data);
        for (EventSink sink : sinks) {
            sink.publish(event);
        }
    }
}
