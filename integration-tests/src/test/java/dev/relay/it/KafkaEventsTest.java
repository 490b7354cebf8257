package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import dev.relay.signaling.events.EventsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session events of a real call, read back from a real KRaft broker: two Chromium browsers run
 * the relay's web client in one room, publish camera and microphone, receive each other, then
 * alice leaves ({@code leave}) and bob's browser is killed (the WebSocket drops: {@code timeout}).
 * The room's records on the topic are keyed by the room id, in one partition, numbered
 * {@code roomseq} 1..N without gaps, and tell exactly that story: created, two joins, four tracks
 * published, four subscriptions started and stopped, four tracks unpublished, the two departures
 * with their reasons, closed; plus quality samples with each participant's bitrate while media
 * flowed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaEventsTest {
    private static final String TOPIC = "relay.session-events.it";
    private static final String NODE = "it-node";
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaBroker kafka;
    private RelayServer relay;
    private final List<ChromiumPeer> peers = new ArrayList<>();
    private List<JsonNode> roomEvents = List.of();

    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted();
            System.out.println("##### events of the room:");
            roomEvents.forEach(e -> System.out.println(e));
            for (ChromiumPeer peer : peers) {
                try {
                    peer.dumpDiagnostics();
                } catch (RuntimeException e) {
                    System.out.println(peer.label + ": no diagnostics: " + e);
                }
            }
        }
    };

    @AfterEach
    void tearDown() throws Exception {
        for (ChromiumPeer peer : peers) {
            peer.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldPublishACallsLifecycleToKafkaInOrderKeyedByRoom() throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(), "skipped: " + ChromiumPeer.CHROMIUM + " is not installed");
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 3);
        relay = RelayServer.start(RelayConfig.defaults()
                .withHttpPort(0)
                .withMediaPort(0)
                .withBindAddress("127.0.0.1")
                .withAdvertisedAddresses(List.of("127.0.0.1"))
                .withEvents(EventsConfig.defaults()
                        .withNodeId(NODE)
                        .withKafka(kafka.bootstrapServers(), TOPIC)
                        .withQualityInterval(Duration.ofSeconds(1))));
        String room = Relays.uniqueRoom("kafka");
        Instant start = Instant.now();

        ChromiumPeer alice = launch("alice");
        alice.open(Relays.httpBase(relay), room);
        String a = alice.awaitReady(READY);
        ChromiumPeer bob = launch("bob");
        bob.open(Relays.httpBase(relay), room);
        String b = bob.awaitReady(READY);
        awaitMedia(alice, bob);
        awaitMedia(bob, alice);
        // Media flows both ways: wait for a quality sample that saw it.
        Scrape.await(relay, "relay_events_published_total", Map.of("sink", "kafka"), v -> v >= 15, MEDIA);
        ChromiumPeer.sleep(Duration.ofMillis(2500));

        alice.leave();
        bob.kill();

        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC,
                rs -> rs.stream().anyMatch(r -> r.key().equals(room) && r.value().contains("dev.relay.room.closed")),
                Duration.ofSeconds(20), Duration.ofMillis(500));
        List<JsonNode> events = new ArrayList<>();
        Set<Integer> partitions = new HashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            if (!room.equals(record.key())) {
                continue;
            }
            partitions.add(record.partition());
            assertEquals("application/cloudevents+json; charset=UTF-8",
                    new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
            events.add(JSON.readTree(record.value()));
        }
        roomEvents = events;
        assertEquals(1, partitions.size(), "one room, one partition (key = room id)");

        // Envelope: CloudEvents 1.0, every id unique, roomseq 1..N in topic order.
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertEquals("1.0", e.get("specversion").asText());
            assertEquals("/relay/" + NODE, e.get("source").asText());
            assertEquals(NODE, e.get("relaynode").asText());
            assertEquals(room, e.get("subject").asText());
            assertEquals(room, e.get("data").get("room").asText());
            assertEquals(1, e.get("schemaversion").asInt());
            assertEquals("application/json", e.get("datacontenttype").asText());
            assertEquals(i + 1, e.get("roomseq").asLong(), "roomseq of event " + i);
            Instant time = Instant.parse(e.get("time").asText());
            assertTrue(!time.isBefore(start.minusSeconds(1)) && !time.isAfter(Instant.now()), "time " + time);
            assertTrue(ids.add(e.get("id").asText()), "duplicate id " + e.get("id"));
        }

        List<JsonNode> lifecycle = events.stream().filter(e -> !type(e).equals("participant.quality")).toList();
        assertEquals("room.created", type(lifecycle.get(0)));
        assertEquals("room.closed", type(lifecycle.get(lifecycle.size() - 1)));
        assertEquals(22, lifecycle.size(), "1 created, 2 joined, 4 published, 4+4 subscriptions, 4 unpublished,"
                + " 2 left, 1 closed: " + types(lifecycle));

        int aliceJoined = index(lifecycle, "participant.joined", d -> d.get("participantId").asText().equals(a));
        int bobJoined = index(lifecycle, "participant.joined", d -> d.get("participantId").asText().equals(b));
        assertEquals(1, aliceJoined);
        assertTrue(bobJoined > aliceJoined);
        assertEquals("alice", lifecycle.get(aliceJoined).get("data").get("name").asText());

        int aliceLeft = index(lifecycle, "participant.left", d -> d.get("participantId").asText().equals(a));
        int bobLeft = index(lifecycle, "participant.left", d -> d.get("participantId").asText().equals(b));
        assertEquals("left", lifecycle.get(aliceLeft).get("data").get("reason").asText());
        assertEquals("timeout", lifecycle.get(bobLeft).get("data").get("reason").asText(),
                "a killed browser's WebSocket dropped without leave");
        assertEquals(lifecycle.size() - 2, bobLeft, "bob's departure, then the room closes");
        assertTrue(aliceLeft < bobLeft);

        for (String[] pair : new String[][] {{a, b}, {b, a}}) {
            String publisher = pair[0];
            String subscriber = pair[1];
            for (String kind : List.of("audio", "video")) {
                int published = index(lifecycle, "track.published",
                        d -> d.get("participantId").asText().equals(publisher) && d.get("kind").asText().equals(kind));
                String trackId = lifecycle.get(published).get("data").get("trackId").asText();
                Predicate<JsonNode> subscription = d -> d.get("subscriberId").asText().equals(subscriber)
                        && d.get("publisherId").asText().equals(publisher) && d.get("trackId").asText().equals(trackId)
                        && d.get("kind").asText().equals(kind);
                int started = index(lifecycle, "subscription.started", subscription);
                int stopped = index(lifecycle, "subscription.stopped", subscription);
                int unpublished = index(lifecycle, "track.unpublished",
                        d -> d.get("participantId").asText().equals(publisher) && d.get("trackId").asText().equals(trackId));
                int publisherJoined = publisher.equals(a) ? aliceJoined : bobJoined;
                int subscriberJoined = subscriber.equals(a) ? aliceJoined : bobJoined;
                int subscriberLeft = subscriber.equals(a) ? aliceLeft : bobLeft;
                int publisherLeft = publisher.equals(a) ? aliceLeft : bobLeft;
                String what = subscriber + " <- " + publisher + " " + kind + ": " + types(lifecycle);
                assertTrue(publisherJoined < published, what);
                assertTrue(published < started && subscriberJoined < started, what);
                // Teardown mirrors setup: a subscription stops before its track is unpublished
                // and before either end leaves.
                assertTrue(started < stopped, what);
                assertTrue(stopped < unpublished && stopped < subscriberLeft && stopped < publisherLeft, what);
                assertTrue(unpublished < publisherLeft, what);
                assertTrue(lifecycle.get(published).get("data").get("codec").asText().matches("opus|VP8|H264"));
            }
        }

        for (String id : List.of(a, b)) {
            List<JsonNode> samples = events.stream().filter(e -> type(e).equals("participant.quality"))
                    .map(e -> e.get("data")).filter(d -> d.get("participantId").asText().equals(id)).toList();
            assertTrue(samples.stream().anyMatch(d -> d.get("publish").get("tracks").asInt() == 2
                            && d.get("publish").get("bitrateBps").asLong() > 50_000
                            && d.get("subscribe").get("tracks").asInt() == 2
                            && d.get("subscribe").get("bitrateBps").asLong() > 50_000),
                    id + ": a quality sample with media both ways: " + samples);
        }
        System.out.printf("kafka: %d events for room %s (%d lifecycle): %s%n", events.size(), room,
                lifecycle.size(), types(lifecycle));
        System.out.println("e.g. " + lifecycle.get(aliceLeft));
        events.stream().filter(e -> type(e).equals("participant.quality")).reduce((x, y) -> y)
                .ifPresent(e -> System.out.println("e.g. " + e));
    }

    private ChromiumPeer launch(String name) throws IOException {
        ChromiumPeer peer = ChromiumPeer.launch(name);
        peers.add(peer);
        return peer;
    }

    private static void awaitMedia(ChromiumPeer at, ChromiumPeer from) {
        String id = from.participantId();
        at.awaitStats("video frames and audio from " + from.label, MEDIA,
                s -> s.framesDecodedFrom(id) > 30 && s.audioPacketsFrom(id) > 0);
    }

    private static String type(JsonNode event) {
        return event.get("type").asText().substring("dev.relay.".length());
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(KafkaEventsTest::type).toList();
    }

    /** The index of the one event of {@code type} whose data matches; fails unless there is exactly one. */
    private static int index(List<JsonNode> events, String type, Predicate<JsonNode> data) {
        int found = -1;
        for (int i = 0; i < events.size(); i++) {
            if (type(events.get(i)).equals(type) && data.test(events.get(i).get("data"))) {
                assertEquals(-1, found, "more than one " + type + " matching: " + events.get(i));
                found = i;
            }
        }
        assertTrue(found >= 0, "no " + type + " matching in " + types(events));
        return found;
    }
}
