package dev.relay.signaling;

import dev.relay.metrics.RelayMetrics;
import dev.relay.sfu.MediaEvent;
import dev.relay.sfu.MediaWorker;
import dev.relay.sfu.MediaWorkers;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.auth.RefusalReason;
import dev.relay.signaling.events.CloudEventEmitter;
import dev.relay.signaling.events.EventSink;
import dev.relay.signaling.events.SessionEvents;
import dev.relay.transport.DropReason;
import dev.relay.signaling.events.LeaveReason;
import dev.relay.signaling.events.QualitySample;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import dev.relay.transport.ChannelEgress;
import dev.relay.transport.DropCounters;
import dev.relay.transport.MediaServer;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.srtp.SrtpSession;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsFailure;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole relay in one process: media port, media workers, signaling and HTTP. */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
    /** How long close() waits for session events (participants' left events included) to be delivered. */
    private static final Duration EVENTS_FLUSH_TIMEOUT = Duration.ofSeconds(5);

    // Buckets: loss where calls degrade (1-2 % audible, 5-10 % video freezes); jitter and RTT
    // from a LAN to a long-haul path; DTLS from loopback (~2 ms) to the 10 s timeout.
    private static final double[] LOSS_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
    private static final double[] JITTER_BUCKETS_MS = {1, 2, 5, 10, 20, 30, 50, 100, 200};
    private static final double[] RTT_BUCKETS_MS = {5, 10, 25, 50, 100, 150, 250, 400, 1000};
    private static final Duration[] DTLS_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private final MediaServer media;
    private final MediaWorkers workers;
    private final ExecutorService control;
    private final DtlsHandshakes dtlsHandshakes;
    private final SignalingService signaling;
    private final HttpServer http;
    private final HttpServer metricsHttp;
    private final DropCounters drops;
    private final RelayMetrics metrics;
    private final SessionEvents events;
    private final Duration shutdownGrace;

    private RelayServer(MediaServer media, MediaWorkers workers, ExecutorService control,
                        DtlsHandshakes dtlsHandshakes, SignalingService signaling, HttpServer http,
                        HttpServer metricsHttp, DropCounters drops, RelayMetrics metrics, SessionEvents events,
                        Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
        this.metrics = metrics;
        this.events = events;
        this.media = media;
        this.workers = workers;
        this.control = control;
        this.dtlsHandshakes = dtlsHandshakes;
        this.signaling = signaling;
        this.http = http;
        this.metricsHttp = metricsHttp;
        this.drops = drops;
    }

    /** Starts the relay with the event sinks {@link RelayConfig#events()} asks for (Kafka, a file, or the log). */
    public static RelayServer start(RelayConfig config) throws Exception {
        CloudEventEmitter events = CloudEventEmitter.fromConfig(config.events());
        try {
            return start(config, events);
        } catch (Exception | Error e) {
            events.close(Duration.ZERO);
            throw e;
        }
    }

    /** Starts the relay with its own {@link SessionEvents} (embedding, tests); it is closed with the relay. */
    public static RelayServer start(RelayConfig config, SessionEvents events) throws Exception {
        long warmUpStart = System.nanoTime();
        String aes = SrtpSession.warmUp();
        LOG.info("SRTP ready ({}) in {} ms", aes, (System.nanoTime() - warmUpStart) / 1_000_000);
        DtlsCertificate certificate = DtlsCertificate.generate();
        DropCounters drops = new DropCounters();
        TransportRegistry registry = new TransportRegistry(drops);
        MediaServer media = MediaServer.start(config.bindAddress(), config.mediaPort(), config.ioThreads(),
                registry, drops);
        MediaWorkers workers = new MediaWorkers(config.workerThreads(), drops);
        ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(daemon("signaling-control"));
        // DTLS handshakes block in Bouncy Castle's API: a bounded pool, at most one thread per
        // handshake in flight and a cap on those (docs/operations.md "DTLS handshakes").
        DtlsHandshakes dtls = new DtlsHandshakes(config.dtls());
        AccessConfig accessConfig = config.access();
        AccessControl access = new AccessControl(accessConfig.keys(), accessConfig.allowedOrigins(),
                InstantSource.system());
        SignalingService signaling = new SignalingService(control, dtls, workers, registry, certificate,
                config.advertisedAddresses(), media.port(), events, config.iceTimeout(),
                config.events().qualityInterval(), access, config.limits(), new LimitCounters(), config.repair());
        RelayMetrics metrics = new RelayMetrics();
        registerMetrics(metrics, workers, drops, registry, signaling);
        registerSessionMetrics(metrics, signaling.stats());
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
        registerDtlsMetrics(metrics, dtls);
        registerAccessMetrics(metrics, access);
        if (events instanceof CloudEventEmitter emitter) {
            registerEventMetrics(metrics, emitter);
        }
        Map<String, Supplier<String>> health = Map.of("/healthz", () -> "ok\n");
        Map<String, Supplier<String>> withMetrics = new LinkedHashMap<>(health);
        withMetrics.put("/metrics", metrics::scrape);
        boolean separateMetrics = accessConfig.metricsPort().isPresent();
        HttpServer http = null;
        HttpServer metricsHttp = null;
        try {
            http = HttpServer.start(config.bindAddress(), config.httpPort(), signaling, access,
                    separateMetrics ? health : withMetrics);
            if (separateMetrics) {
                String bind = accessConfig.metricsBind() != null ? accessConfig.metricsBind() : config.bindAddress();
                metricsHttp = HttpServer.startText(bind, accessConfig.metricsPort().getAsInt(), withMetrics);
            }
        } catch (Exception e) {
            if (http != null) {
                http.close();
            }
            control.shutdownNow();
            dtls.close();
            media.close();
            workers.close();
            throw e;
        }
        signaling.start();
        RelayServer server = new RelayServer(media, workers, control, dtls, signaling, http, metricsHttp, drops,
                metrics, events, config.limits().shutdownGrace());
        LOG.info("relay listening: http {} media udp {} advertised {}; /metrics on port {}", http.port(),
                media.port(), config.advertisedAddresses(), server.metricsPort());
        if (access.tokensRequired()) {
            LOG.info("access tokens required; API keys {}; WebSocket origins: {}", accessConfig.keys().keys(),
                    accessConfig.allowedOrigins());
        } else {
            LOG.warn("no API keys: access tokens are NOT required, anyone who reaches port {} can join any room "
                    + "(dev mode; set RELAY_API_KEY and RELAY_API_SECRET for production)", http.port());
        }
        if (!separateMetrics && !config.bindAddress().startsWith("127.")) {
            LOG.info("/metrics is served on the public port {}; production should set --metrics-port", http.port());
        }
        return server;
    }

    private static void registerAccessMetrics(RelayMetrics metrics, AccessControl access) {
        for (RefusalReason reason : RefusalReason.values()) {
            metrics.counter("relay.auth.refused", "Access tokens refused, by reason (docs/signaling.md "
                    + "\"Authentication\")", Tags.of("reason", reason.wireName()), access, a -> a.refused(reason));
        }
        metrics.counter("relay.origin.refused", "WebSocket upgrades refused (HTTP 403) for their Origin header",
                Tags.empty(), access, AccessControl::originsRefused);
    }

    private static void registerMetrics(RelayMetrics metrics, MediaWorkers workers, DropCounters drops,
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
                    RelayServer::cpuSeconds);
            for (MediaEvent event : MediaEvent.values()) {
                metrics.counter(event.metricName(), event.description(), tags, worker, w -> w.count(event));
            }
        }
        for (DropReason reason : DropReason.values()) {
            metrics.counter("relay.packets.dropped", "Datagrams and packets dropped, by reason",
                    Tags.of("reason", reason.name().toLowerCase(java.util.Locale.ROOT)), drops, d -> d.get(reason));
        }
        metrics.counter("relay.signaling.rejected", "Signaling messages answered with an error", Tags.empty(),
                signaling, SignalingService::rejectedMessages);
        metrics.gauge("relay.transports", "ICE/DTLS transports open", Tags.empty(), registry,
                TransportRegistry::size);
        metrics.gauge("relay.rooms", "Rooms open", Tags.empty(), signaling, SignalingService::roomCount);
        metrics.gauge("relay.participants", "Participants joined", Tags.empty(), signaling,
                SignalingService::participantCount);
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
    private static double cpuSeconds(MediaWorker worker) {
        Thread thread = worker.thread();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (thread == null || !threads.isThreadCpuTimeSupported()) {
            return 0;
        }
        long nanos = threads.getThreadCpuTime(thread.getId());
        return nanos < 0 ? 0 : nanos / 1e9;
    }

    /** Joins, leaves, tracks and quality distributions (control thread; nothing per packet). */
    private static void registerSessionMetrics(RelayMetrics metrics, SessionStats stats) {
        metrics.counter("relay.participants.joined", "Participants that joined a room", Tags.empty(), stats,
                SessionStats::joins);
        for (LeaveReason reason : LeaveReason.values()) {
            metrics.counter("relay.participants.left", "Participants that left a room, by reason (ice_failed: "
                    + "ICE consent lost)", Tags.of("reason", reason.wireName()), stats, s -> s.leaves(reason));
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

    private static void registerDtlsMetrics(RelayMetrics metrics, DtlsHandshakes dtls) {
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

    private static void registerEventMetrics(RelayMetrics metrics, CloudEventEmitter emitter) {
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
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    public String scrapeMetrics() {
        return metrics.scrape();
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public int httpPort() {
        return http.port();
    }

    public int mediaPort() {
        return media.port();
    }

    /** The port that serves {@code /metrics}: the metrics port if one is set, else the HTTP port. */
    public int metricsPort() {
        return metricsHttp != null ? metricsHttp.port() : http.port();
    }

    /**
     * Shuts down within the shutdown grace (docs/operations.md "Shutdown"): stops accepting
     * connections, removes every participant (their left events and the rooms' closed events,
     * reason {@code shutdown}), sends every WebSocket a close frame 1001, then flushes session
     * events with what is left of the grace.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        http.stopAccepting();
        try {
            control.submit(signaling::closeAll).get(Math.max(1, remainingMillis(deadline) / 2), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("closing participants failed", e);
        }
        int sockets = http.goAway("going away: relay shutting down",
                Duration.ofMillis(Math.min(2000, remainingMillis(deadline) / 2)));
        LOG.info("shutting down: close frames sent to {} WebSocket(s)", sockets);
        http.close();
        if (metricsHttp != null) {
            metricsHttp.close();
        }
        control.shutdownNow();
        try {
            control.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // After closeAll, so the participants' left and room closed events go out too; after the
        // control thread, so nothing is emitted into closed sinks.
        events.close(Duration.ofMillis(Math.min(EVENTS_FLUSH_TIMEOUT.toMillis(),
                Math.max(0, remainingMillis(deadline) - 500))));
        dtlsHandshakes.close();
        workers.close();
        media.close();
        metrics.close();
    }
}
