package dev.relay.signaling.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink whose slow side (a Kafka producer, a spool, a file) runs on its own publisher thread. The
 * control thread only offers to a bounded lock-free queue (Agrona), so a broker outage or a stalled
 * disk can never block signaling: a full queue is a counted drop, never a wait. The publisher
 * thread hands events on one at a time, in queue order, and retries an event the destination could
 * not take yet (it keeps its place, so order holds).
 *
 * <p>Losses are accounted exactly (docs/events.md "Loss reports"): every dropped event goes into a
 * {@link LossLedger}, and once the queue has drained the publisher thread puts a
 * {@code dev.relay.events.lost} event naming them into the stream. The drop warning is throttled to
 * one line per {@link #DROP_LOG_INTERVAL_NANOS}, and a last line when drops stop gives the exact
 * total; closing logs one summary line.
 */
abstract class QueuedEventSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedEventSink.class);
    static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Room ranges one loss report lists at most (each ~50 bytes of JSON); the count stays exact beyond. */
    static final int MAX_REPORT_RANGES = 1000;
    private static final int BATCH = 256;

    /** What {@link #deliver} did with an event. */
    enum Delivery {
        /** Taken: counted later by {@link #delivered()} or {@link #failedAfterAccept()}. */
        ACCEPTED,
        /** Not taken, nothing of it was written: try the same event again. */
        RETRY,
        /** Given up on (counted as failed). */
        FAILED
    }

    private final String name;
    private final String nodeId;
    private final Clock clock;
    private final ManyToOneConcurrentArrayQueue<CloudEvent> queue;
    private final Thread publisher;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /**
     * Buffer-full drops not reported yet. Locked, because the control thread records a drop and the
     * publisher thread takes the report; both hold it for microseconds, and only when events are lost.
     */
    private final LossLedger drops = new LossLedger(MAX_REPORT_RANGES);
    private volatile boolean dropsPending;
    private volatile boolean stopping;
    private volatile boolean finished;
    private volatile long stopDeadlineNanos;
    // Control thread only (the one caller of publish).
    private long lastDropLogNanos;
    private long droppedAtLastLog;

    /**
     * @param nodeId   for the loss reports this sink writes ({@code source}, {@code relaynode})
     * @param capacity events held before drops start; Agrona rounds it up to a power of two
     */
    QueuedEventSink(String name, String nodeId, Clock clock, int capacity) {
        this.name = name;
        this.nodeId = nodeId;
        this.clock = clock;
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.publisher = new Thread(this::run, "events-" + name);
        this.publisher.setDaemon(true);
    }

    QueuedEventSink(String name, int capacity) {
        this(name, "relay", Clock.systemUTC(), capacity);
    }

    /** Starts the publisher thread; subclasses call it last in their constructor. */
    final void start() {
        publisher.start();
    }

    final Thread publisherThread() {
        return publisher;
    }

    /** Queue capacity in events. */
    final int capacity() {
        return queue.capacity();
    }

    /** Events in the in-memory queue. */
    final int queued() {
        return queue.size();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void publish(CloudEvent event) {
        if (finished) {
            dropped.incrementAndGet();
            return;
        }
        if (queue.offer(event)) {
            long total = dropped.get();
            if (total != droppedAtLastLog) {
                // Drops stopped: the last of them were not in a warning yet.
                LOG.warn("{} event buffer has room again: dropped {} event(s) since the last report, {} in total",
                        name, total - droppedAtLastLog, total);
                droppedAtLastLog = total;
                lastDropLogNanos = System.nanoTime();
            }
            return;
        }
        long total = dropped.incrementAndGet();
        synchronized (drops) {
            drops.record(LossLedger.Reason.BUFFER_FULL, event);
        }
        dropsPending = true;
        long now = System.nanoTime();
        if (droppedAtLastLog == 0 || now - lastDropLogNanos >= DROP_LOG_INTERVAL_NANOS) {
            LOG.warn("{} event buffer full ({} events waiting): dropped {} event(s) since the last report, {} in total;"
                            + " is the destination reachable?", name, queue.capacity(), total - droppedAtLastLog, total);
            lastDropLogNanos = now;
            droppedAtLastLog = total;
        }
    }

    @Override
    public final long published() {
        return published.get();
    }

    @Override
    public final long dropped() {
        return dropped.get();
    }

    @Override
    public long failed() {
        return failed.get();
    }

    @Override
    public long pending() {
        return queue.size();
    }

    /** Publisher thread (or a destination's callback thread): one event reached its destination. */
    final void delivered() {
        published.incrementAndGet();
    }

    /** An accepted event was given up on. */
    final void failedAfterAccept() {
        failed.incrementAndGet();
    }

    final void failedAfterAccept(long n) {
        failed.addAndGet(n);
    }

    /** Publisher thread: hands one event to the destination. May block briefly (bounded). */
    abstract Delivery deliver(CloudEvent event);

    /**
     * Publisher thread, every turn of its loop: work besides taking events from the queue (e.g.
     * sending from a spool). True if it did something, so the loop does not idle.
     */
    boolean pump() {
        return false;
    }

    /** Publisher thread, while stopping: true once nothing accepted is waiting to be delivered. */
    boolean settled() {
        return true;
    }

    /** Publisher thread: the queue is empty for now (e.g. flush a file buffer). */
    void idle() {
    }

    /**
     * Publisher thread, last: deliver what was accepted, within {@code remaining}, release
     * resources and log one summary line.
     *
     * @param undelivered events still in the queue (or in hand) at the deadline and not rescued:
     *                    already counted as failed
     */
    abstract void finish(Duration remaining, long undelivered);

    /** A {@code dev.relay.events.lost} event for what {@code ledger} holds (which the caller then clears). */
    final CloudEvent lossReport(LossLedger ledger) {
        ObjectNode data = ledger.toData();
        return new CloudEvent(UUID.randomUUID().toString(), "/relay/" + nodeId, EventType.EVENTS_LOST, clock.instant(),
                null, nodeId, 0, data);
    }

    @Override
    public final void close(Duration timeout) {
        stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
        stopping = true;
        try {
            publisher.join(timeout.plusSeconds(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (publisher.isAlive()) {
            LOG.warn("{} event publisher did not stop within {} ms", name, timeout.toMillis());
            publisher.interrupt();
        }
    }

    final boolean stopping() {
        return stopping;
    }

    final boolean pastDeadline() {
        return stopping && System.nanoTime() - stopDeadlineNanos >= 0;
    }

    /** Publisher thread: the buffer-full drops as a report to put into the stream, or null. */
    private CloudEvent takeDropReport() {
        if (!dropsPending) {
            return null;
        }
        synchronized (drops) {
            dropsPending = false;
            if (drops.isEmpty()) {
                return null;
            }
            CloudEvent report = lossReport(drops);
            drops.clear();
            return report;
        }
    }

    private void run() {
        IdleStrategy idleStrategy = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(5));
        CloudEvent current = null;
        boolean idleDone = true;
        while (true) {
            // Up to a batch of events between two turns of pump(), so a slow pump (a send that
            // waits for metadata) does not hold the queue to one event per turn.
            Delivery delivery = Delivery.ACCEPTED;
            for (int i = 0; i < BATCH && delivery != Delivery.RETRY; i++) {
                if (current == null) {
                    current = queue.poll();
                }
                if (current == null) {
                    // The backlog is out: report what was dropped on the way, after it.
                    current = takeDropReport();
                }
                if (current == null) {
                    break;
                }
                idleDone = false;
                try {
                    delivery = deliver(current);
                } catch (RuntimeException e) {
                    LOG.error("{} sink failed on event {}", name, current.id(), e);
                    delivery = Delivery.FAILED;
                }
                if (delivery == Delivery.FAILED) {
                    failed.incrementAndGet();
                }
                if (delivery != Delivery.RETRY) {
                    current = null;
                }
            }
            if (current == null && !idleDone && queue.isEmpty()) {
                // Before pump(), whose send may wait: e.g. the spool syncs what was just appended.
                idleDone = true;
                runQuietly(this::idle);
            }
            boolean busy = pumpQuietly();
            if (current != null) {
                if (pastDeadline()) {
                    break;
                }
                LockSupport.parkNanos(RETRY_PAUSE_NANOS);
                continue;
            }
            if (queue.isEmpty()) {
                if (stopping && (pastDeadline() || settledQuietly())) {
                    break;
                }
                if (busy) {
                    idleStrategy.reset();
                } else {
                    idleStrategy.idle();
                }
            } else {
                idleStrategy.reset();
            }
        }
        finished = true;
        long left = 0;
        if (current != null && !rescue(current)) {
            left++;
        }
        CloudEvent rest;
        while ((rest = queue.poll()) != null) {
            if (!rescue(rest)) {
                left++;
            }
        }
        CloudEvent report = takeDropReport();
        if (report != null && !rescue(report)) {
            LOG.warn("{} sink stopping: the report of {} dropped event(s) could not be kept", name,
                    report.data().path("lost").asLong());
        }
        failed.addAndGet(left);
        long remainingNanos = Math.max(0, stopDeadlineNanos - System.nanoTime());
        try {
            finish(Duration.ofNanos(remainingNanos), left);
        } catch (RuntimeException e) {
            LOG.warn("{} sink did not close cleanly", name, e);
        }
    }

    /**
     * Publisher thread, stopping past the deadline: keep an event that was not delivered somewhere
     * it survives the process (a spool); false if there is no such place.
     */
    boolean rescue(CloudEvent event) {
        return false;
    }

    private boolean pumpQuietly() {
        try {
            return pump();
        } catch (RuntimeException e) {
            LOG.warn("{} sink: {}", name, e.toString());
            return false;
        }
    }

    private boolean settledQuietly() {
        try {
            return settled();
        } catch (RuntimeException e) {
            return true;
        }
    }

    private void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("{} sink: {}", name, e.toString());
        }
    }
}
