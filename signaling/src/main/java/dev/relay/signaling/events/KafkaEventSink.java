package dev.relay.signaling.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 * timeout is effectively unbounded. A {@code send} that could not append (no metadata: during an
 * outage the producer forgets the topic's partitions within seconds, and {@code send} then waits
 * at most {@code max.block.ms} on this sink's own thread and fails) appended nothing, so the same
 * event is simply sent again later: an outage is ridden out where the events wait before
 * {@code send}, not in the producer.
 *
 * <p>Where they wait (docs/events.md "Where events wait"): without a spool, in this sink's
 * bounded memory queue, lost if the process stops before the broker is back; with a spool
 * ({@link EventsConfig#spoolDir()}), on disk ({@link SpoolDelivery}), sent by the next start.
 */
public final class KafkaEventSink extends QueuedEventSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);
    private static final long STALL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long CREATE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Spooled records handed to the producer and not acknowledged, at most: about 2 MiB of the producer's buffer. */
    static final int SPOOL_MAX_IN_FLIGHT = 4096;

    private final String topic;
    private final Map<String, Object> properties;
    /** Made in the constructor, or later on the publisher thread if the brokers' names did not resolve yet. */
    private KafkaProducer<String, byte[]> producer;
    private long lastCreateAttemptNanos;
    private final AtomicLong inFlight = new AtomicLong();
    /** Null without a spool. */
    private final SpoolDelivery spool;
    /** Publisher thread: inside producer.send(), where a callback is the synchronous failure. */
    private boolean inSend;
    /** Set by the callback when send() fails before appending (it then runs on the caller's thread). */
    private Exception syncError;
    /** From close on: the producer fails what it still holds; those events stay in the spool. */
    private volatile boolean closing;
    private long lastStallLogNanos;
    private boolean stalled;
    private final AtomicLong refusedCount = new AtomicLong();
    private final AtomicLong abortedAtClose = new AtomicLong();
    private final Callback callback = (metadata, exception) -> onCompletion(exception, -1, null);

    public KafkaEventSink(EventsConfig config) {
        super("kafka", config.nodeId(), Clock.systemUTC(), config.bufferCapacity());
        this.topic = config.topic();
        this.properties = producerProperties(config);
        SpoolDelivery spoolDelivery = null;
        if (config.spoolDir() != null) {
            try {
                spoolDelivery = new SpoolDelivery(EventSpool.open(config.spoolDir(), config.spoolMaxBytes()),
                        this::sendSpooled, SPOOL_MAX_IN_FLIGHT, System::nanoTime, this::lossReport);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the event spool " + config.spoolDir(), e);
            }
        }
        this.spool = spoolDelivery;
        try {
            // A configuration mistake fails the start here, where the operator sees it.
            this.producer = newProducer();
        } catch (KafkaException e) {
            if (!unresolvable(e)) {
                closeSpoolQuietly();
                throw e;
            }
            // Kafka down as a whole (e.g. a headless Service with no ready pods has no DNS
            // records): the relay starts anyway and holds events until the names resolve.
            LOG.warn("Kafka bootstrap servers {} do not resolve yet; session events are held until they do",
                    config.kafkaBootstrapServers());
            this.lastCreateAttemptNanos = System.nanoTime();
        }
        if (spool == null) {
            LOG.info("session events to Kafka {} topic {} as client {} (buffer {} events, no spool: events held "
                    + "during an outage are lost if the relay stops)", config.kafkaBootstrapServers(), topic,
                    config.effectiveClientId(), capacity());
        } else {
            LOG.info("session events to Kafka {} topic {} as client {} (buffer {} events, spool {} up to {} bytes)",
                    config.kafkaBootstrapServers(), topic, config.effectiveClientId(), capacity(),
                    config.spoolDir(), config.spoolMaxBytes());
        }
        start();
    }

    private void closeSpoolQuietly() {
        if (spool != null) {
            try {
                spool.spool().close();
            } catch (IOException ignored) {
                // The start fails anyway.
            }
        }
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
        // Never expire a batch the producer accepted: it is retried until the broker takes it.
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
        if (spool != null) {
            // Spooled or, if the spool is full, recorded as lost (and reported): either way taken.
            spool.add(event);
            return Delivery.ACCEPTED;
        }
        return send(event, callback);
    }

    @Override
    boolean pump() {
        return spool != null && spool.pump();
    }

    @Override
    boolean settled() {
        return spool == null || spool.held() == 0;
    }

    @Override
    void idle() {
        if (spool != null) {
            spool.idle();
        }
    }

    @Override
    boolean rescue(CloudEvent event) {
        if (spool == null) {
            return false;
        }
        spool.add(event);
        return true;
    }

    /** SpoolDelivery's destination: one spooled event to the producer, its outcome reported back. */
    private Delivery sendSpooled(long seq, CloudEvent event) {
        return send(event, (metadata, exception) -> onCompletion(exception, seq, event));
    }

    private Delivery send(CloudEvent event, Callback onDone) {
        if (!ensureProducer()) {
            return Delivery.RETRY;
        }
        byte[] value = event.toJsonBytes();
        List<Header> headers = List.of(
                new RecordHeader("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_id", event.id().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_type", event.type().ceType().getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, event.time().toEpochMilli(),
                event.key(), value, headers);
        syncError = null;
        inFlight.incrementAndGet();
        inSend = true;
        try {
            producer.send(record, onDone);
        } catch (KafkaException e) {
            syncError = e;
        } finally {
            inSend = false;
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
                LOG.warn("Kafka not taking session events ({}); holding them: {}", error.toString(), holding());
                lastStallLogNanos = now;
            }
            stalled = true;
            return Delivery.RETRY;
        }
        LOG.error("Kafka refused session event {} ({}): {}", event.id(), event.type().ceType(), error.toString());
        refusedCount.incrementAndGet();
        return Delivery.FAILED;
    }

    private String holding() {
        if (spool == null) {
            return queued() + " queued in memory, " + inFlight.get() + " in the producer";
        }
        return queued() + " queued in memory, " + spool.held() + " in the spool " + spool.spool().dir() + " ("
                + spool.spool().bytes() + " of " + spool.spool().maxBytes() + " bytes)";
    }

    private void onCompletion(Exception exception, long seq, CloudEvent event) {
        if (inSend && Thread.currentThread() == publisherThread()) {
            // Synchronous: send() failed before appending; send() decides (retry or give up).
            syncError = exception;
            return;
        }
        inFlight.decrementAndGet();
        if (exception == null) {
            delivered();
            if (spool != null) {
                spool.outcome(seq, true, event);
            }
            return;
        }
        if (closing) {
            // close() fails what the producer still holds: counted once in the summary, and with
            // a spool kept there for the next start.
            abortedAtClose.incrementAndGet();
            return;
        }
        refusedCount.incrementAndGet();
        if (spool != null) {
            spool.outcome(seq, false, event);
        } else {
            failedAfterAccept();
        }
        LOG.warn("Kafka did not take a session event: {}", exception.toString());
    }

    @Override
    public long pending() {
        if (spool != null) {
            return queued() + spool.held();
        }
        return super.pending() + Math.max(0, inFlight.get());
    }

    @Override
    public long spoolFull() {
        return spool == null ? 0 : spool.spoolFull();
    }

    @Override
    public long failed() {
        return super.failed() + (spool == null ? 0 : spool.refused() + spool.spoolErrors());
    }

    @Override
    public long spoolBytes() {
        return spool == null ? -1 : spool.spool().bytes();
    }

    @Override
    public long spoolLimitBytes() {
        return spool == null ? -1 : spool.spool().maxBytes();
    }

    @Override
    void finish(Duration remaining, long undelivered) {
        closing = true;
        if (producer != null) {
            // Waits for what the producer holds to be acknowledged, up to the deadline; then it fails the rest.
            producer.close(remaining);
        }
        long unacknowledged = abortedAtClose.get() + Math.max(0, inFlight.getAndSet(0));
        if (spool != null) {
            spool.stop();
            long lost = undelivered + dropped() + spool.spoolFull() + spool.refused() + spool.spoolErrors();
            if (lost == 0) {
                LOG.info("kafka sink stopped: {} event(s) delivered; {} kept in the spool {} for the next start; "
                        + "none lost", published(), spool.held(), spool.spool().dir());
            } else {
                LOG.warn("kafka sink stopped: {} event(s) delivered; {} kept in the spool {} for the next start; "
                                + "{} LOST ({} buffer full, {} spool full, {} spool write errors, {} refused, {} not spooled "
                                + "by the deadline), reported in {} events", published(), spool.held(), spool.spool().dir(),
                        lost, dropped(), spool.spoolFull(), spool.spoolErrors(), spool.refused(), undelivered,
                        EventType.EVENTS_LOST.ceType());
            }
            return;
        }
        failedAfterAccept(unacknowledged);
        long lost = undelivered + unacknowledged + dropped() + refusedCount.get();
        if (lost == 0) {
            LOG.info("kafka sink stopped: {} event(s) delivered, none lost", published());
        } else {
            LOG.warn("kafka sink stopped: {} event(s) delivered; {} LOST: {} not delivered by the deadline ({} queued, "
                            + "{} in the producer), {} dropped with the buffer full, {} refused by Kafka "
                            + "(set --events-spool to keep undelivered events across a restart)", published(), lost,
                    undelivered + unacknowledged, undelivered, unacknowledged, dropped(), refusedCount.get());
        }
    }
}
