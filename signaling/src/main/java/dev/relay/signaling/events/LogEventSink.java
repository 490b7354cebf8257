package dev.relay.signaling.events;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default (no Kafka, no file): each event is one log line on logger
 * {@code relay.events}, the same CloudEvent JSON the Kafka sink sends. It logs on the calling
 * (control) thread like the rest of signaling's log lines; turn the logger off to silence it.
 */
public final class LogEventSink implements EventSink {
    static final String LOGGER_NAME = "relay.events";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private final AtomicLong published = new AtomicLong();

    @Override
    public String name() {
        return "log";
    }

    @Override
    public void publish(CloudEvent event) {
        if (LOG.isInfoEnabled()) {
            LOG.info(event.toJsonString());
        }
        published.incrementAndGet();
    }

    @Override
    public long published() {
        return published.get();
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public long failed() {
        return 0;
    }

    @Override
    public long pending() {
        return 0;
    }

    @Override
    public void close(Duration timeout) {
    }
}
