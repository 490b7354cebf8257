package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.signaling.events.EventsConfig;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class RelayMainTest {

    @TempDir
    Path dir;

    @Test
    void shouldMapEventOptionsToEventsConfig() throws Exception {
        Path props = dir.resolve("kafka.properties");
        Files.writeString(props, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n");
        RelayMain main = new RelayMain();
        new CommandLine(main).parseArgs("--kafka-bootstrap", "k1:9092,k2:9092", "--kafka-topic", "t",
                "--kafka-client-id", "c", "--kafka-properties-file", props.toString(),
                "--kafka-property", "sasl.mechanism=SCRAM-SHA-512", "--kafka-property", "ssl.truststore.type=PEM",
                "--events-file", "ev.jsonl", "--events-buffer", "500", "--node-id", "node-7",
                "--quality-interval", "2500ms");

        EventsConfig config = main.eventsConfig();
        assertEquals("k1:9092,k2:9092", config.kafkaBootstrapServers());
        assertTrue(config.kafkaEnabled());
        assertEquals("t", config.topic());
        assertEquals("c", config.effectiveClientId());
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.type", "PEM"), config.kafkaProperties(), "--kafka-property wins over the file");
        assertEquals(Path.of("ev.jsonl"), config.jsonLinesFile());
        assertEquals(500, config.bufferCapacity());
        assertEquals("node-7", config.nodeId());
        assertEquals(Duration.ofMillis(2500), config.qualityInterval());
    }

    @Test
    void shouldDefaultToNoKafkaAndTheLog() throws Exception {
        RelayMain main = new RelayMain();
        new CommandLine(main).parseArgs();
        EventsConfig config = main.eventsConfig();
        // The environment of a test run sets none of the RELAY_* variables.
        assertFalse(config.kafkaEnabled());
        assertNull(config.jsonLinesFile());
        assertEquals("relay.session-events", config.topic());
        assertEquals("relay-" + config.nodeId(), config.effectiveClientId());
        assertEquals(100_000, config.bufferCapacity());
        assertEquals(Duration.ofSeconds(10), config.qualityInterval());
        assertEquals(Duration.ofSeconds(30), main.iceTimeout);
    }

    @Test
    void shouldMapDtlsOptionsToLimitsAndDefaultToTheDocumentedValues() {
        RelayMain defaults = new RelayMain();
        new CommandLine(defaults).parseArgs();
        assertEquals(new DtlsHandshakes.Limits(32, 8, Duration.ofSeconds(10), Duration.ofSeconds(3)),
                defaults.dtlsLimits());

        RelayMain main = new RelayMain();
        new CommandLine(main).parseArgs("--dtls-max-handshakes", "64", "--dtls-max-handshakes-per-ip", "100",
                "--dtls-handshake-timeout", "15s");
        DtlsHandshakes.Limits limits = main.dtlsLimits();
        assertEquals(64, limits.maxHandshakes());
        assertEquals(100, limits.maxHandshakesPerAddress());
        assertEquals(Duration.ofSeconds(15), limits.timeout());
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "10s,PT10S", "10,PT10S", "2m,PT2M", "1h,PT1H", "PT3S,PT3S", "0,PT0S"})
    void shouldParseDurations(String text, String iso) {
        assertEquals(Duration.parse(iso), RelayMain.parseDuration(text));
    }
}
