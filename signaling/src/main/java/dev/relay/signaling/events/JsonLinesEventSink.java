package dev.relay.signaling.events;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each event as one line of JSON (the same CloudEvent the Kafka sink sends) to a file.
 * Writes happen on the sink's own thread; the file is flushed whenever the queue runs empty, so a
 * line is on disk (in the page cache) a few milliseconds after the event.
 */
public final class JsonLinesEventSink extends QueuedEventSink {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesEventSink.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Path file;
    private final OutputStream out;
    private long lastErrorLogNanos;
    private boolean failing;

    public JsonLinesEventSink(Path file, int capacity) {
        this(file, capacity, "relay");
    }

    /** @param nodeId for the loss reports this sink writes after dropping events (docs/events.md) */
    public JsonLinesEventSink(Path file, int capacity, String nodeId) {
        super("file", nodeId, java.time.Clock.systemUTC(), capacity);
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open events file " + file, e);
        }
        LOG.info("session events appended to {} (JSON lines)", file.toAbsolutePath());
        start();
    }

    @Override
    Delivery deliver(CloudEvent event) {
        byte[] line = event.toJsonBytes();
        try {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            // A buffered write fails only when a flush of earlier lines fails (disk full, I/O error):
            // keep the event and retry; the queue bounds what waits.
            long now = System.nanoTime();
            if (!failing || now - lastErrorLogNanos >= ERROR_LOG_INTERVAL_NANOS) {
                LOG.warn("cannot write events to {}: {}; retrying", file, e.toString());
                lastErrorLogNanos = now;
            }
            failing = true;
            return Delivery.RETRY;
        }
        failing = false;
        delivered();
        return Delivery.ACCEPTED;
    }

    @Override
    void idle() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("flushing " + file, e);
        }
    }

    @Override
    void finish(Duration remaining, long undelivered) {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("closing events file {}: {}", file, e.toString());
        }
        long lost = undelivered + dropped();
        if (lost == 0) {
            LOG.info("file sink stopped: {} event(s) written to {}, none lost", published(), file);
        } else {
            LOG.warn("file sink stopped: {} event(s) written to {}; {} LOST: {} not written by the deadline, {} dropped "
                    + "with the buffer full", published(), file, lost, undelivered, dropped());
        }
    }
}
