package dev.relay.loadgen;

import dev.relay.transport.dtls.DtlsCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run against one server (the relay, or Janus's VideoRoom): connect every peer, wait until
 * every expected stream flows, warm up, measure a window, tear down, and compute the
 * {@link RunReport}.
 *
 * <pre>
 *  connect ──▶ all streams flowing ──▶ warm-up ──▶ [ window: counters, /proc, /metrics ] ──▶ leave
 * </pre>
 */
final class LoadRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadRun.class);
    /** Peers connecting at once: enough to be quick, few enough not to time out the relay's control thread. */
    private static final int CONNECT_CONCURRENCY = 16;
    private static final int DTLS_THREADS = 8;
    static final String WEBSOCKET_BUFFER_PROPERTY = "jdk.httpclient.websocket.intermediateBufferSize";
    private static final long SCRAPE_INTERVAL_MILLIS = 1000;
    /** How long the relay's CPU is sampled before any peer connects. */
    private static final long IDLE_SAMPLE_MILLIS = 2000;

    private final RunConfig config;
    private final Target target;
    private final String localAddress;
    private JanusSession janus;
    private final URI relayUri;
    private final long relayPid;
    private final IoLoop[] loops;
    private final ExecutorService signalingExecutor;
    private final ExecutorService dtlsExecutor;
    private final HttpClient http;
    private final List<SyntheticPeer> peers = new ArrayList<>();

    static {
        // java.net.http cuts a text message into 16 KiB fragments (RFC 6455 §5.4); a browser sends
        // one frame per message. A meeting's subscribeAnswer outgrows 16 KiB at ~20 participants.
        if (System.getProperty(WEBSOCKET_BUFFER_PROPERTY) == null) {
            System.setProperty(WEBSOCKET_BUFFER_PROPERTY, Integer.toString(1 << 20));
        }
    }

    /** Where peers that only receive join, when not at {@link #relayUri} (a second node of a cluster), or null. */
    private URI subscribeUri;
    private long subscribePid = -1;

    /**
     * Peers that only receive join the relay at {@code uri} instead (its pid {@code pid}, -1 if
     * unknown): the room spans two nodes of a cluster. Both relays' CPU time and counters count.
     */
    void subscribeAt(URI uri, long pid) {
        subscribeUri = uri;
        subscribePid = pid;
    }

    LoadRun(RunConfig config, URI relayUri, long relayPid) {
        this(config, Target.RELAY, relayUri, relayPid, "127.0.0.1");
    }

    /**
     * @param serverUri    the relay's HTTP base, or Janus's API base (http://ADDRESS:8088/janus)
     * @param localAddress where the peers' sockets bind: 127.0.0.1, or our end of the namespace's veth
     */
    LoadRun(RunConfig config, Target target, URI serverUri, long serverPid, String localAddress) {
        this.config = config;
        this.target = target;
        this.localAddress = localAddress;
        this.relayUri = serverUri;
        this.relayPid = serverPid;
        this.loops = new IoLoop[config.loops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new IoLoop(i);
            loops[i].start();
        }
        this.signalingExecutor = Executors.newFixedThreadPool(2, daemon("loadgen-signaling"));
        // DtlsSession holds a thread for each handshake in flight (Bouncy Castle's blocking API).
        this.dtlsExecutor = Executors.newFixedThreadPool(DTLS_THREADS, daemon("loadgen-dtls"));
        this.http = HttpClient.newBuilder().executor(signalingExecutor).connectTimeout(Duration.ofSeconds(5)).build();
    }

    RunReport execute() throws IOException, InterruptedException {
        RunReport report = new RunReport(config);
        report.target = target;
        report.relayPid = relayPid;
        long cpuTicksPerSecond = ProcStat.clockTicksPerSecond();
        // One certificate for every peer, as a browser profile has one (generation takes ~200 ms).
        DtlsCertificate certificate = DtlsCertificate.generate();
        String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        List<Scenario.PeerPlan> plan = config.scenario().plan(config.size(), config.rooms(), runId);
        if (target == Target.JANUS) {
            JanusPeer.Context context = janusContext(plan, runId, certificate);
            for (Scenario.PeerPlan p : plan) {
                peers.add(new JanusPeer(p, context));
            }
        } else {
            URI wsUri = URI.create(relayUri.toString().replaceFirst("^http", "ws")).resolve("/ws");
            AtomicInteger loopCounter = new AtomicInteger();
            Peer.Context context = new Peer.Context(http, wsUri, loops, loopCounter, certificate,
                    dtlsExecutor, config, localAddress);
            Peer.Context receivers = subscribeUri == null ? context
                    : new Peer.Context(http, URI.create(subscribeUri.toString().replaceFirst("^http", "ws")).resolve("/ws"),
                            loops, loopCounter, certificate, dtlsExecutor, config, localAddress);
            int spread = 0;
            for (Scenario.PeerPlan p : plan) {
                // Receivers only at the second node; where everyone publishes (a meeting), every other one.
                boolean second = p.publishes() ? p.expectedStreams() > 0 && spread++ % 2 == 1 : true;
                peers.add(new Peer(p, second ? receivers : context));
            }
        }
        report.peers = peers.size();
        report.publishers = (int) plan.stream().filter(Scenario.PeerPlan::publishes).count();
        report.receivers = (int) plan.stream().filter(p -> p.expectedStreams() > 0).count();
        report.streamsExpected = plan.stream().mapToInt(Scenario.PeerPlan::expectedStreams).sum();

        if (relayPid > 0 && IDLE_SAMPLE_MILLIS > 0) {
            // The relay's CPU with no peers: what its threads cost while waiting for work.
            long before = ProcStat.processTicks(relayPid);
            long start = System.nanoTime();
            Thread.sleep(IDLE_SAMPLE_MILLIS);
            long after = ProcStat.processTicks(relayPid);
            if (before >= 0 && after >= 0) {
                report.relayIdleCpuPercent = 100.0 * (after - before) / cpuTicksPerSecond
                        / ((System.nanoTime() - start) / 1e9);
            }
        }
        long connectStart = System.nanoTime();
        long deadline = connectStart + TimeUnit.SECONDS.toNanos(config.connectTimeoutSeconds());
        connectAll(deadline, report);
        if (target == Target.JANUS) {
            subscribeAll(deadline, report);
        }
        awaitStreams(deadline, report);
        report.connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        LOG.info("{} peers connected, {}/{} streams flowing after {} s; warming up {} s", peers.size(),
                report.streamsFlowing, report.streamsExpected, String.format("%.1f", report.connectSeconds),
                config.warmupSeconds());
        Thread.sleep(TimeUnit.SECONDS.toMillis(config.warmupSeconds()));

        // ---- measurement window ----
        long[] machineStart = ProcStat.machineTicks();
        long[] udpStart = ProcStat.udpErrors();
        report.loadAverageStart = ProcStat.loadAverage();
        long selfStart = ProcStat.processTicks(ProcessHandle.current().pid());
        RelaySnapshot relayStart = snapshotRelay();
        long rssMax = ProcStat.rssBytes(relayPid);
        awaitAll(loopCalls(loop -> {
            loop.measuring = true;
            loop.windowStartNanos = System.nanoTime();
            loop.windowBusyStartNanos = loop.busyNanos;
            loop.audioLatency.clear();
            loop.videoLatency.clear();
            for (ClientTransport t : loop.transports()) {
                t.markWindowStart();
            }
            return null;
        }));
        long windowStart = System.nanoTime();
        double heapMax = relayStart.heapUsedBytes();
        long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(config.durationSeconds());
        while (true) {
            long left = windowEnd - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Thread.sleep(Math.min(SCRAPE_INTERVAL_MILLIS, Math.max(1, left / 1_000_000)));
            if (windowEnd - System.nanoTime() > SCRAPE_INTERVAL_MILLIS * 500_000L) {
                rssMax = Math.max(rssMax, ProcStat.rssBytes(relayPid));
                double heap = scrapeHeap();
                if (!Double.isNaN(heap)) {
                    heapMax = Double.isNaN(heapMax) ? heap : Math.max(heapMax, heap);
                }
            }
        }
        List<LoopResult> results = awaitAll(loopCalls(loop -> {
            loop.measuring = false;
            return LoopResult.collect(loop);
        }));
        long windowNanos = System.nanoTime() - windowStart;
        RelaySnapshot relayEnd = snapshotRelay();
        report.serverRssEndBytes = ProcStat.rssBytes(relayPid);
        report.serverRssMaxBytes = Math.max(rssMax, report.serverRssEndBytes);
        long selfEnd = ProcStat.processTicks(ProcessHandle.current().pid());
        long[] machineEnd = ProcStat.machineTicks();
        long[] udpEnd = ProcStat.udpErrors();
        report.loadAverageEnd = ProcStat.loadAverage();
        if (udpStart != null && udpEnd != null) {
            report.udpInErrors = udpEnd[0] - udpStart[0];
            report.udpRcvbufErrors = udpEnd[1] - udpStart[1];
            report.udpSndbufErrors = udpEnd[2] - udpStart[2];
        }

        report.windowSeconds = windowNanos / 1e9;
        report.addLoops(results);
        report.addRelay(relayStart, relayEnd, heapMax, cpuTicksPerSecond);
        if (selfStart >= 0 && selfEnd >= 0) {
            report.loadGeneratorCpuSeconds = (selfEnd - selfStart) / (double) cpuTicksPerSecond;
        }
        if (machineStart != null && machineEnd != null && machineEnd[1] > machineStart[1]) {
            report.machineBusyPercent = 100.0 * (machineEnd[0] - machineStart[0]) / (machineEnd[1] - machineStart[1]);
        }
        for (SyntheticPeer peer : peers) {
            report.signalingErrors += peer.signalingErrors();
            for (String message : peer.errorMessages()) {
                if (report.signalingErrorMessages.size() < 10) {
                    report.signalingErrorMessages.add(peer.name() + ": " + message);
                }
            }
        }
        return report;
    }

    /**
     * One Janus session for the run, a VideoRoom per scenario room (numeric ids from the run id),
     * and the feed ids of each room's publishers, which subscribers ask for by id.
     */
    private JanusPeer.Context janusContext(List<Scenario.PeerPlan> plan, String runId, DtlsCertificate certificate)
            throws IOException, InterruptedException {
        janus = JanusSession.open(http, relayUri, signalingExecutor);
        Map<String, Long> roomIds = new LinkedHashMap<>();
        Map<String, List<Long>> feeds = new HashMap<>();
        long base = (Long.parseLong(runId, 36) % 100_000) * 1000;
        for (Scenario.PeerPlan p : plan) {
            roomIds.computeIfAbsent(p.room(), r -> base + roomIds.size() + 1);
            List<Long> roomFeeds = feeds.computeIfAbsent(p.room(), r -> new ArrayList<>());
            if (p.publishes()) {
                roomFeeds.add(JanusPeer.feedOf(p.index()));
            }
        }
        try {
            long handle = janus.attach(event -> { }).get(30, TimeUnit.SECONDS);
            for (Map.Entry<String, Long> room : roomIds.entrySet()) {
                JanusApi.Reply reply = janus.message(handle,
                        JanusApi.createRoom(room.getValue(), RunConfig.MAX_PEERS),
                        null, null).get(30, TimeUnit.SECONDS);
                if (reply.error() != null || !"created".equals(reply.videoroom())) {
                    throw new IOException("Janus did not create room " + room.getValue() + ": "
                            + JanusSession.describe(reply));
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("Janus did not create the rooms: " + e, e);
        }
        return new JanusPeer.Context(janus, Map.copyOf(roomIds), Map.copyOf(feeds), loops,
                new AtomicInteger(), certificate, dtlsExecutor, config, localAddress);
    }

    /**
     * Janus's subscribers ask for the feeds: once the publishers' transports are up (a feed
     * without media yet has nothing to offer), every receiving peer subscribes, a bounded
     * number at a time.
     */
    private void subscribeAll(long deadline, RunReport report) throws InterruptedException {
        while (System.nanoTime() - deadline < 0) {
            boolean up = true;
            for (SyntheticPeer peer : peers) {
                ClientTransport t = peer.publish;
                if (peer.plan.publishes() && (t == null || !t.isConnected())
                        && (t == null || t.failure() == null)) {
                    up = false;
                    break;
                }
            }
            if (up) {
                break;
            }
            Thread.sleep(50);
        }
        Semaphore inFlight = new Semaphore(CONNECT_CONCURRENCY);
        List<CompletableFuture<Void>> started = new ArrayList<>();
        List<SyntheticPeer> receivers = new ArrayList<>();
        for (SyntheticPeer peer : peers) {
            if (peer.plan.expectedStreams() == 0) {
                continue;
            }
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            CompletableFuture<Void> f = peer.subscribe();
            f.whenComplete((r, e) -> inFlight.release());
            started.add(f);
            receivers.add(peer);
        }
        awaitStarted(started, deadline);
        for (int i = 0; i < started.size(); i++) {
            CompletableFuture<Void> f = started.get(i);
            if ((!f.isDone() || f.isCompletedExceptionally()) && report.failures.size() < 10) {
                report.failures.add(receivers.get(i).name() + " subscribe: " + describe(f));
            }
        }
    }

    /** Starts peers in plan order, a bounded number at a time. */
    private void connectAll(long deadline, RunReport report) throws InterruptedException, IOException {
        Semaphore inFlight = new Semaphore(CONNECT_CONCURRENCY);
        List<CompletableFuture<Void>> started = new ArrayList<>();
        String previousRoom = null;
        java.util.Set<String> opened = new java.util.HashSet<>();
        for (SyntheticPeer peer : peers) {
            // A room's publishers must be in before its viewers; wait at each room's first viewer.
            if (!peer.plan.publishes() && !peer.plan.room().equals(previousRoom)) {
                awaitStarted(started, deadline);
                previousRoom = peer.plan.room();
            }
            // Over two nodes, a room's first peer places it (at the first node) before anyone joins the second.
            boolean first = subscribeUri != null && opened.add(peer.plan.room());
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            CompletableFuture<Void> f = peer.start();
            f.whenComplete((r, e) -> inFlight.release());
            started.add(f);
            if (first) {
                awaitStarted(started, deadline);
            }
        }
        awaitStarted(started, deadline);
        int failed = 0;
        for (int i = 0; i < started.size(); i++) {
            CompletableFuture<Void> f = started.get(i);
            if (!f.isDone() || f.isCompletedExceptionally()) {
                failed++;
                if (report.failures.size() < 10) {
                    report.failures.add(peers.get(i).name() + ": " + describe(f));
                }
            }
        }
        failed += peers.size() - started.size();
        if (failed == peers.size()) {
            throw new IOException("no peer could join the " + target.label() + " at " + relayUri + ": "
                    + (report.failures.isEmpty() ? "timeout" : report.failures.get(0)));
        }
        report.peersFailedToJoin = failed;
    }

    private static void awaitStarted(List<CompletableFuture<Void>> started, long deadline) throws InterruptedException {
        try {
            CompletableFuture.allOf(started.toArray(new CompletableFuture[0]))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Reported per peer by the caller.
        }
    }

    private static String describe(CompletableFuture<Void> f) {
        if (!f.isDone()) {
            return "no answer from the server in time";
        }
        try {
            f.join();
            return "ok";
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getMessage() != null ? cause.getMessage() : cause.toString();
        }
    }

    /** Waits until every publish transport is connected and every receiver gets every stream. */
    private void awaitStreams(long deadline, RunReport report) throws InterruptedException {
        while (true) {
            int flowing = 0;
            int expected = 0;
            int publishing = 0;
            int publishers = 0;
            for (SyntheticPeer peer : peers) {
                expected += peer.plan.expectedStreams();
                ClientTransport subscribe = peer.subscribe;
                if (subscribe != null) {
                    flowing += Math.min(peer.plan.expectedStreams(), subscribe.flowingStreams());
                }
                if (peer.plan.publishes()) {
                    publishers++;
                    ClientTransport publish = peer.publish;
                    if (publish != null && publish.isConnected()) {
                        publishing++;
                    }
                }
            }
            report.streamsFlowing = flowing;
            report.publishersConnected = publishing;
            if ((flowing == expected && publishing == publishers) || System.nanoTime() - deadline >= 0) {
                break;
            }
            Thread.sleep(50);
        }
        if (report.streamsFlowing < report.streamsExpected || report.publishersConnected < report.publishers) {
            for (SyntheticPeer peer : peers) {
                for (ClientTransport t : new ClientTransport[] {peer.publish, peer.subscribe}) {
                    if (t != null && t.failure() != null && report.failures.size() < 10) {
                        report.failures.add(peer.name() + " " + t.role + ": " + t.failure());
                    } else if (t != null && !t.isConnected() && report.failures.size() < 10) {
                        report.failures.add(peer.name() + " " + t.role + ": stuck in " + t.state());
                    }
                }
                if (peer.plan.expectedStreams() > 0 && peer.subscribe == null && report.failures.size() < 10) {
                    report.failures.add(peer.name() + (target == Target.JANUS ? ": no subscription offer from Janus"
                            : ": no subscribeOffer from the relay"));
                }
            }
            LOG.warn("only {}/{} streams flowing and {}/{} publishers connected after {} s; measuring anyway",
                    report.streamsFlowing, report.streamsExpected, report.publishersConnected, report.publishers,
                    config.connectTimeoutSeconds());
        }
    }

    private <T> List<CompletableFuture<T>> loopCalls(java.util.function.Function<IoLoop, T> task) {
        List<CompletableFuture<T>> calls = new ArrayList<>();
        for (IoLoop loop : loops) {
            calls.add(loop.call(() -> task.apply(loop)));
        }
        return calls;
    }

    private static <T> List<T> awaitAll(List<CompletableFuture<T>> calls) throws InterruptedException {
        List<T> out = new ArrayList<>();
        for (CompletableFuture<T> call : calls) {
            try {
                out.add(call.get(10, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("a load generator I/O loop did not answer", e);
            }
        }
        return out;
    }

    private RelaySnapshot snapshotRelay() {
        long ticks = relayPid > 0 ? ProcStat.processTicks(relayPid) : -1;
        String metrics = scrape();
        if (subscribeUri != null) {
            long more = subscribePid > 0 ? ProcStat.processTicks(subscribePid) : -1;
            ticks = ticks >= 0 && more >= 0 ? ticks + more : -1;
            metrics = metrics + "\n" + scrape(subscribeUri);
        }
        long now = System.nanoTime();
        return RelaySnapshot.of(now, ticks, metrics);
    }

    private double scrapeHeap() {
        String text = scrape();
        return text.isEmpty() ? Double.NaN
                : PrometheusText.parse(text).sum("jvm_memory_used_bytes", l -> "heap".equals(l.get("area")));
    }

    private String scrape() {
        if (target != Target.RELAY) {
            // Janus has no Prometheus endpoint; its CPU and RSS come from /proc.
            return "";
        }
        return scrape(relayUri);
    }

    private String scrape(URI relayUri) {
        try {
            HttpRequest request = HttpRequest.newBuilder(relayUri.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            LOG.warn("cannot scrape {}: {}", relayUri.resolve("/metrics"), e.toString());
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Leaves the rooms, closes every transport and stops the threads. */
    @Override
    public void close() {
        for (IoLoop loop : loops) {
            loop.execute(() -> {
                for (ClientTransport t : loop.transports()) {
                    t.leave();
                }
            });
        }
        List<CompletableFuture<Void>> leaving = new ArrayList<>();
        for (SyntheticPeer peer : peers) {
            leaving.add(peer.leave());
        }
        try {
            CompletableFuture.allOf(leaving.toArray(new CompletableFuture[0])).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("not every peer got 'left' in time", e);
        }
        for (SyntheticPeer peer : peers) {
            peer.abort();
        }
        for (IoLoop loop : loops) {
            loop.stop();
        }
        for (IoLoop loop : loops) {
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (janus != null) {
            janus.close();
        }
        dtlsExecutor.shutdownNow();
        signalingExecutor.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
