package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool path without Kafka: a fake destination that acknowledges when told, and a fake clock. */
class SpoolDeliveryTest {

    @TempDir
    Path dir;

    private long now = 1_000_000_000L;
    private final FakeDestination destination = new FakeDestination();

    /** Records what it was sent; takes, defers or refuses as told. */
    static final class FakeDestination implements SpoolDelivery.Destination {
        final List<Map.Entry<Long, CloudEvent>> sent = new ArrayList<>();
        QueuedEventSink.Delivery answer = QueuedEventSink.Delivery.ACCEPTED;
        int attempts;

        @Override
        public QueuedEventSink.Delivery send(long seq, CloudEvent event) {
            attempts++;
            if (answer == QueuedEventSink.Delivery.ACCEPTED) {
                sent.add(Map.entry(seq, event));
            }
            return answer;
        }

        List<String> ids() {
            return sent.stream().map(e -> e.getValue().id()).toList();
        }
    }

    static CloudEvent event(String room, long seq) {
        return new CloudEvent(room + "-" + seq, "/relay/n", EventType.PARTICIPANT_JOINED,
                Instant.parse("2026-11-29T10:00:00Z").plusMillis(seq), room, "n", seq,
                JsonNodeFactory.instance.objectNode().put("room", room).put("participantId", "p" + seq));
    }

    private static CloudEvent report(LossLedger ledger) {
        return new CloudEvent("report-" + ledger.count(), "/relay/n", EventType.EVENTS_LOST,
                Instant.parse("2026-11-29T11:00:00Z"), null, "n", 0, ledger.toData());
    }

    private SpoolDelivery open(long maxBytes) throws Exception {
        return new SpoolDelivery(EventSpool.open(dir, maxBytes, 1024), destination, 8, () -> now,
                SpoolDeliveryTest::report);
    }

    /** Acknowledges everything sent so far, newest first (as separate partitions may). */
    private void acknowledgeAll(SpoolDelivery delivery) {
        for (int i = destination.sent.size() - 1; i >= 0; i--) {
            Map.Entry<Long, CloudEvent> e = destination.sent.get(i);
            delivery.outcome(e.getKey(), true, e.getValue());
        }
    }

    @Test
    void shouldSendEveryEventInOrderAndForgetItOnceAcknowledged() throws Exception {
        SpoolDelivery delivery = open(1 << 20);
        for (long i = 1; i <= 5; i++) {
            assertTrue(delivery.add(event("a", i)));
        }
        assertEquals(5, delivery.held());
        delivery.pump();
        assertEquals(List.of("a-1", "a-2", "a-3", "a-4", "a-5"), destination.ids());
        assertEquals(5, delivery.held(), "sent, not acknowledged");

        acknowledgeAll(delivery);
        delivery.pump();
        assertEquals(0, delivery.held());
        assertEquals(5, delivery.delivered());
        delivery.stop();
    }

    @Test
    void shouldKeepAtMostTheWindowInFlight() throws Exception {
        SpoolDelivery delivery = open(1 << 20);
        for (long i = 1; i <= 20; i++) {
            delivery.add(event("a", i));
        }
        delivery.pump();
        assertEquals(8, destination.sent.size(), "the window holds 8");
        acknowledgeAll(delivery);
        delivery.pump();
        assertEquals(16, destination.sent.size());
        delivery.stop();
    }

    @Test
    void shouldPauseAfterARetryAndOfferTheSameEventAgain() throws Exception {
        SpoolDelivery delivery = open(1 << 20);
        delivery.add(event("a", 1));
        delivery.add(event("a", 2));
        destination.answer = QueuedEventSink.Delivery.RETRY;
        delivery.pump();
        assertEquals(1, destination.attempts);
        destination.answer = QueuedEventSink.Delivery.ACCEPTED;
        now += SpoolDelivery.RETRY_PAUSE_NANOS - 1;
        delivery.pump();
        assertEquals(1, destination.attempts, "no attempt within the pause");
        now += 1;
        delivery.pump();
        assertEquals(List.of("a-1", "a-2"), destination.ids());
        delivery.stop();
    }

    @Test
    void shouldSendWhatAStoppedRelayHeldBeforeNewEvents() throws Exception {
        SpoolDelivery first = open(1 << 20);
        first.add(event("a", 1));
        first.pump();
        acknowledgeAll(first);
        first.pump();
        // Broker down: nothing more is taken; what was taken is in flight and then abandoned.
        first.add(event("a", 2));
        first.pump();
        destination.answer = QueuedEventSink.Delivery.RETRY;
        for (long i = 3; i <= 6; i++) {
            first.add(event("a", i));
        }
        now += TimeUnit.SECONDS.toNanos(1);
        first.pump();
        first.stop();

        destination.sent.clear();
        destination.answer = QueuedEventSink.Delivery.ACCEPTED;
        SpoolDelivery second = open(1 << 20);
        assertEquals(5, second.held(), "a-2, unacknowledged, and a-3..a-6");
        second.add(event("b", 1));
        second.pump();
        assertEquals(List.of("a-2", "a-3", "a-4", "a-5", "a-6", "b-1"), destination.ids());
        acknowledgeAll(second);
        second.pump();
        assertEquals(0, second.held());
        second.stop();
    }

    @Test
    void shouldReportEventsLostToAFullSpoolOnceThereIsRoomInTheirPlace() throws Exception {
        SpoolDelivery delivery = open(16 * 1024);
        destination.answer = QueuedEventSink.Delivery.RETRY;
        long seq = 0;
        while (delivery.add(event("a", ++seq))) {
            assertTrue(seq < 1000);
        }
        long firstLost = seq;
        delivery.add(event("a", ++seq));
        delivery.add(event("b", 1));
        assertEquals(3, delivery.spoolFull());
        assertEquals(3, delivery.unreported());

        destination.answer = QueuedEventSink.Delivery.ACCEPTED;
        now += TimeUnit.SECONDS.toNanos(1);
        while (delivery.held() > 0) {
            delivery.pump();
            acknowledgeAll(delivery);
            now += SpoolDelivery.RETRY_PAUSE_NANOS;
            delivery.pump();
            if (destination.sent.size() > 2000) {
                break;
            }
        }
        List<CloudEvent> sent = destination.sent.stream().map(Map.Entry::getValue).toList();
        CloudEvent last = sent.get(sent.size() - 1);
        assertEquals(EventType.EVENTS_LOST, last.type(), "the report follows every event that was kept");
        assertEquals(firstLost - 1, sent.size() - 1, "a-1.." + (firstLost - 1) + " then the report");
        assertEquals(3, last.data().get("lost").asLong());
        assertEquals(3, last.data().get("reasons").get("spool_full").asLong());
        assertEquals("[{\"room\":\"a\",\"from\":" + firstLost + ",\"to\":" + (firstLost + 1)
                + "},{\"room\":\"b\",\"from\":1,\"to\":1}]", last.data().get("rooms").toString());
        assertEquals(0, delivery.unreported());
        assertEquals(3, delivery.reported());
        assertTrue(delivery.add(event("a", ++seq)), "room again");
        delivery.stop();
    }

    @Test
    void shouldWriteTheReportBeyondTheBoundWhenStoppingWithTheSpoolFull() throws Exception {
        SpoolDelivery delivery = open(16 * 1024);
        destination.answer = QueuedEventSink.Delivery.RETRY;
        long seq = 0;
        while (delivery.add(event("a", ++seq))) {
            assertTrue(seq < 1000);
        }
        long kept = seq - 1;
        delivery.add(event("a", ++seq));
        delivery.stop();

        destination.answer = QueuedEventSink.Delivery.ACCEPTED;
        SpoolDelivery next = open(16 * 1024);
        assertEquals(kept + 1, next.held(), "every kept event and the report");
        for (int i = 0; i < 200 && destination.sent.size() < kept + 1; i++) {
            next.pump();
            acknowledgeAll(next);
            next.pump();
        }
        CloudEvent last = destination.sent.get(destination.sent.size() - 1).getValue();
        assertEquals(EventType.EVENTS_LOST, last.type());
        assertEquals(2, last.data().get("lost").asLong());
        assertFalse(last.toJsonString().contains("\"subject\""), "not a room's event");
        next.stop();
    }

    @Test
    void shouldCountAnEventTheDestinationRefusesAndReportIt() throws Exception {
        SpoolDelivery delivery = open(1 << 20);
        delivery.add(event("a", 1));
        delivery.add(event("a", 2));
        delivery.pump();
        Map.Entry<Long, CloudEvent> first = destination.sent.get(0);
        Map.Entry<Long, CloudEvent> second = destination.sent.get(1);
        delivery.outcome(first.getKey(), false, first.getValue());
        delivery.outcome(second.getKey(), true, second.getValue());
        delivery.pump();
        assertEquals(1, delivery.refused());
        delivery.pump();
        CloudEvent report = destination.sent.get(2).getValue();
        assertEquals(EventType.EVENTS_LOST, report.type());
        assertEquals(1, report.data().get("reasons").get("refused").asLong());
        assertEquals("[{\"room\":\"a\",\"from\":1,\"to\":1}]", report.data().get("rooms").toString());
        delivery.stop();
    }

    @Test
    void shouldReportEventsLostToAFailedSpoolWrite() throws Exception {
        SpoolDelivery delivery = new SpoolDelivery(EventSpool.open(dir, 1 << 20, 1024,
                file -> new FailingChannel(EventSpool.FILES.open(file))), destination, 8, () -> now,
                SpoolDeliveryTest::report);
        destination.answer = QueuedEventSink.Delivery.RETRY;
        delivery.add(event("a", 1));
        delivery.add(event("a", 2));
        FailingChannel.failing = true;
        try {
            delivery.idle();
        } finally {
            FailingChannel.failing = false;
        }
        assertEquals(2, delivery.spoolErrors());
        assertEquals(0, delivery.held());

        destination.answer = QueuedEventSink.Delivery.ACCEPTED;
        now += TimeUnit.SECONDS.toNanos(1);
        delivery.add(event("a", 3));
        delivery.pump();
        assertEquals(List.of("report-2", "a-3"), destination.ids(), "the report takes the lost events' place");
        CloudEvent report = destination.sent.get(0).getValue();
        assertEquals(2, report.data().get("reasons").get("spool_error").asLong());
        assertEquals("[{\"room\":\"a\",\"from\":1,\"to\":2}]", report.data().get("rooms").toString());
        delivery.stop();
    }
}
