package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The producer settings and start-up behaviour; delivery itself is tested against a real broker (integration-tests). */
@Timeout(30)
class KafkaEventSinkTest {

    private static EventsConfig config(String bootstrap) {
        return EventsConfig.defaults().withNodeId("n1").withKafka(bootstrap, "events");
    }

    @Test
    void shouldConfigureAnIdempotentProducerThatRidesOutOutages() {
        Map<String, Object> props = KafkaEventSink.producerProperties(config("k:9092"));
        assertEquals("k:9092", props.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("relay-n1", props.get(ProducerConfig.CLIENT_ID_CONFIG));
        assertEquals(true, props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", props.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(5, props.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));
        assertEquals(Integer.MAX_VALUE, props.get(ProducerConfig.RETRIES_CONFIG));
        assertEquals(Integer.MAX_VALUE, props.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        assertEquals("lz4", props.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
    }

    @Test
    void shouldLetPassthroughPropertiesOverrideAndAdd() {
        Map<String, Object> props = KafkaEventSink.producerProperties(config("k:9092")
                .withKafkaProperties(Map.of("security.protocol", "SSL", "compression.type", "zstd")));
        assertEquals("SSL", props.get("security.protocol"));
        assertEquals("zstd", props.get("compression.type"));
    }

    @Test
    void shouldFailTheStartOnAConfigurationMistake() {
        assertThrows(KafkaException.class, () -> new KafkaEventSink(config("k:9092")
                .withKafkaProperties(Map.of("acks", "sometimes"))));
    }

    @Test
    void shouldStartAndHoldEventsWhileTheBootstrapNamesDoNotResolve() {
        KafkaEventSink sink = new KafkaEventSink(config("no-such-broker.invalid:9092"));
        for (long i = 1; i <= 3; i++) {
            sink.publish(QueuedEventSinkTest.event(i));
        }
        assertEquals(0, sink.dropped());
        sink.close(Duration.ofMillis(500));
        assertEquals(0, sink.published());
        assertEquals(3, sink.failed(), "still held at the close deadline");
    }

    @Test
    void shouldKeepHeldEventsInTheSpoolAcrossACloseWhenKafkaIsUnreachable(@TempDir Path dir) throws Exception {
        EventsConfig spooled = config("no-such-broker.invalid:9092").withSpool(dir, 1 << 20);
        KafkaEventSink sink = new KafkaEventSink(spooled);
        for (long i = 1; i <= 3; i++) {
            sink.publish(QueuedEventSinkTest.event(i));
        }
        sink.close(Duration.ofMillis(300));
        assertEquals(0, sink.published());
        assertEquals(0, sink.failed(), "nothing lost: kept for the next start");
        assertEquals(3, sink.pending());
        assertTrue(sink.spoolBytes() > 0);

        KafkaEventSink next = new KafkaEventSink(spooled);
        assertEquals(3, next.pending(), "the next start holds them, to send first");
        next.close(Duration.ofMillis(100));
        try (EventSpool spool = EventSpool.open(dir, 1 << 20)) {
            List<String> ids = new ArrayList<>();
            EventSpool.Entry e;
            while ((e = spool.next()) != null) {
                ids.add(CloudEvent.fromJsonBytes(e.payload()).id());
            }
            assertEquals(List.of("id-1", "id-2", "id-3"), ids);
        }
    }
}
