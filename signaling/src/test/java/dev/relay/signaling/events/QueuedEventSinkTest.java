package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class QueuedEventSinkTest {

    static CloudEvent event(long n) {
        return new CloudEvent("id-" + n, "/relay/test", EventType.PARTICIPANT_JOINED, Instant.EPOCH, "room", "test", n,
                JsonNodeFactory.instance.objectNode().put("n", n));
    }

    /** Delivers into a list; may be held at a gate or refuse events for a while. */
    static class ListSink extends QueuedEventSink {
        final List<Long> delivered = Collections.synchronizedList(new ArrayList<>());
        final List<CloudEvent> reports = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate;
        final AtomicInteger refusals = new AtomicInteger();
        volatile boolean finished;

        ListSink(int capacity, CountDownLatch gate) {
            super("list", "test-node", java.time.Clock.systemUTC(), capacity);
            this.gate = gate;
            start();
        }

        @Override
        Delivery deliver(CloudEvent event) {
            entered.countDown();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Delivery.RETRY;
                }
            }
            if (refusals.get() > 0) {
                refusals.decrementAndGet();
                return Delivery.RETRY;
            }
            delivered.add(event.roomSeq());
            if (event.type() == EventType.EVENTS_LOST) {
                reports.add(event);
            }
            delivered();
            return Delivery.ACCEPTED;
        }

        @Override
        void finish(Duration remaining, long undelivered) {
            finished = true;
        }
    }

    @Test
    void shouldDeliverEverythingInOrderFromAnotherThread() throws Exception {
        int n = 200_000;
        ListSink sink = new ListSink(1 << 18, null);
        Thread control = new Thread(() -> {
            for (long i = 1; i <= n; i++) {
                sink.publish(event(i));
            }
        });
        control.start();
        control.join();
        sink.close(Duration.ofSeconds(10));

        assertEquals(n, sink.published());
        assertEquals(0, sink.dropped());
        assertEquals(n, sink.delivered.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, sink.delivered.get(i));
        }
        assertTrue(sink.finished);
    }

    @Test
    void shouldCountDropsWhenFullAndNeverBlockThePublisher() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ListSink sink = new ListSink(4, gate);
        sink.publish(event(1));
        assertTrue(sink.entered.await(5, TimeUnit.SECONDS), "the publisher thread holds event 1 at the gate");

        // Each publish into the full queue is timed and the quickest judged: a publish that waited
        // for room (for any time over 100 ms) would wait in all six, while a scheduling stall of a
        // loaded CI machine lands in one or two of these back-to-back calls. One that waited until
        // room came would hang here until @Timeout fails the test.
        long quickestDrop = Long.MAX_VALUE;
        for (long i = 2; i <= 11; i++) {
            long start = System.nanoTime();
            sink.publish(event(i));
            if (i > 5) {
                quickestDrop = Math.min(quickestDrop, System.nanoTime() - start);
            }
        }
        assertTrue(quickestDrop < TimeUnit.MILLISECONDS.toNanos(100),
                "publish into a full queue never waits: the quickest of six took " + quickestDrop + " ns");
        assertEquals(6, sink.dropped(), "4 queued, event 1 in hand, 6 dropped");
        assertEquals(4, sink.pending());

        gate.countDown();
        sink.close(Duration.ofSeconds(5));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 0L), sink.delivered,
                "what fit is delivered, in order, then the loss report");
        assertEquals(0, sink.failed());
    }

    @Test
    void shouldRetryAnEventInPlaceSoOrderHolds() throws Exception {
        ListSink sink = new ListSink(16, null);
        sink.refusals.set(3);
        for (long i = 1; i <= 5; i++) {
            sink.publish(event(i));
        }
        sink.close(Duration.ofSeconds(5));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sink.delivered);
    }

    @Test
    void shouldCountWhatIsStillUndeliverableAtTheCloseDeadlineAsFailed() throws Exception {
        ListSink sink = new ListSink(16, null);
        sink.refusals.set(Integer.MAX_VALUE);
        for (long i = 1; i <= 5; i++) {
            sink.publish(event(i));
        }
        sink.close(Duration.ofMillis(300));
        assertEquals(5, sink.failed());
        assertEquals(0, sink.published());
        assertTrue(sink.finished);

        sink.publish(event(6));
        assertEquals(1, sink.dropped(), "a closed sink takes nothing");
    }

    @Test
    void shouldReportDroppedEventsInTheStreamOnceTheBacklogIsOut() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ListSink sink = new ListSink(4, gate);
        sink.publish(event(1));
        assertTrue(sink.entered.await(5, TimeUnit.SECONDS));
        for (long i = 2; i <= 11; i++) {
            sink.publish(event(i));
        }
        assertEquals(6, sink.dropped());
        gate.countDown();
        sink.close(Duration.ofSeconds(5));

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 0L), sink.delivered, "the backlog, then the report (no roomseq)");
        CloudEvent report = sink.reports.get(0);
        assertEquals(EventType.EVENTS_LOST, report.type());
        assertEquals(6, report.data().get("lost").asLong());
        assertEquals(6, report.data().get("reasons").get("buffer_full").asLong());
        assertEquals("[{\"room\":\"room\",\"from\":6,\"to\":11}]", report.data().get("rooms").toString());
        assertEquals("/relay/test-node", report.source());
    }
}
