package dev.relay.signaling.events;

import java.time.Duration;

/**
 * Where {@link CloudEvent}s go: Kafka, a JSON-lines file, or the log. Counters are read by the
 * metrics scrape from any thread.
 */
public interface EventSink {
    /** Short name for logs and the {@code sink} metric tag: {@code kafka}, {@code file}, {@code log}. */
    String name();

    /**
     * Called on the signaling control thread, in event order. Never blocks: an event that does not
     * fit into the sink's buffer is dropped and counted in {@link #dropped()}.
     */
    void publish(CloudEvent event);

    /** Events delivered (acknowledged by Kafka, written to the file or the log). */
    long published();

    /** Events dropped because the buffer was full. */
    long dropped();

    /** Events lost because the spool had reached its size bound (docs/events.md "The spool"). */
    default long spoolFull() {
        return 0;
    }

    /** Bytes of the spool's files; -1 without a spool. */
    default long spoolBytes() {
        return -1;
    }

    /** The spool's size bound in bytes; -1 without a spool. */
    default long spoolLimitBytes() {
        return -1;
    }

    /** Events given up on after being accepted (a non-retriable Kafka error, or still undelivered at close). */
    long failed();

    /** Events accepted and not yet delivered: the backlog while a broker is unreachable. */
    long pending();

    /** Delivers what is pending, waiting at most {@code timeout}; what is left then is counted as failed. */
    void close(Duration timeout);
}
