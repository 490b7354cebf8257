package dev.relay.signaling.events;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where session events go (docs/events.md, README "Configuration"). With no Kafka bootstrap
 * servers and no file, events are written to the log (logger {@code relay.events}).
 *
 * @param nodeId                this relay's id in every event ({@code source}, {@code relaynode})
 * @param kafkaBootstrapServers {@code host:port,...}; null or blank: no Kafka
 * @param topic                 Kafka topic
 * @param clientId              Kafka {@code client.id}; null: {@code relay-<nodeId>}
 * @param kafkaProperties       extra producer properties, applied last (TLS: {@code security.protocol},
 *                              {@code ssl.*}; SASL: {@code sasl.*}; or any tuning)
 * @param bufferCapacity        events the relay holds for a sink that cannot keep up (broker down);
 *                              beyond it new events are dropped and counted
 * @param qualityInterval       how often each participant's quality sample is emitted; zero: never
 * @param jsonLinesFile         also (or, without Kafka, instead of the log) append every event to
 *                              this file, one JSON object per line; null: no file
 * @param spoolDir              Kafka only: keep every event on disk here until the broker acknowledges
 *                              it, and send what a stopped relay left first (docs/events.md "The
 *                              spool"); null: events wait in memory only
 * @param spoolMaxBytes         the spool's size bound; beyond it new events are lost and reported
 */
public record EventsConfig(
        String nodeId,
        String kafkaBootstrapServers,
        String topic,
        String clientId,
        Map<String, String> kafkaProperties,
        int bufferCapacity,
        Duration qualityInterval,
        Path jsonLinesFile,
        Path spoolDir,
        long spoolMaxBytes) {

    public static final String DEFAULT_TOPIC = "relay.session-events";
    public static final int DEFAULT_BUFFER_CAPACITY = 100_000;
    /** 256 MiB: at about 500 bytes an event, half a million events (docs/events.md "The spool"). */
    public static final long DEFAULT_SPOOL_MAX_BYTES = 256L << 20;
    public static final long MIN_SPOOL_MAX_BYTES = 16 * 1024;
    public static final Duration DEFAULT_QUALITY_INTERVAL = Duration.ofSeconds(10);

    public EventsConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(topic, "topic");
        kafkaProperties = Map.copyOf(kafkaProperties == null ? Map.of() : kafkaProperties);
        Objects.requireNonNull(qualityInterval, "qualityInterval");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("node id must not be blank");
        }
        if (bufferCapacity < 1) {
            throw new IllegalArgumentException("event buffer capacity must be at least 1, not " + bufferCapacity);
        }
        if (qualityInterval.isNegative()) {
            throw new IllegalArgumentException("quality interval must not be negative");
        }
        if (spoolMaxBytes < MIN_SPOOL_MAX_BYTES) {
            throw new IllegalArgumentException("event spool size must be at least 16 KiB, not " + spoolMaxBytes);
        }
    }

    /** Without a spool (the fields before it). */
    public EventsConfig(String nodeId, String kafkaBootstrapServers, String topic, String clientId,
                        Map<String, String> kafkaProperties, int bufferCapacity, Duration qualityInterval,
                        Path jsonLinesFile) {
        this(nodeId, kafkaBootstrapServers, topic, clientId, kafkaProperties, bufferCapacity, qualityInterval,
                jsonLinesFile, null, DEFAULT_SPOOL_MAX_BYTES);
    }

    /** No Kafka, events to the log, quality every 10 s, node id from the host name. */
    public static EventsConfig defaults() {
        return new EventsConfig(defaultNodeId(), null, DEFAULT_TOPIC, null, Map.of(), DEFAULT_BUFFER_CAPACITY,
                DEFAULT_QUALITY_INTERVAL, null);
    }

    public boolean kafkaEnabled() {
        return kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank();
    }

    /** The configured client id, or {@code relay-<nodeId>}. */
    public String effectiveClientId() {
        return clientId == null || clientId.isBlank() ? "relay-" + nodeId : clientId;
    }

    public EventsConfig withNodeId(String id) {
        return new EventsConfig(id, kafkaBootstrapServers, topic, clientId, kafkaProperties, bufferCapacity,
                qualityInterval, jsonLinesFile, spoolDir, spoolMaxBytes);
    }

    public EventsConfig withKafka(String bootstrapServers, String kafkaTopic) {
        return new EventsConfig(nodeId, bootstrapServers, kafkaTopic, clientId, kafkaProperties, bufferCapacity,
                qualityInterval, jsonLinesFile, spoolDir, spoolMaxBytes);
    }

    public EventsConfig withClientId(String id) {
        return new EventsConfig(nodeId, kafkaBootstrapServers, topic, id, kafkaProperties, bufferCapacity,
                qualityInterval, jsonLinesFile, spoolDir, spoolMaxBytes);
    }

    public EventsConfig withKafkaProperties(Map<String, String> properties) {
        return new EventsConfig(nodeId, kafkaBootstrapServers, topic, clientId, properties, bufferCapacity,
                qualityInterval, jsonLinesFile, spoolDir, spoolMaxBytes);
    }

    public EventsConfig withBufferCapacity(int capacity) {
        return new EventsConfig(nodeId, kafkaBootstrapServers, topic, clientId, kafkaProperties, capacity,
                qualityInterval, jsonLinesFile, spoolDir, spoolMaxBytes);
    }

    public EventsConfig withQualityInterval(Duration interval) {
        return new EventsConfig(nodeId, kafkaBootstrapServers, topic, clientId, kafkaProperties, bufferCapacity,
                interval, jsonLinesFile, spoolDir, spoolMaxBytes);
    }

    public EventsConfig withJsonLinesFile(Path file) {
        return new EventsConfig(nodeId, kafkaBootstrapServers, topic, clientId, kafkaProperties, bufferCapacity,
                qualityInterval, file, spoolDir, spoolMaxBytes);
    }

    /** Spool events for Kafka in {@code dir}, at most {@code maxBytes} (docs/events.md "The spool"). */
    public EventsConfig withSpool(Path dir, long maxBytes) {
        return new EventsConfig(nodeId, kafkaBootstrapServers, topic, clientId, kafkaProperties, bufferCapacity,
                qualityInterval, jsonLinesFile, dir, maxBytes);
    }

    /**
     * {@code HOSTNAME} (a Kubernetes pod's name) or the host name; if neither is known, a random
     * {@code relay-xxxxxxxx}.
     */
    public static String defaultNodeId() {
        return DefaultNodeId.VALUE;
    }

    /** Resolved once: the host name lookup can be slow on a machine with broken DNS. */
    private static final class DefaultNodeId {
        static final String VALUE = resolve();
    }

    private static String resolve() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = null;
            }
        }
        if (host == null || host.isBlank() || host.equals("localhost")) {
            return "relay-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL);
        }
        return host;
    }
}
