package dev.relay.signaling;

import dev.relay.metrics.RelayMetrics;
import dev.relay.sfu.MediaWorker;
import dev.relay.sfu.MediaWorkers;
import dev.relay.signaling.auth.AccessControl;
import dev.relay.signaling.cluster.ClusterMembership;
import dev.relay.signaling.events.CloudEventEmitter;
import dev.relay.signaling.events.SessionEvents;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.relay.transport.DropCounters;
import dev.relay.transport.MediaServer;
import dev.relay.transport.TcpMediaServer;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import dev.relay.transport.srtp.SrtpSession;
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

    private final MediaServer media;
    /** The ICE-TCP listener, or null when it is off. */
    private final TcpMediaServer tcp;
    /** This relay's place in a cluster, or null on its own. */
    private final ClusterMembership cluster;
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
    private final Duration drainTimeout;

    private RelayServer(MediaServer media, TcpMediaServer tcp, ClusterMembership cluster, MediaWorkers workers, ExecutorService control,
                        DtlsHandshakes dtlsHandshakes, SignalingService signaling, HttpServer http,
                        HttpServer metricsHttp, DropCounters drops, RelayMetrics metrics, SessionEvents events,
                        Duration shutdownGrace, Duration drainTimeout) {
        this.shutdownGrace = shutdownGrace;
        this.drainTimeout = drainTimeout;
        this.metrics = metrics;
        this.events = events;
        this.media = media;
        this.tcp = tcp;
        this.cluster = cluster;
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
        TcpMediaServer tcp = null;
        if (config.mediaTcpPort() != RelayConfig.NO_TCP) {
            try {
                tcp = TcpMediaServer.start(config.bindAddress(), config.mediaTcpPort(), config.ioThreads(), registry,
                        drops);
            } catch (RuntimeException | InterruptedException e) {
                media.close();
                throw e;
            }
        }
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
                config.events().qualityInterval(), access, config.limits(), new LimitCounters(), config.repair(),
                tcp == null ? RelayConfig.NO_TCP : tcp.port(), config.turn());
        RelayMetrics metrics = new RelayMetrics();
        RelayMeters.register(metrics, media, tcp, workers, drops, registry, signaling, dtls, access, events,
                TurnAddresses.resolve(config.turn()));
        // Liveness stays 200 while draining (the process is fine); readiness turns 503 so that
        // load balancers and Kubernetes send no new clients to a relay that refuses joins.
        Map<String, Supplier<HttpServer.Text>> health = Map.of(
                "/healthz", () -> HttpServer.Text.ok("ok\n"),
                "/readyz", () -> signaling.draining()
                        ? new HttpServer.Text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n")
                        : HttpServer.Text.ok("ready\n"));
        Map<String, Supplier<HttpServer.Text>> withMetrics = new LinkedHashMap<>(health);
        withMetrics.put("/metrics", () -> HttpServer.Text.ok(metrics.scrape()));
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
            closeStarted(http, null, control, dtls, media, tcp, workers);
            throw e;
        }
        ClusterMembership cluster = null;
        if (config.cluster().enabled()) {
            try {
                cluster = new ClusterMembership(config.cluster(), signaling::participantCount,
                        () -> workers.workers().stream().mapToLong(MediaWorker::packetsOut).sum(),
                        () -> workers.workers().stream().mapToLong(RelayMeters::cpuNanos).sum(),
                        signaling::openRoomNames, signaling::roomMoved,
                        config.cluster().pipes() ? RoomPipes.pipeUrl(config.cluster().pipeAddress(), http.port()) : null);
            } catch (RuntimeException e) {
                // Redis unreachable at start: stop rather than run as a node nobody can find.
                closeStarted(http, metricsHttp, control, dtls, media, tcp, workers);
                throw e;
            }
            signaling.cluster(cluster);
            if (config.cluster().pipes()) {
                signaling.pipes(config.cluster(), () -> media.openPipe(config.bindAddress(), drops));
            }
        }
        signaling.start();
        if (cluster != null) {
            cluster.start();
        }
        RelayServer server = new RelayServer(media, tcp, cluster, workers, control, dtls, signaling, http, metricsHttp,
                drops, metrics, events, config.limits().shutdownGrace(), config.limits().drainTimeout());
        LOG.info("relay listening: http {} media udp {} tcp {} advertised {}; /metrics on port {}", http.port(),
                media.port(), tcp == null ? "off" : tcp.port(), config.advertisedAddresses(), server.metricsPort());
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

    /** What {@link #start} had started when a later step failed; null parts were not started. */
    private static void closeStarted(HttpServer http, HttpServer metricsHttp, ExecutorService control,
                                     DtlsHandshakes dtls, MediaServer media, TcpMediaServer tcp, MediaWorkers workers) {
        if (http != null) {
            http.close();
        }
        if (metricsHttp != null) {
            metricsHttp.close();
        }
        control.shutdownNow();
        dtls.close();
        // Workers first: they send on the UDP sockets' descriptors themselves (DatagramBatch).
        workers.close();
        media.close();
        if (tcp != null) {
            tcp.close();
        }
    }

    /** Until the last participant leaves or the drain timeout passes; the sockets stay open meanwhile. */
    private void awaitDrained() {
        if (drainTimeout.isZero()) {
            return;
        }
        long drainStart = System.nanoTime();
        long end = drainStart + drainTimeout.toNanos();
        LOG.info("draining: refusing joins for up to {} while {} participant(s) finish", drainTimeout,
                signaling.participantCount());
        while (signaling.participantCount() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("drained in {} ms; {} participant(s) left to close", (System.nanoTime() - drainStart) / 1_000_000,
                signaling.participantCount());
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

    /** The ICE-TCP port, or {@link RelayConfig#NO_TCP} when ICE-TCP is off. */
    public int mediaTcpPort() {
        return tcp == null ? RelayConfig.NO_TCP : tcp.port();
    }

    /** The port that serves {@code /metrics}: the metrics port if one is set, else the HTTP port. */
    public int metricsPort() {
        return metricsHttp != null ? metricsHttp.port() : http.port();
    }

    /** True once {@link #close} has begun: joins are refused and {@code /readyz} answers 503. */
    public boolean draining() {
        return signaling.draining();
    }

    /**
     * Drains, then shuts down within the shutdown grace (docs/operations.md "Shutdown"): refuses
     * new joins ({@code draining}, {@code /readyz} 503) for up to the drain timeout or until no
     * participant is left; then stops accepting connections, removes every participant (their
     * left events and the rooms' closed events, reason {@code shutdown}), sends every WebSocket a
     * close frame 1001, then flushes session events with what is left of the grace.
     */
    @Override
    public void close() {
        signaling.drain();
        if (cluster != null) {
            // Out of the registry first: no new rooms are placed here, and this node's rooms are free.
            cluster.close();
        }
        awaitDrained();
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
        // Workers before sockets: workers send on the UDP sockets' descriptors themselves.
        workers.close();
        media.close();
        if (tcp != null) {
            tcp.close();
        }
        metrics.close();
    }
}
