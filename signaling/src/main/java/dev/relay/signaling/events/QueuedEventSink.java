package dev.relay.signaling.events;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink whose slow side (a Kafka producer, a file) runs on its own publisher thread. The control
 * thread only offers to a bounded lock-free queue (Agrona), so a broker outage or a stalled disk
 * can never block signaling: a full queue is a counted drop and a log line at most once per
 * {@link #DROP_LOG_INTERVAL_NANOS}, never a wait. The publisher thread hands events on one at a time,
 * in queue order, and retries an event the destination could not take yet (it keeps its place, so
 * order holds).
 */
abstract class QueuedEventSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedEventSink.class);
    static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

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
    private final ManyToOneConcurrentArrayQueue<CloudEvent> queue;
    private final Thread publisher;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean finished;
    private volatile long stopDeadlineNanos;
    // Control thread only (the one caller of publish).
    private long lastDropLogNanos;
    private long droppedAtLastLog;

    /**
     * @param capacity events held before drops start; Agrona rounds it up to a power of two
     */
    QueuedEventSink(String name, int capacity) {
        this.name = name;
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.publisher = new Thread(this::run, "events-" + name);
        this.publisher.setDaemon(true);
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
            return;
        }
        long total = dropped.incrementAndGet();
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
    public final long failed() {
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

    /** Publisher thread: hands one event to the destination. May block briefly (bounded). */
    abstract Delivery deliver(CloudEvent event);

    /** Publisher thread: the queue is empty for now (e.g. flush a file buffer). */
    void idle() {
    }

    /** Publisher thread, last: deliver what was accepted, within {@code remaining}, and release resources. */
    abstract void finish(Duration remaining);

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

    private void run() {
        IdleStrategy idleStrategy = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(5));
        CloudEvent current = null;
        boolean idleDone = true;
        while (true) {
            if (current == null) {
                current = queue.poll();
            }
            if (current == null) {
                if (!idleDone) {
                    idleDone = true;
                    runQuietly(this::idle);
                }
                if (stopping) {
                    break;
                }
                idleStrategy.idle();
                continue;
            }
            idleStrategy.reset();
            idleDone = false;
            Delivery delivery;
            try {
                delivery = deliver(current);
            } catch (RuntimeException e) {
                LOG.error("{} sink failed on event {}", name, current.id(), e);
                delivery = Delivery.FAILED;
            }
            if (delivery == Delivery.ACCEPTED) {
                current = null;
            } else if (delivery == Delivery.FAILED) {
                failed.incrementAndGet();
                current = null;
            } else {
                if (stopping && System.nanoTime() - stopDeadlineNanos >= 0) {
                    break;
                }
                LockSupport.parkNanos(RETRY_PAUSE_NANOS);
            }
        }
        finished = true;
        long left = current == null ? 0 : 1;
        while (queue.poll() != null) {
            left++;
        }
        if (left > 0) {
            failed.addAndGet(left);
            LOG.warn("{} sink stopping: {} event(s) still queued were not delivered", name, left);
        }
        long remainingNanos = Math.max(0, stopDeadlineNanos - System.nanoTime());
        try {
            finish(Duration.ofNanos(remainingNanos));
        } catch (RuntimeException e) {
            LOG.warn("{} sink did not close cleanly", name, e);
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
