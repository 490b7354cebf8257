package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ICE consent expiry (RFC 7675 §5.1) against a fake clock: who is removed, when, and what they are told. */
class ConsentMonitorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final InetSocketAddress BROWSER = new InetSocketAddress("127.0.0.1", 50000);

    private final RoomsFixture fixture = new RoomsFixture();
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final ConsentMonitor monitor = new ConsentMonitor(fixture.rooms, TIMEOUT, clock::get);

    @AfterEach
    void close() {
        fixture.close();
    }

    private Transport transportOf(Participant participant, String side) {
        Transport transport = fixture.registry.create();
        if (side.equals("publish")) {
            participant.publish().transport(transport);
        } else {
            participant.subscribe().transport(transport);
        }
        return transport;
    }

    private List<String> checkAfter(long nanos) {
        clock.addAndGet(nanos);
        monitor.check();
        return fixture.transcript.drain();
    }

    @ParameterizedTest
    @ValueSource(strings = {"publish", "subscribe"})
    void shouldRemoveAParticipantOnceItsTransportHadNoCheckForTheTimeout(String side) {
        Participant alice = fixture.join("alice", "r");
        fixture.join("bob", "r");
        Transport transport = transportOf(alice, side);
        transport.ice().onValidatedRequest(BROWSER, true, clock.get());
        fixture.transcript.drain();

        assertEquals(List.of(), checkAfter(TIMEOUT.toNanos()), "exactly the timeout: consent is still fresh");
        assertEquals(List.of(
                "alice <- {\"type\":\"error\",\"code\":\"ice_failed\",\"message\":\"no ICE connectivity check or media "
                        + "from this client for 30 s; rejoin to continue\"}",
                "bob <- {\"type\":\"participantLeft\",\"participantId\":\"p1\"}",
                "event participant.left r p1 ice_failed",
                "alice closed"), checkAfter(1));
        assertTrue(alice.hasLeft());
        assertTrue(transport.isClosed());
        assertEquals(List.of(), checkAfter(TIMEOUT.toNanos()), "removed once");
        assertEquals(1, fixture.rooms.participantCount());
    }

    @Test
    void shouldKeepAParticipantWhoseChecksKeepComing() {
        Participant alice = fixture.join("alice", "r");
        Transport transport = transportOf(alice, "publish");
        fixture.transcript.drain();

        for (int i = 0; i < 5; i++) {
            transport.ice().onValidatedRequest(BROWSER, true, clock.get());
            assertEquals(List.of(), checkAfter(TIMEOUT.toNanos() - 1));
        }
    }

    /** libnice keeps a pair alive with Binding indications, which prove nothing; its SRTCP does. */
    @Test
    void shouldKeepAParticipantWhoseAuthenticatedMediaKeepsComingAfterItsLastCheck() {
        Participant alice = fixture.join("alice", "r");
        Transport transport = transportOf(alice, "subscribe");
        transport.ice().onValidatedRequest(BROWSER, true, clock.get());
        fixture.transcript.drain();

        for (int i = 0; i < 5; i++) {
            transport.authenticatedAt(clock.get());
            assertEquals(List.of(), checkAfter(TIMEOUT.toNanos() - 1), "round " + i);
        }
        assertEquals(4, checkAfter(2).size(), "media stopped: removed one timeout after the last packet");
        assertTrue(alice.hasLeft());
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 0", "5, 0, 5", "0, 7, 7", "5, 7, 7", "7, 5, 7",
        // nanoTime may wrap: the later reading is the one ahead by difference.
        "9223372036854775807, -9223372036854775808, -9223372036854775808"})
    void shouldTakeTheLaterReading(long a, long b, long latest) {
        assertEquals(latest, ConsentMonitor.latest(a, b));
    }

    @Test
    void shouldLeaveAloneAClosedTransport() {
        Participant bob = fixture.join("bob", "r");
        Transport closed = transportOf(bob, "subscribe");
        closed.ice().onValidatedRequest(BROWSER, true, clock.get());
        closed.close();
        fixture.transcript.drain();

        assertEquals(List.of(), checkAfter(10 * TIMEOUT.toNanos()));
        assertEquals(1, fixture.rooms.participantCount());
    }

    @Test
    void shouldRemoveAParticipantWhoseTransportNeverPassesACheck() {
        Participant alice = fixture.join("alice", "r");
        transportOf(alice, "publish");
        fixture.transcript.drain();

        assertEquals(List.of(), checkAfter(0), "first seen now");
        assertEquals(List.of(), checkAfter(TIMEOUT.toNanos()), "exactly the timeout after: still waiting");
        List<String> removed = checkAfter(1);
        assertTrue(removed.contains("event participant.left r p1 ice_failed"), removed.toString());
        assertTrue(alice.hasLeft());
    }

    @Test
    void shouldTimeAFirstCheckFromWhenTheTransportWasFirstSeenNotFromZero() {
        Participant alice = fixture.join("alice", "r");
        checkAfter(5 * TIMEOUT.toNanos());
        Transport late = transportOf(alice, "subscribe");
        fixture.transcript.drain();

        assertEquals(List.of(), checkAfter(TIMEOUT.toNanos() / 2));
        late.ice().onValidatedRequest(BROWSER, true, clock.get());
        assertEquals(List.of(), checkAfter(TIMEOUT.toNanos() - 1), "checked in time: consent from the check");
        assertTrue(!alice.hasLeft());
    }

    /** {last check, now, timeout, expired}: System.nanoTime values, compared by difference only. */
    @ParameterizedTest
    @CsvSource({
        "0, 1000, 10, false",
        "50, 60, 10, false",
        "50, 61, 10, true",
        "-100, -50, 10, true",
        "9223372036854775803, -9223372036854775804, 10, false",
        "9223372036854775802, -9223372036854775803, 10, true",
        "9223372036854775802, 9223372036854775805, 10, false"})
    void shouldExpireByTheDifferenceEvenAcrossTheClockWrap(long last, long now, long timeout, boolean expired) {
        assertEquals(expired, ConsentMonitor.expired(last, now, timeout));
    }

    /** {ICE timeout, check interval}: about a sixth of the timeout, between 100 ms and 5 s. */
    @ParameterizedTest
    @CsvSource({"PT30S, 5000", "PT2M, 5000", "PT1S, 166", "PT0.3S, 100"})
    void shouldCheckAboutSixTimesPerTimeout(Duration timeout, long millis) {
        assertEquals(millis, new ConsentMonitor(fixture.rooms, timeout, clock::get).checkIntervalMillis());
    }
}
