package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.events.EventsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session events survive a Kafka outage: a real KRaft broker is stopped while participants join
 * and leave (rooms open and close), then started again; every event the relay emitted reaches the
 * topic exactly once, each room's in the order it happened.
 *
 * <p>What the relay emitted is known independently of Kafka: the same relay also writes every event
 * to a JSON-lines file ({@code --events-file}), which never goes down. The test compares the event
 * ids in the file with those consumed from the topic (no id missing, none twice) and each room's
 * order in both.
 *
 * <p>Participants here are bare signaling clients (join/leave only, no media): the outage concerns
 * the control path, and they make the event count exact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaOutageTest extends KafkaRelayTest {
    private static final String TOPIC = "relay.session-events.outage";

    @Test
    void shouldDeliverEveryEventExactlyOnceAcrossABrokerRestart() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 3);
        Path file = dir.resolve("events.jsonl");
        relay = RelayServer.start(RelayConfig.defaults()
                .withHttpPort(0)
                .withMediaPort(0)
                .withBindAddress("127.0.0.1")
                .withEvents(EventsConfig.defaults()
                        .withNodeId("outage-node")
                        .withKafka(kafka.bootstrapServers(), TOPIC)
                        .withJsonLinesFile(file)
                        .withQualityInterval(Duration.ZERO)));
        URI ws = Relays.webSocket(relay);
        String roomA = Relays.uniqueRoom("outage-a");

        // Broker up: the producer learns the topic's partitions.
        SignalingClient a1 = join(ws, roomA);
        SignalingClient a2 = join(ws, roomA);
        Scrape.await(relay, "relay_events_published_total", KAFKA, v -> v >= 3, Duration.ofSeconds(15));

        long stopStart = System.nanoTime();
        kafka.stopBroker();
        System.out.printf("kafka: broker stopped (%d ms)%n", (System.nanoTime() - stopStart) / 1_000_000);

        // Broker down: signaling carries on at full speed; events wait in the relay.
        long downStart = System.nanoTime();
        SignalingClient a3 = join(ws, roomA);
        leave(a1);
        List<String> otherRooms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String room = Relays.uniqueRoom("outage-" + i);
            otherRooms.add(room);
            SignalingClient x = join(ws, room);
            SignalingClient y = join(ws, room);
            leave(x);
            leave(y);
        }
        System.out.printf("signaling during the outage: 11 joins and 11 leaves answered in %d ms%n",
                (System.nanoTime() - downStart) / 1_000_000);
        double held = metric("relay_events_queued", KAFKA);
        System.out.println("kafka sink while the broker is down: " + held + " events held");
        assertTrue(held > 0, "events wait in the relay while the broker is down");

        long startStart = System.nanoTime();
        kafka.startBroker();
        System.out.printf("kafka: broker started again (%d ms), down %d ms in all%n",
                (System.nanoTime() - startStart) / 1_000_000, (System.nanoTime() - stopStart) / 1_000_000);

        // Broker back: later events follow the held ones.
        SignalingClient a4 = join(ws, roomA);
        leave(a2);
        leave(a3);
        leave(a4);
        Scrape.await(relay, "relay_events_queued", KAFKA, v -> v == 0, Duration.ofSeconds(30));
        assertEquals(0, metric("relay_events_dropped_total", Map.of("sink", "kafka", "reason", "buffer_full")));
        assertEquals(0, metric("relay_events_dropped_total", Map.of("sink", "kafka", "reason", "failed")));
        relay.close();
        relay = null;

        List<JsonNode> emitted = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            emitted.add(JSON.readTree(line));
        }
        // 6 rooms created and closed, 14 joins and 14 leaves.
        assertEquals(2 * 6 + 2 * 14, emitted.size(), "events the relay emitted");

        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, r -> r.size() >= emitted.size(),
                Duration.ofSeconds(30), Duration.ofSeconds(2));
        List<JsonNode> consumed = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode event = JSON.readTree(record.value());
            assertEquals(event.get("subject").asText(), record.key(), "key = room id");
            consumed.add(event);
        }

        Map<String, Long> idCounts = consumed.stream()
                .collect(Collectors.groupingBy(e -> e.get("id").asText(), Collectors.counting()));
        List<String> duplicates = idCounts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList();
        assertEquals(List.of(), duplicates, "no event delivered twice");
        List<String> missing = emitted.stream().map(e -> e.get("id").asText()).filter(id -> !idCounts.containsKey(id))
                .toList();
        assertEquals(List.of(), missing, "no event lost");
        assertEquals(emitted.size(), consumed.size());

        // Per room, Kafka holds the events in the order the relay emitted them.
        assertEquals(byRoom(emitted), byRoom(consumed));
        for (String room : otherRooms) {
            assertEquals(List.of("room.created", "participant.joined", "participant.joined", "participant.left",
                    "participant.left", "room.closed"), types(byRoomEvents(consumed).get(room)));
        }
        System.out.printf("kafka: %d events consumed, all %d emitted ids exactly once%n", consumed.size(),
                emitted.size());
    }

    private static Map<String, List<String>> byRoom(List<JsonNode> events) {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        byRoomEvents(events).forEach((room, list) -> ids.put(room, list.stream().map(e -> e.get("id").asText())
                .toList()));
        return new HashMap<>(ids);
    }

    private static Map<String, List<JsonNode>> byRoomEvents(List<JsonNode> events) {
        Map<String, List<JsonNode>> rooms = new LinkedHashMap<>();
        for (JsonNode e : events) {
            rooms.computeIfAbsent(e.get("subject").asText(), r -> new ArrayList<>()).add(e);
        }
        return rooms;
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText().substring("dev.relay.".length())).toList();
    }

    private double metric(String name, Map<String, String> labels) {
        return Scrape.value(relay, name, labels);
    }
}
