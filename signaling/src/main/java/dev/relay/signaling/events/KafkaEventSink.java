package dev.relay.signaling.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session events to Kafka with the official producer: record key = room id (one room's events
 * stay in one partition, in order), value = the CloudEvent in structured JSON.
 *
 * <p>Delivery: the idempotent producer (acks=all, at most 5 requests in flight) retries until
 * the broker takes the batch, so retries neither duplicate nor reorder records. Its delivery
 * timeout is effectively unbounded: during an outage records wait in the producer's buffer
 * ({@code buffer.memory}) and then in this sink's queue; when both are full new events are dropped
 * and counted. A {@code send} that could not append (buffer full, or no metadata yet: it blocks
 * at most {@code max.block.ms} on this sink's own thread) appended nothing, so the same event is
 * simply sent again.
 */
public final class KafkaEventSink extends QueuedEventSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);
    private static final long STALL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long CREATE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String topic;
    private final Map<String, Object> properties;
    /** Made in the constructor, or later on the publisher thread if the brokers' names did not resolve yet. */
    private KafkaProducer<String, byte[]> producer;
    private long lastCreateAttemptNanos;
    private final AtomicLong inFlight = new AtomicLong();
    /** Set by the callback when send() fails before appending (it then runs on the caller's thread). */
    private Exception syncError;
    private long lastStallLogNanos;
    private boolean stalled;
    private final Callback callback = this::onCompletion;

    public KafkaEventSink(EventsConfig config) {
        super("kafka", config.bufferCapacity());
        this.topic = config.topic();
        this.properties = producerProperties(config);
        try {
            // A configuration mistake fails the start here, where the operator sees it.
            this.producer = newProducer();
        } catch (KafkaException e) {
            if (!unresolvable(e)) {
                throw e;
            }
            // Kafka down as a whole (e.g. a headless Service with no ready pods has no DNS
            // records): the relay starts anyway and holds events until the names resolve.
            LOG.warn("Kafka bootstrap servers {} do not resolve yet; session events are held until they do",
                    config.kafkaBootstrapServers());
            this.lastCreateAttemptNanos = System.nanoTime();
        }
        LOG.info("session events to Kafka {} topic {} as client {} (buffer {} events)",
                config.kafkaBootstrapServers(), topic, config.effectiveClientId(), capacity());
        start();
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /** The producer's constructor fails when no bootstrap server name resolves (ClientUtils). */
    private static boolean unresolvable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.config.ConfigException && t.getMessage() != null
                    && t.getMessage().contains("No resolvable bootstrap urls")) {
                return true;
            }
        }
        return false;
    }

    /** Publisher thread: makes the producer once the bootstrap names resolve; false while they do not. */
    private boolean ensureProducer() {
        if (producer != null) {
            return true;
        }
        long now = System.nanoTime();
        if (now - lastCreateAttemptNanos < CREATE_RETRY_NANOS) {
            return false;
        }
        lastCreateAttemptNanos = now;
        try {
            producer = newProducer();
            LOG.info("Kafka bootstrap servers resolve now; delivering held session events");
            return true;
        } catch (KafkaException e) {
            if (!unresolvable(e)) {
                LOG.error("cannot create the Kafka producer: {}", e.toString());
            }
            return false;
        }
    }

    /** The producer settings: ours first, then {@link EventsConfig#kafkaProperties()} (TLS, SASL, tuning). */
    static Map<String, Object> producerProperties(EventsConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.effectiveClientId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Idempotence keeps order with up to 5 requests in flight (KIP-679).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        // Never expire a batch: an outage is ridden out in memory, bounded by buffer.memory and our queue.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // send() runs on the publisher thread only; a short block keeps shutdown responsive.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.putAll(config.kafkaProperties());
        return props;
    }

    @Override
    Delivery deliver(CloudEvent event) {
        if (!ensureProducer()) {
            return Delivery.RETRY;
        }
        byte[] value = event.toJsonBytes();
        List<Header> headers = List.of(
                new RecordHeader("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_id", event.id().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_type", event.type().ceType().getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, event.time().toEpochMilli(),
                event.subject(), value, headers);
        syncError = null;
        inFlight.incrementAndGet();
        try {
            producer.send(record, callback);
        } catch (KafkaException e) {
            syncError = e;
        }
        Exception error = syncError;
        if (error == null) {
            if (stalled) {
                stalled = false;
                LOG.info("Kafka is taking session events again");
            }
            return Delivery.ACCEPTED;
        }
        inFlight.decrementAndGet();
        if (error instanceof RetriableException) {
            long now = System.nanoTime();
            if (!stalled || now - lastStallLogNanos >= STALL_LOG_INTERVAL_NANOS) {
                LOG.warn("Kafka not taking session events ({}); holding them: {} queued, {} in the producer",
                        error.toString(), super.pending(), inFlight.get());
                lastStallLogNanos = now;
            }
            stalled = true;
            return Delivery.RETRY;
        }
        LOG.error("Kafka refused session event {} ({}): {}", event.id(), event.type().ceType(), error.toString());
        return Delivery.FAILED;
    }

    private void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
        if (Thread.currentThread() == publisherThread()) {
            // Synchronous: send() failed before appending; deliver() decides (retry or give up).
            syncError = exception;
            return;
        }
        inFlight.decrementAndGet();
        if (exception == null) {
            delivered();
        } else {
            failedAfterAccept();
            LOG.warn("Kafka did not take a session event: {}", exception.toString());
        }
    }

    @Override
    public long pending() {
        return super.pending() + Math.max(0, inFlight.get());
    }

    @Override
    void finish(Duration remaining) {
        if (producer == null) {
            return;
        }
        // Waits for what the producer holds to be acknowledged, up to the deadline; then it fails the rest.
        producer.close(remaining);
        long left = inFlight.getAndSet(0);
        if (left > 0) {
            for (long i = 0; i < left; i++) {
                failedAfterAccept();
            }
            LOG.warn("Kafka: {} session event(s) not acknowledged at shutdown", left);
        }
    }
}
