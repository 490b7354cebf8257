package dev.relay.signaling;

import dev.relay.metrics.RelayMetrics;
import dev.relay.sfu.MediaEvent;
import dev.relay.sfu.MediaWorker;
import dev.relay.sfu.MediaWorkers;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.RefusalReason;
import dev.relay.signaling.events.CloudEventEmitter;
import dev.relay.signaling.events.EventSink;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySample;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.transport.ChannelEgress;
import dev.relay.transport.DropCounters;
import dev.relay.transport.DropReason;
import dev.relay.transport.MediaServer;
import dev.relay.transport.TcpMediaServer;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsFailure;
import dev.relay.transport.dtls.DtlsHandshakes;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Every meter of {@code /metrics} (docs/operations.md "Metrics"), registered once at start: each
 * reads its owner's counters at scrape time, except the histograms, which their owners' control
 * paths feed (a value per quality sample or handshake, never per packet).
 */
final class RelayMeters {
    // Buckets: loss where calls degrade (1-2 % audible, 5-10 % video freezes); jitter and RTT
    // from a LAN to a long-haul path; DTLS from loopback (~2 ms) to the 10 s timeout.
    private static final double[] LOSS_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
    private static final double[] JITTER_BUCKETS_MS = {1, 2, 5, 10, 20, 30, 50, 100, 200};
    private static final double[] RTT_BUCKETS_MS = {5, 10, 25, 50, 100, 150, 250, 400, 1000};
    private static final Duration[] DTLS_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private RelayMeters() {
    }

    /**
     * @param tcp  the ICE-TCP listener, or null when it is off
     * @param turn the addresses of the configured TURN servers: a UDP path from one is counted as {@code turn}
     */
    static void register(RelayMetrics metrics, MediaServer media, TcpMediaServer tcp, MediaWorkers workers,
                         DropCounters drops, TransportRegistry registry, SignalingService signaling,
                         DtlsHandshakes dtls, AccessControl access, SessionEvents events, TurnAddresses turn) {
        registerMedia(metrics, workers, drops, registry, signaling);
        Map<String, Predicate<Transport>> paths = Map.of(
                "udp", t -> t.selectedRemote() != null && !t.isTcp() && !turn.contains(t.selectedRemote()),
                "tcp", t -> t.selectedRemote() != null && t.isTcp(),
                "turn", t -> t.selectedRemote() != null && !t.isTcp() && turn.contains(t.selectedRemote()));
        paths.forEach((protocol, test) -> metrics.gauge("relay.transports.selected", "Transports by their "
                + "ICE-selected path: udp, tcp (ICE-TCP, RFC 6544) or turn (from a configured TURN server's address)",
                Tags.of("protocol", protocol), registry, r -> r.count(test)));
        if (tcp != null) {
            metrics.gauge("relay.ice.tcp.connections", "ICE-TCP connections open, with or without a valid check",
                    Tags.empty(), tcp, TcpMediaServer::connections);
        }
        registerSessions(metrics, signaling.stats());
        for (ChannelEgress egress : media.egress()) {
            Tags socket = Tags.of("socket", Integer.toString(egress.index()));
            metrics.gauge("relay.socket.ring.used.bytes", "Bytes waiting in the socket's egress ring (full: "
                    + "egress_ring_full drops)", socket, egress, ChannelEgress::ringUsedBytes);
            metrics.gauge("relay.socket.ring.capacity.bytes", "Size of the socket's egress ring", socket, egress,
                    ChannelEgress::ringCapacityBytes);
        }
        for (Limit limit : Limit.values()) {
            metrics.counter("relay.limits.refused", "Connections, messages and requests refused or closed for a "
                    + "limit (docs/signaling.md \"Limits\")", Tags.of("limit", limit.wireName()),
                    signaling.limitCounters(), c -> c.get(limit));
        }
        registerDtls(metrics, dtls);
        registerAccess(metrics, access);
        if (events instanceof CloudEventEmitter emitter) {
            registerEvents(metrics, emitter);
        }
    }

    private static void registerAccess(RelayMetrics metrics, AccessControl access) {
        for (RefusalReason reason : RefusalReason.values()) {
            metrics.counter("relay.auth.refused", "Access tokens refused, by reason (docs/signaling.md "
                    + "\"Authentication\")", Tags.of("reason", reason.wireName()), access, a -> a.refused(reason));
        }
        metrics.counter("relay.origin.refused", "WebSocket upgrades refused (HTTP 403) for their Origin header",
                Tags.empty(), access, AccessControl::originsRefused);
    }

    private static void registerMedia(RelayMetrics metrics, MediaWorkers workers, DropCounters drops,
                                        TransportRegistry registry, SignalingService signaling) {
        for (MediaWorker worker : workers.workers()) {
            Tags tags = Tags.of("worker", worker.roleName());
            metrics.counter("relay.rtp.packets.received", "RTP packets routed to a Producer", tags, worker,
                    MediaWorker::packetsIn);
            metrics.counter("relay.rtp.packets.sent", "SRTP packets sent to subscribers", tags, worker,
                    MediaWorker::packetsOut);
            metrics.counter("relay.rtp.bytes.sent", "SRTP bytes sent to subscribers", tags, worker,
                    MediaWorker::bytesOut);
            metrics.counter("relay.rtp.bytes.received", "RTP bytes (decrypted header and payload) routed to a "
                    + "Producer", tags, worker, MediaWorker::bytesIn);
            metrics.gauge("relay.worker.ring.used.bytes", "Bytes waiting in the worker's inbound ring (full: "
                    + "ring_full drops)", tags, worker, MediaWorker::inboxUsedBytes);
            metrics.gauge("relay.worker.ring.capacity.bytes", "Size of the worker's inbound ring", tags, worker,
                    MediaWorker::inboxCapacityBytes);
            metrics.counter("relay.worker.cpu.seconds", "CPU time of the worker's thread (its duty cycle spins "
                    + "briefly before sleeping, so an idle worker shows a little)", tags, worker,
                    RelayMeters::cpuSeconds);
            for (MediaEvent event : MediaEvent.values()) {
                metrics.counter(event.metricName(), event.description(), tags, worker, w -> w.count(event));
            }
        }
        for (DropReason reason : DropReason.values()) {
            metrics.counter("relay.packets.dropped", "Datagrams and packets dropped, by reason",
                    Tags.of("reason", reason.name().toLowerCase(Locale.ROOT)), drops, d -> d.get(reason));
        }
        metrics.counter("relay.signaling.rejected", "Signaling messages answered with an error", Tags.empty(),
                signaling, SignalingService::rejectedMessages);
        metrics.gauge("relay.transports", "ICE/DTLS transports open", Tags.empty(), registry,
                TransportRegistry::size);
        metrics.gauge("relay.rooms", "Rooms open", Tags.empty(), signaling, SignalingService::roomCount);
        metrics.gauge("relay.cluster.pipes", "Relay-to-relay pipes open (docs/scale-out.md)", Tags.empty(), signaling,
                SignalingService::pipeCount);
        metrics.counter("relay.cluster.pipes.refused", "Pipe control connections refused: a bad, stale or replayed "
                + "open, or a room not held here (docs/security.md)", Tags.empty(), signaling,
                SignalingService::pipesRefused);
        metrics.gauge("relay.participants", "Participants joined", Tags.empty(), signaling,
                SignalingService::participantCount);
    }

    private static double cpuSeconds(MediaWorker worker) {
        return cpuNanos(worker) / 1e9;
    }

    /** CPU time of the worker's thread so far, 0 where the JVM cannot say. */
    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
    static long cpuNanos(MediaWorker worker) {
        Thread thread = worker.thread();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (thread == null || !threads.isThreadCpuTimeSupported()) {
            return 0;
        }
        long nanos = threads.getThreadCpuTime(thread.getId());
        return Math.max(0, nanos);
    }

    /** Joins, leaves, tracks and quality distributions (control thread; nothing per packet). */
    private static void registerSessions(RelayMetrics metrics, SessionStats stats) {
        metrics.counter("relay.participants.joined", "Participants that joined a room", Tags.empty(), stats,
                SessionStats::joins);
        for (LeaveReason reason : LeaveReason.values()) {
            metrics.counter("relay.participants.left", "Participants that left a room, by reason (ice_failed: "
                    + "ICE consent lost)", Tags.of("reason", reason.wireName()), stats, s -> s.leaves(reason));
        }
        for (boolean publish : new boolean[] {true, false}) {
            metrics.counter("relay.ice.restarts", "ICE restarts (new relay ICE credentials on a Transport, "
                    + "docs/signaling.md \"ICE restart\")", Tags.of("pc", publish ? "publish" : "subscribe"), stats,
                    s -> s.iceRestarts(publish));
        }
        for (String kind : new String[] {"audio", "video"}) {
            metrics.gauge("relay.producers", "Incoming tracks (Producers) open", Tags.of("kind", kind), stats,
                    s -> s.producers(kind));
            metrics.gauge("relay.consumers", "Tracks forwarded to subscribers (active Consumers)",
                    Tags.of("kind", kind), stats, s -> s.consumers(kind));
        }
        Map<String, DistributionSummary> loss = new LinkedHashMap<>();
        Map<String, DistributionSummary> jitter = new LinkedHashMap<>();
        for (String direction : new String[] {"publish", "subscribe"}) {
            Tags tags = Tags.of("direction", direction);
            loss.put(direction, metrics.histogram("relay.quality.packet.loss", "Participants' packet loss per "
                    + "quality sample (0..1; docs/events.md \"Quality samples\")", "ratio", tags, LOSS_BUCKETS));
            jitter.put(direction, metrics.histogram("relay.quality.jitter", "Participants' largest track jitter "
                    + "per quality sample", "milliseconds", tags, JITTER_BUCKETS_MS));
        }
        DistributionSummary rtt = metrics.histogram("relay.quality.rtt", "Subscribers' largest round-trip time "
                + "per quality sample, from their receiver reports", "milliseconds", Tags.empty(), RTT_BUCKETS_MS);
        stats.onQualitySample(sample -> {
            record(sample.publish(), loss.get("publish"), jitter.get("publish"), null);
            record(sample.subscribe(), loss.get("subscribe"), jitter.get("subscribe"), rtt);
        });
    }

    private static void record(QualitySample.Direction direction, DistributionSummary loss, DistributionSummary jitter,
                               DistributionSummary rtt) {
        if (direction.tracks() == 0) {
            return;
        }
        loss.record(direction.packetLoss());
        jitter.record(direction.jitterMs());
        if (rtt != null && direction.rttMs() >= 0) {
            rtt.record(direction.rttMs());
        }
    }

    private static void registerDtls(RelayMetrics metrics, DtlsHandshakes dtls) {
        Timer handshake = metrics.timer("relay.dtls.handshake", "DTLS handshake time, ClientHello to the relay's "
                + "last flight", Tags.empty(), DTLS_BUCKETS);
        dtls.onCompleted(nanos -> handshake.record(nanos, TimeUnit.NANOSECONDS));
        for (DtlsFailure reason : DtlsFailure.values()) {
            metrics.counter("relay.dtls.failures", "DTLS handshakes that failed or were refused, by reason",
                    Tags.of("reason", reason.label()), dtls, d -> d.failures(reason));
        }
        metrics.counter("relay.dtls.handshakes.completed", "DTLS handshakes that completed", Tags.empty(), dtls,
                DtlsHandshakes::completed);
        metrics.gauge("relay.dtls.handshakes.in.flight", "DTLS handshakes admitted and not yet finished "
                + "(each holds a thread)", Tags.empty(), dtls, DtlsHandshakes::inFlight);
    }

    private static void registerEvents(RelayMetrics metrics, CloudEventEmitter emitter) {
        for (EventSink sink : emitter.sinks()) {
            Tags tags = Tags.of("sink", sink.name());
            metrics.counter("relay.events.published", "Session events delivered (Kafka acknowledged, file or log written)",
                    tags, sink, EventSink::published);
            metrics.counter("relay.events.dropped", "Session events not delivered, by reason", tags.and("reason",
                    "buffer_full"), sink, EventSink::dropped);
            metrics.counter("relay.events.dropped", "Session events not delivered, by reason", tags.and("reason",
                    "failed"), sink, EventSink::failed);
            metrics.gauge("relay.events.queued", "Session events accepted and waiting for delivery "
                    + "(the backlog while Kafka is unreachable)", tags, sink, EventSink::pending);
            if (sink.spoolLimitBytes() > 0) {
                metrics.counter("relay.events.dropped", "Session events not delivered, by reason", tags.and("reason",
                        "spool_full"), sink, EventSink::spoolFull);
                metrics.gauge("relay.events.spool.bytes", "Bytes of the event spool's files (docs/events.md "
                        + "\"The spool\")", tags, sink, EventSink::spoolBytes);
                metrics.gauge("relay.events.spool.limit.bytes", "The event spool's size bound; at it new events "
                        + "are lost and reported", tags, sink, EventSink::spoolLimitBytes);
            }
        }
    }
}
