package dev.relay.signaling.events;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries events through an {@link EventSpool} to a destination that acknowledges later (Kafka):
 * each event is appended to the spool, sent from the spool oldest first, and forgotten once
 * acknowledged (docs/events.md "The spool"). What a stopped relay still held is in the spool and
 * goes out first when the next one starts.
 *
 * <p>The spool is bounded: when it is full a new event is not written but recorded in a
 * {@link LossLedger}; as soon as there is room again a {@code dev.relay.events.lost} report takes
 * the next place in the spool, and at stop the report is written even into the reserve beyond the
 * bound, so no loss goes unreported.
 *
 * <p>Publisher thread only (one writer for the spool, the window and the ledger), except
 * {@link #outcome}, which the destination's callback thread calls; outcomes pass through a
 * lock-free queue. Time is an injected clock so tests control the fsync batching and the retry pause.
 */
final class SpoolDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDelivery.class);
    /** Appends that share one fsync at most, and the longest an append waits for it. */
    static final int SYNC_BATCH = 512;
    static final long SYNC_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SEND_BATCH = 256;
    private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Where spooled events go. */
    interface Destination {
        /**
         * Hands on one spooled event. {@code ACCEPTED}: {@link #outcome} follows for {@code seq};
         * {@code RETRY}: not taken, the same event is offered again after a pause; {@code FAILED}:
         * refused for good.
         */
        QueuedEventSink.Delivery send(long seq, CloudEvent event);
    }

    private record Outcome(long seq, boolean delivered, String room, long roomSeq, Instant time) {
    }

    private final EventSpool spool;
    private final Destination destination;
    private final LongSupplier nanoClock;
    private final Function<LossLedger, CloudEvent> reports;
    private final InFlightWindow window;
    private final LossLedger losses = new LossLedger(QueuedEventSink.MAX_REPORT_RANGES);
    private final ManyToOneConcurrentLinkedQueue<Outcome> outcomes = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong spoolFull = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong spoolErrors = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    /** Read from the spool but not taken by the destination yet. */
    private CloudEvent unsent;
    private long unsentSeq;
    private long retryAtNanos;
    private int appendsSinceSync;
    private long lastSyncNanos;
    private boolean ackDirty;
    private long lastErrorLogNanos;
    private boolean stalledLogged;
    private long lastWriteErrorLogNanos;

    SpoolDelivery(EventSpool spool, Destination destination, int maxInFlight, LongSupplier nanoClock,
                  Function<LossLedger, CloudEvent> reports) {
        this.spool = spool;
        this.destination = destination;
        this.window = new InFlightWindow(maxInFlight);
        this.nanoClock = nanoClock;
        this.reports = reports;
        this.lastSyncNanos = nanoClock.getAsLong();
    }

    /**
     * Appends {@code event} to the spool (after a pending loss report, if it fits). False if the
     * spool is full: the event is then recorded as lost, to be reported.
     */
    boolean add(CloudEvent event) {
        try {
            if (!losses.isEmpty() && !appendReport(false)) {
                lose(event);
                return false;
            }
            boolean report = event.type() == EventType.EVENTS_LOST;
            byte[] json = event.toJsonBytes();
            if (report ? spool.appendBeyondLimit(json) : spool.append(json)) {
                appendsSinceSync++;
                return true;
            }
            lose(event);
            return false;
        } catch (IOException e) {
            // Not written (EventSpool appends all of a record or nothing), nor were the records of
            // the failed write, if any.
            writeFailed(e);
            lostToError(event);
            return false;
        }
    }

    private void lose(CloudEvent event) {
        spoolFull.incrementAndGet();
        losses.record(LossLedger.Reason.SPOOL_FULL, event);
        long now = nanoClock.getAsLong();
        if (!stalledLogged || now - lastErrorLogNanos >= ERROR_LOG_INTERVAL_NANOS) {
            LOG.warn("event spool {} full ({} of {} bytes): new events are lost and will be reported; {} so far",
                    spool.dir(), spool.bytes(), spool.maxBytes(), spoolFull.get());
            stalledLogged = true;
            lastErrorLogNanos = now;
        }
    }

    /** A spool write failed: the records it took back are lost (and reported); log at most every 10 s. */
    private void writeFailed(IOException e) {
        for (byte[] payload : spool.takeDiscarded()) {
            try {
                lostToError(CloudEvent.fromJsonBytes(payload));
            } catch (IllegalArgumentException notAnEvent) {
                spoolErrors.incrementAndGet();
                losses.record(LossLedger.Reason.SPOOL_ERROR, null, 0, Instant.EPOCH);
            }
        }
        long now = nanoClock.getAsLong();
        if (now - lastWriteErrorLogNanos >= ERROR_LOG_INTERVAL_NANOS || spoolErrors.get() <= 1) {
            LOG.error("event spool {}: write failed ({}); {} event(s) lost to spool errors so far, to be reported",
                    spool.dir(), e.toString(), spoolErrors.get());
            lastWriteErrorLogNanos = now;
        }
    }

    private boolean appendReport(boolean beyondLimit) throws IOException {
        CloudEvent report = reports.apply(losses);
        byte[] json = report.toJsonBytes();
        if (!(beyondLimit ? spool.appendBeyondLimit(json) : spool.append(json))) {
            return false;
        }
        LOG.warn("event spool {}: {} event(s) lost while it was full; a {} report follows them", spool.dir(),
                losses.count(), EventType.EVENTS_LOST.ceType());
        reported.addAndGet(losses.count());
        losses.clear();
        stalledLogged = false;
        appendsSinceSync++;
        return true;
    }

    /** An event a spool write failed on; a loss report's losses go back into the ledger for the next one. */
    private void lostToError(CloudEvent event) {
        if (event.type() == EventType.EVENTS_LOST) {
            losses.absorb(event.data());
            reported.addAndGet(-event.data().path("lost").asLong());
            return;
        }
        spoolErrors.incrementAndGet();
        losses.record(LossLedger.Reason.SPOOL_ERROR, event);
    }

    /** The destination's outcome for {@code seq}; any thread. */
    void outcome(long seq, boolean wasDelivered, CloudEvent event) {
        outcomes.offer(new Outcome(seq, wasDelivered, event.subject(), event.roomSeq(), event.time()));
    }

    /**
     * Publisher thread, each turn: applies outcomes, forgets acknowledged segments, writes a
     * pending loss report if there is room, sends what the window allows, and syncs in batches.
     * True if it did something.
     */
    boolean pump() {
        try {
            boolean busy = applyOutcomes();
            if (!losses.isEmpty()) {
                busy |= appendReport(false);
            }
            long now = nanoClock.getAsLong();
            // Before sending: a send may wait for the broker's metadata.
            if (appendsSinceSync >= SYNC_BATCH || (dirty() && now - lastSyncNanos >= SYNC_INTERVAL_NANOS)) {
                sync(now);
            }
            if (now - retryAtNanos >= 0) {
                busy |= send(now);
            }
            return busy;
        } catch (IOException e) {
            writeFailed(e);
            return false;
        }
    }

    private boolean dirty() {
        return appendsSinceSync > 0 || ackDirty;
    }

    /** Publisher thread, when the queue runs empty: what was appended reaches the device now. */
    void idle() {
        if (dirty()) {
            try {
                sync(nanoClock.getAsLong());
            } catch (IOException e) {
                writeFailed(e);
            }
        }
    }

    private void sync(long now) throws IOException {
        spool.sync();
        appendsSinceSync = 0;
        ackDirty = false;
        lastSyncNanos = now;
    }

    private boolean applyOutcomes() throws IOException {
        boolean any = false;
        Outcome o;
        while ((o = outcomes.poll()) != null) {
            any = true;
            if (!window.acknowledged(o.seq())) {
                continue;
            }
            if (o.delivered()) {
                delivered.incrementAndGet();
            } else {
                refused.incrementAndGet();
                losses.record(LossLedger.Reason.REFUSED, o.room(), o.roomSeq(), o.time());
            }
        }
        long below = window.acknowledgedBelow(unsent != null ? unsentSeq : spool.readSeq());
        if (below > spool.acknowledged()) {
            spool.acknowledge(below);
            ackDirty = true;
        }
        return any;
    }

    private boolean send(long now) throws IOException {
        boolean any = false;
        for (int i = 0; i < SEND_BATCH && !window.isFull(); i++) {
            if (unsent == null) {
                EventSpool.Entry entry = spool.next();
                if (entry == null) {
                    break;
                }
                try {
                    unsent = CloudEvent.fromJsonBytes(entry.payload());
                    unsentSeq = entry.seq();
                } catch (IllegalArgumentException e) {
                    // CRC-checked bytes that are not an event: written by something else. Skip them.
                    LOG.error("event spool {}: record {} is not an event; skipped", spool.dir(), entry.seq());
                    window.sent(entry.seq());
                    window.acknowledged(entry.seq());
                    continue;
                }
            }
            QueuedEventSink.Delivery d = destination.send(unsentSeq, unsent);
            if (d == QueuedEventSink.Delivery.RETRY) {
                retryAtNanos = now + RETRY_PAUSE_NANOS;
                break;
            }
            window.sent(unsentSeq);
            if (d == QueuedEventSink.Delivery.FAILED) {
                outcome(unsentSeq, false, unsent);
            }
            unsent = null;
            any = true;
        }
        return any;
    }

    /**
     * Publisher thread, last, after the destination has been closed (its final outcomes queued):
     * applies them, writes a report of unreported losses even beyond the bound, syncs and closes
     * the spool. What is left in it is sent by the next start.
     */
    void stop() {
        try {
            applyOutcomes();
            if (!losses.isEmpty() && !appendReport(true)) {
                LOG.error("event spool {}: no room even in the reserve for the report of {} lost event(s)",
                        spool.dir(), losses.count());
            }
            spool.close();
        } catch (IOException e) {
            writeFailed(e);
            LOG.error("closing the event spool {}: {}; {} lost event(s) not reported", spool.dir(), e.toString(),
                    losses.count());
        }
    }

    /** Records not acknowledged yet (in the spool, including those in flight). Any thread. */
    long held() {
        return spool.records();
    }

    long delivered() {
        return delivered.get();
    }

    long spoolFull() {
        return spoolFull.get();
    }

    long refused() {
        return refused.get();
    }

    /** Events lost because a spool write failed. */
    long spoolErrors() {
        return spoolErrors.get();
    }

    /** Losses already written into the stream as a report. */
    long reported() {
        return reported.get();
    }

    /** Losses recorded but not in a report yet (publisher thread). */
    long unreported() {
        return losses.count();
    }

    int inFlight() {
        return window.size();
    }

    EventSpool spool() {
        return spool;
    }
}
