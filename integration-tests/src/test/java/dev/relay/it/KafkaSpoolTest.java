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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session events survive a relay stopped while Kafka is down (docs/events.md "The spool"): a real
 * KRaft broker is stopped, participants join and leave, the relay is closed as SIGTERM closes it
 * (everyone still in a room leaves with reason {@code shutdown}, the rooms close), and a new relay
 * is started on the same spool directory. When the broker is back, every event of both relays is
 * on the topic exactly once, each room's in the order it happened, the old relay's first.
 *
 * <p>With a spool too small for the outage, what did not fit is lost and a
 * {@code dev.relay.events.lost} event names exactly those events (room and {@code roomseq}), the
 * ones at the end of a room included, where no later {@code roomseq} shows a gap.
 *
 * <p>What the relays emitted is known independently of Kafka: each also writes every event to a
 * JSON-lines file ({@code --events-file}). Participants are bare signaling clients (join/leave, no
 * media), which makes the event count exact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaSpoolTest extends KafkaRelayTest {
    private static final String LOST = "dev.relay.events.lost";

    private RelayServer startRelay(String node, String topic, Path spool, long spoolBytes, Path file)
            throws Exception {
        return RelayServer.start(RelayConfig.defaults()
                .withHttpPort(0)
                .withMediaPort(0)
                .withBindAddress("127.0.0.1")
                .withEvents(EventsConfig.defaults()
                        .withNodeId(node)
                        .withKafka(kafka.bootstrapServers(), topic)
                        .withJsonLinesFile(file)
                        .withQualityInterval(Duration.ZERO)
                        .withSpool(spool, spoolBytes)));
    }

    /** The SIGTERM path (RelayMain's shutdown hook): drain (0 s here), everyone leaves, events flushed. */
    private void stopRelay() {
        long start = System.nanoTime();
        relay.close();
        relay = null;
        clients.forEach(SignalingClient::close);
        clients.clear();
        System.out.printf("relay stopped as on SIGTERM in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void shouldDeliverEveryEventExactlyOnceInOrderAcrossARelayRestartDuringAnOutage() throws Exception {
        String topic = "relay.session-events.spool";
        kafka = KafkaBroker.start();
        kafka.createTopic(topic, 3);
        Path spool = dir.resolve("spool");
        Path first = dir.resolve("first.jsonl");
        Path second = dir.resolve("second.jsonl");
        relay = startRelay("spool-node", topic, spool, EventsConfig.DEFAULT_SPOOL_MAX_BYTES, first);
        URI ws = Relays.webSocket(relay);
        String roomA = Relays.uniqueRoom("spool-a");

        join(ws, roomA);
        SignalingClient a2 = join(ws, roomA);
        Scrape.await(relay, "relay_events_published_total", KAFKA, v -> v >= 3, Duration.ofSeconds(15));
        Scrape.await(relay, "relay_events_queued", KAFKA, v -> v == 0, Duration.ofSeconds(15));
        kafka.stopBroker();

        // Broker down: rooms open and close, and some are still open when the relay stops.
        join(ws, roomA);
        leave(a2);
        List<String> rooms = new ArrayList<>(List.of(roomA));
        for (int i = 0; i < 4; i++) {
            String room = Relays.uniqueRoom("spool-" + i);
            rooms.add(room);
            SignalingClient x = join(ws, room);
            join(ws, room);
            leave(x);
        }
        String closedRoom = Relays.uniqueRoom("spool-closed");
        rooms.add(closedRoom);
        SignalingClient c = join(ws, closedRoom);
        leave(c);
        double held = Scrape.value(relay, "relay_events_queued", KAFKA);
        System.out.println("kafka sink while the broker is down: " + held + " events held");
        assertTrue(held > 0);
        stopRelay();
        long firstCount = Files.readAllLines(first).size();
        // 6 rooms created, 12 joins, 12 leaves (6 at shutdown), 6 closed (5 at shutdown).
        assertEquals(6 + 12 + 12 + 6, firstCount, "events the first relay emitted");

        // A new relay on the same spool, the broker still down: its events queue behind the old ones.
        relay = startRelay("spool-node", topic, spool, EventsConfig.DEFAULT_SPOOL_MAX_BYTES, second);
        double inherited = Scrape.value(relay, "relay_events_queued", KAFKA);
        System.out.println("second relay starts holding " + inherited + " events from the spool");
        assertTrue(inherited >= firstCount - 3, "every unacknowledged event of the first relay");
        ws = Relays.webSocket(relay);
        SignalingClient b1 = join(ws, roomA);
        leave(b1);

        kafka.startBroker();
        Scrape.await(relay, "relay_events_queued", KAFKA, v -> v == 0, Duration.ofSeconds(30));
        for (String reason : List.of("buffer_full", "spool_full", "failed")) {
            assertEquals(0, Scrape.value(relay, "relay_events_dropped_total", Map.of("sink", "kafka", "reason",
                    reason)), reason);
        }
        stopRelay();

        List<JsonNode> emitted = new ArrayList<>(readLines(first));
        emitted.addAll(readLines(second));
        List<JsonNode> consumed = consume(topic, emitted.size());

        Map<String, Long> idCounts = consumed.stream()
                .collect(Collectors.groupingBy(e -> e.get("id").asText(), Collectors.counting()));
        assertEquals(List.of(), idCounts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList(), "no event delivered twice");
        assertEquals(List.of(), emitted.stream().map(e -> e.get("id").asText()).filter(id -> !idCounts.containsKey(id))
                .toList(), "no event lost");
        assertEquals(emitted.size(), consumed.size());
        assertEquals(idsByRoom(emitted), idsByRoom(consumed), "each room in order, the first relay's events first");
        long shutdownLeaves = consumed.stream().filter(e -> type(e).equals("participant.left")
                && e.get("data").get("reason").asText().equals("shutdown")).count();
        assertEquals(6, shutdownLeaves, "everyone still in a room when the first relay stopped");
        for (String room : rooms) {
            List<String> types = consumed.stream().filter(e -> room.equals(e.path("subject").asText()))
                    .map(KafkaSpoolTest::type).toList();
            assertTrue(types.contains("room.closed"), room + ": " + types);
        }
        System.out.printf("kafka: %d events consumed, all %d emitted by two relays exactly once%n", consumed.size(),
                emitted.size());
    }

    @Test
    void shouldReportEveryEventLostToAFullSpoolOnceTheBrokerIsBack() throws Exception {
        String topic = "relay.session-events.spool-full";
        long bound = EventsConfig.MIN_SPOOL_MAX_BYTES;
        kafka = KafkaBroker.start();
        kafka.createTopic(topic, 3);
        Path spool = dir.resolve("spool");
        Path first = dir.resolve("first.jsonl");
        relay = startRelay("full-node", topic, spool, bound, first);
        URI ws = Relays.webSocket(relay);

        join(ws, Relays.uniqueRoom("full-start"));
        Scrape.await(relay, "relay_events_published_total", KAFKA, v -> v >= 2, Duration.ofSeconds(15));
        Scrape.await(relay, "relay_events_queued", KAFKA, v -> v == 0, Duration.ofSeconds(15));
        kafka.stopBroker();

        // Broker down: about 40 KiB of events for a 16 KiB spool; each room is still open at the stop.
        for (int i = 0; i < 20; i++) {
            String room = Relays.uniqueRoom("full-" + i);
            SignalingClient x = join(ws, room);
            join(ws, room);
            leave(x);
        }
        Scrape.await(relay, "relay_events_dropped_total", Map.of("sink", "kafka", "reason", "spool_full"),
                v -> v > 0, Duration.ofSeconds(10));
        stopRelay();
        List<JsonNode> emitted = readLines(first);

        kafka.startBroker();
        relay = startRelay("full-node", topic, spool, bound, dir.resolve("second.jsonl"));
        Scrape.await(relay, "relay_events_queued", KAFKA, v -> v == 0, Duration.ofSeconds(30));
        stopRelay();

        List<ConsumerRecord<String, String>> records = kafka.consume(topic,
                rs -> rs.stream().anyMatch(r -> r.value().contains(LOST)), Duration.ofSeconds(30),
                Duration.ofSeconds(2));
        List<JsonNode> reports = new ArrayList<>();
        List<JsonNode> consumed = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode event = JSON.readTree(record.value());
            (event.get("type").asText().equals(LOST) ? reports : consumed).add(event);
        }
        assertEquals(1, reports.size(), "one report: " + reports);
        JsonNode report = reports.get(0);
        System.out.println("loss report: " + report);
        assertEquals("full-node", report.get("relaynode").asText());
        assertTrue(report.path("subject").isMissingNode() && report.path("roomseq").isMissingNode());

        Set<String> consumedIds = new HashSet<>();
        consumed.forEach(e -> assertTrue(consumedIds.add(e.get("id").asText()), "twice: " + e));
        Set<String> emittedIds = emitted.stream().map(e -> e.get("id").asText()).collect(Collectors.toSet());
        assertTrue(emittedIds.containsAll(consumedIds));
        Set<String> lost = new HashSet<>();
        List<JsonNode> lostEvents = new ArrayList<>();
        for (JsonNode e : emitted) {
            if (!consumedIds.contains(e.get("id").asText())) {
                lost.add(e.get("subject").asText() + "#" + e.get("roomseq").asLong());
                lostEvents.add(e);
            }
        }
        Set<String> reported = new HashSet<>();
        for (JsonNode range : report.get("data").get("rooms")) {
            for (long seq = range.get("from").asLong(); seq <= range.get("to").asLong(); seq++) {
                reported.add(range.get("room").asText() + "#" + seq);
            }
        }
        assertTrue(lost.size() > 0, "the spool was too small for the outage");
        assertEquals(lost, reported, "the report names exactly the events that are missing");
        assertEquals(lost.size(), report.get("data").get("lost").asLong());
        assertEquals(lost.size(), report.get("data").get("reasons").get("spool_full").asLong());
        assertTrue(lostEvents.stream().anyMatch(e -> type(e).equals("room.closed")),
                "lost at the end of a room, where no roomseq gap shows it");

        // What was kept is each room's events in order (a prefix: later ones were lost).
        Map<String, List<String>> emittedByRoom = idsByRoom(emitted);
        idsByRoom(consumed).forEach((room, ids) -> assertEquals(emittedByRoom.get(room).subList(0, ids.size()), ids,
                room));
        System.out.printf("spool of %d bytes: %d events kept, %d lost and reported%n", bound, consumed.size(),
                lost.size());
    }

    private List<JsonNode> consume(String topic, int expected) throws Exception {
        List<JsonNode> consumed = new ArrayList<>();
        for (ConsumerRecord<String, String> record : kafka.consume(topic, r -> r.size() >= expected,
                Duration.ofSeconds(30), Duration.ofSeconds(2))) {
            JsonNode event = JSON.readTree(record.value());
            assertEquals(event.get("subject").asText(), record.key(), "key = room id");
            consumed.add(event);
        }
        return consumed;
    }

    private static List<JsonNode> readLines(Path file) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                events.add(JSON.readTree(line));
            }
        }
        return events;
    }

    private static Map<String, List<String>> idsByRoom(List<JsonNode> events) {
        Map<String, List<String>> rooms = new LinkedHashMap<>();
        for (JsonNode e : events) {
            rooms.computeIfAbsent(e.get("subject").asText(), r -> new ArrayList<>()).add(e.get("id").asText());
        }
        return rooms;
    }

    private static String type(JsonNode event) {
        return event.get("type").asText().substring("dev.relay.".length());
    }
}
