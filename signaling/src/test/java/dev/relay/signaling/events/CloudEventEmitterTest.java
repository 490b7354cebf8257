package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CloudEventEmitterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-05-04T10:15:30.123456Z");

    private final RecordingSink sink = new RecordingSink();
    private final AtomicInteger nextId = new AtomicInteger();
    private final CloudEventEmitter emitter = new CloudEventEmitter("node-a", Clock.fixed(NOW, ZoneOffset.UTC),
            () -> "id-" + nextId.incrementAndGet(), List.of(sink));

    @Test
    void shouldWriteCloudEventsStructuredJsonEnvelope() throws Exception {
        emitter.participantJoined("demo", "p1", "alice");

        JsonNode json = JSON.readTree(sink.events.get(0).toJsonBytes());
        assertEquals("1.0", json.get("specversion").asText());
        assertEquals("id-1", json.get("id").asText());
        assertEquals("/relay/node-a", json.get("source").asText());
        assertEquals("dev.relay.participant.joined", json.get("type").asText());
        assertEquals("demo", json.get("subject").asText());
        assertEquals("2026-05-04T10:15:30.123Z", json.get("time").asText(), "RFC 3339 UTC, milliseconds");
        assertEquals("application/json", json.get("datacontenttype").asText());
        assertEquals("node-a", json.get("relaynode").asText());
        assertEquals(1, json.get("schemaversion").asInt());
        assertEquals(1, json.get("roomseq").asLong());
        assertEquals(JSON.readTree("{\"room\":\"demo\",\"participantId\":\"p1\",\"name\":\"alice\"}"), json.get("data"));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                "relaynode", "schemaversion", "roomseq", "data"), names);
    }

    @Test
    void shouldNameExtensionAttributesAsCloudEventsRequires() throws Exception {
        emitter.roomCreated("demo");
        JsonNode json = JSON.readTree(sink.events.get(0).toJsonBytes());
        // CloudEvents 1.0 §3.1.1: attribute names are lower-case a-z and 0-9, at most 20 characters.
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            assertTrue(name.matches("[a-z0-9]{1,20}"), name);
        }
    }

    static Stream<Arguments> events() {
        QualitySample sample = new QualitySample("p1", 10_000,
                new QualitySample.Direction(2, 1_500_000, 0.01234, 3.26, -1),
                new QualitySample.Direction(2, 1_400_000, 0.0, 4.0, 12.34, 7, java.util.List.of(2), 850_000, 1, 620_000));
        return Stream.of(
                Arguments.of("room created", (Consumer<SessionEvents>) e -> e.roomCreated("r"),
                        "dev.relay.room.created", "{\"room\":\"r\"}"),
                Arguments.of("room closed", (Consumer<SessionEvents>) e -> e.roomClosed("r"),
                        "dev.relay.room.closed", "{\"room\":\"r\"}"),
                Arguments.of("participant left", (Consumer<SessionEvents>) e -> e.participantLeft("r", "p1",
                        LeaveReason.ICE_FAILED), "dev.relay.participant.left",
                        "{\"room\":\"r\",\"participantId\":\"p1\",\"reason\":\"ice_failed\"}"),
                Arguments.of("track published", (Consumer<SessionEvents>) e -> e.trackPublished("r", "p1", "t1",
                        "video", "VP8"), "dev.relay.track.published",
                        "{\"room\":\"r\",\"participantId\":\"p1\",\"trackId\":\"t1\",\"kind\":\"video\",\"codec\":\"VP8\"}"),
                Arguments.of("track unpublished", (Consumer<SessionEvents>) e -> e.trackUnpublished("r", "p1", "t1",
                        "audio"), "dev.relay.track.unpublished",
                        "{\"room\":\"r\",\"participantId\":\"p1\",\"trackId\":\"t1\",\"kind\":\"audio\"}"),
                Arguments.of("subscription started", (Consumer<SessionEvents>) e -> e.subscriptionStarted("r", "p2",
                        "p1", "t1", "audio"), "dev.relay.subscription.started",
                        "{\"room\":\"r\",\"subscriberId\":\"p2\",\"publisherId\":\"p1\",\"trackId\":\"t1\",\"kind\":\"audio\"}"),
                Arguments.of("subscription stopped", (Consumer<SessionEvents>) e -> e.subscriptionStopped("r", "p2",
                        "p1", "t1", "video"), "dev.relay.subscription.stopped",
                        "{\"room\":\"r\",\"subscriberId\":\"p2\",\"publisherId\":\"p1\",\"trackId\":\"t1\",\"kind\":\"video\"}"),
                Arguments.of("quality", (Consumer<SessionEvents>) e -> e.participantQuality("r", sample),
                        "dev.relay.participant.quality",
                        "{\"room\":\"r\",\"participantId\":\"p1\",\"intervalMs\":10000,"
                                + "\"publish\":{\"tracks\":2,\"bitrateBps\":1500000,\"packetLoss\":0.0123,\"jitterMs\":3.3},"
                                + "\"subscribe\":{\"tracks\":2,\"bitrateBps\":1400000,\"packetLoss\":0.0,\"jitterMs\":4.0,\"rttMs\":12.3,"
                        + "\"retransmissions\":7,\"layers\":[2],\"estimateBps\":850000,\"allocatedBps\":620000,\"paused\":1}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void shouldWriteTypeAndData(String name, Consumer<SessionEvents> call, String type, String data) throws Exception {
        call.accept(emitter);
        JsonNode json = JSON.readTree(sink.events.get(0).toJsonBytes());
        assertEquals(type, json.get("type").asText());
        // Re-read so that numbers compare by value (a long written small reads back as an int).
        assertEquals(JSON.readTree(data), JSON.readTree(json.get("data").toString()));
        assertEquals("r", json.get("subject").asText());
    }

    @Test
    void shouldWriteUnknownRoundTripTimeAsNull() throws Exception {
        emitter.participantQuality("r", new QualitySample("p1", 1000, QualitySample.Direction.NONE,
                QualitySample.Direction.NONE));
        JsonNode subscribe = JSON.readTree(sink.events.get(0).toJsonBytes()).get("data").get("subscribe");
        assertTrue(subscribe.get("rttMs").isNull());
        assertEquals(0, subscribe.get("tracks").asInt());
    }

    @Test
    void shouldNumberEachRoomInstanceFromOne() {
        emitter.roomCreated("a");
        emitter.participantJoined("a", "p1", "p1");
        emitter.roomCreated("b");
        emitter.participantLeft("a", "p1", LeaveReason.LEFT);
        emitter.roomClosed("a");
        emitter.roomCreated("a");

        List<Map.Entry<String, Long>> seqs = sink.events.stream()
                .map(e -> Map.entry(e.subject(), e.roomSeq())).toList();
        assertEquals(List.of(Map.entry("a", 1L), Map.entry("a", 2L), Map.entry("b", 1L), Map.entry("a", 3L),
                Map.entry("a", 4L), Map.entry("a", 1L)), seqs);
    }

    @Test
    void shouldGiveEveryEventItsOwnId() {
        CloudEventEmitter real = CloudEventEmitter.fromConfig(EventsConfig.defaults().withNodeId("n"));
        real.close(java.time.Duration.ZERO);
        RecordingSink recording = new RecordingSink();
        CloudEventEmitter withRandomIds = new CloudEventEmitter("n", Clock.systemUTC(),
                () -> java.util.UUID.randomUUID().toString(), List.of(recording));
        for (int i = 0; i < 1000; i++) {
            withRandomIds.participantJoined("r", "p" + i, "x");
        }
        assertEquals(1000, recording.events.stream().map(CloudEvent::id).distinct().count());
        assertEquals(List.of("log"), real.sinks().stream().map(EventSink::name).toList(),
                "no Kafka and no file: events go to the log");
    }
}
