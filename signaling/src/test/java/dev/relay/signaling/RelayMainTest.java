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
                "--quality-interval", "2500ms", "--events-spool", "/var/spool/relay", "--events-spool-size", "64MiB");

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
        assertEquals(Path.of("/var/spool/relay"), config.spoolDir());
        assertEquals(64L << 20, config.spoolMaxBytes());
    }

    @ParameterizedTest
    @CsvSource({"4096, 4096", "64KiB, 65536", "64k, 65536", "256MiB, 268435456", "2GiB, 2147483648", "1 GB, 1073741824", "256Mi, 268435456"})
    void shouldParseSpoolSizes(String text, long bytes) {
        assertEquals(bytes, RelayMain.parseSize(text));
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
        assertNull(config.spoolDir(), "no spool unless asked for");
        assertEquals(256L << 20, config.spoolMaxBytes());
        assertEquals(Duration.ofSeconds(10), config.qualityInterval());
        assertEquals(Duration.ofSeconds(30), main.iceTimeout);
    }

    @Test
    void shouldMapDrainTimeoutToLimits() {
        RelayMain main = new RelayMain();
        new CommandLine(main).parseArgs("--drain-timeout", "45s", "--shutdown-grace", "8s");
        assertEquals(Duration.ofSeconds(45), main.limits().drainTimeout());
        assertEquals(Duration.ofSeconds(8), main.limits().shutdownGrace());
        RelayMain defaults = new RelayMain();
        new CommandLine(defaults).parseArgs();
        assertEquals(Duration.ZERO, defaults.limits().drainTimeout());
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

    @Test
    void shouldPrintTokenTheRelayAccepts() throws Exception {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "APIold: " + "o".repeat(32) + "\nAPInew: " + "n".repeat(40) + "\n");
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new RelayMain()).setOut(new java.io.PrintWriter(out));
        int status = cli.execute("token", "--keys-file", keys.toString(), "--api-key", "APInew", "--room", "r1",
                "--identity", "alice", "--name", "Alice", "--ttl", "30m", "--no-publish");
        assertEquals(0, status);
        String token = out.toString().strip();
        dev.relay.signaling.auth.AccessToken claims = new dev.relay.signaling.auth.TokenVerifier(
                dev.relay.signaling.auth.ApiKeys.fromFile(keys), java.time.InstantSource.system()).verify(token);
        assertEquals("APInew", claims.apiKey());
        assertEquals("Alice", claims.displayName());
        assertEquals(new dev.relay.signaling.auth.VideoGrant("r1", true, false, true, true, false), claims.video());
        assertEquals(Duration.ofMinutes(30), Duration.between(claims.notBefore(), claims.expiresAt()));
    }

    @Test
    void shouldRefuseTokenCommandWithoutKeysOrRoom() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new RelayMain()).setErr(new java.io.PrintWriter(err));
        // The environment of a test run sets none of the RELAY_* variables.
        assertEquals(2, cli.execute("token", "--room", "r1", "--identity", "a"));
        assertTrue(err.toString().contains("no API key"), err.toString());
        assertEquals(2, cli.execute("token", "--room", "a b", "--identity", "a", "--api-key", "k", "--api-secret",
                "s".repeat(32)));
    }

    @Test
    void shouldMapAccessOptionsWithoutEchoingSecrets() throws Exception {
        RelayMain main = new RelayMain();
        CommandLine cli = new CommandLine(main);
        cli.parseArgs("--api-key", "APIk", "--api-secret", "x".repeat(32), "--allowed-origins",
                "https://meet.example.com,http://10.0.0.5:8080", "--metrics-port", "9090", "--metrics-bind", "127.0.0.1");
        AccessConfig access = main.accessConfig();
        assertEquals(java.util.Set.of("APIk"), access.keys().keys());
        assertTrue(access.allowedOrigins().allows("http://10.0.0.5:8080", "relay:8080"));
        assertFalse(access.allowedOrigins().allows("http://localhost:8080", "relay:8080"));
        assertEquals(java.util.OptionalInt.of(9090), access.metricsPort());
        assertEquals("127.0.0.1", access.metricsBind());
        assertFalse(access.toString().contains("x".repeat(32)), access.toString());

        RelayMain shortSecret = new RelayMain();
        new CommandLine(shortSecret).parseArgs("--api-key", "APIk", "--api-secret", "tooshort");
        CommandLine.ParameterException e = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class, shortSecret::accessConfig);
        assertFalse(e.getMessage().contains("tooshort"), e.getMessage());
    }

    @Test
    void shouldDefaultToDevModeAccess() throws Exception {
        RelayMain main = new RelayMain();
        new CommandLine(main).parseArgs();
        AccessConfig access = main.accessConfig();
        assertTrue(access.keys().isEmpty());
        assertTrue(access.metricsPort().isEmpty());
        assertTrue(access.allowedOrigins().allows("http://localhost:5173", "relay:8080"));
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "10s,PT10S", "10,PT10S", "2m,PT2M", "1h,PT1H", "PT3S,PT3S", "0,PT0S"})
    void shouldParseDurations(String text, String iso) {
        assertEquals(Duration.parse(iso), RelayMain.parseDuration(text));
    }
}
