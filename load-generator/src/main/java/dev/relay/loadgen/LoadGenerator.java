package dev.relay.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Command-line entry point: starts N publishers and M subscribers as real WebRTC peers of the
 * relay (WebSocket signaling, ICE, DTLS client, SRTP), sends synthetic Opus and VP8 at real
 * rates, and reports loss, one-way latency through the relay, and the relay's CPU, heap and GC.
 * With {@code --target janus} the same peers load Janus's VideoRoom instead ({@link JanusPeer}),
 * and with {@code --target both} the relay and then Janus, each in a {@link NetNamespace} of its
 * own, followed by a {@link Comparison}. With {@code --sweep} it makes such a run per swept value
 * and server and ends with {@link Curves} and their {@link CurvePlot}.
 *
 * <p>Exit status: 0 when every expected stream flowed, 3 when the report was made but some
 * streams never flowed (a sweep: some point is off its curve), 1 when the run could not be made,
 * 2 on bad options.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load generator for the relay: synthetic WebRTC peers over loopback (or, with --target"
                + " janus|both or --netns, over a veth pair into a network namespace).",
                "By default it starts the relay as a child process (signaling/target/relay.jar) on free"
                        + " 127.0.0.1 ports, so the relay's CPU can be read from /proc."})
public final class LoadGenerator implements Callable<Integer> {
    /** Scenario names on the command line: broadcast, meeting, audio. */
    public enum ScenarioName { broadcast, meeting, audio }

    /** Servers on the command line: relay, janus, or both in turn. */
    public enum TargetName {
        relay, janus, both;

        List<Target> targets() {
            return switch (this) {
                case relay -> List.of(Target.RELAY);
                case janus -> List.of(Target.JANUS);
                case both -> List.of(Target.RELAY, Target.JANUS);
            };
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", description = "broadcast (1 publisher -> subscribers), meeting (everyone"
            + " publishes audio+video), audio (audio-only meeting). Default: ${DEFAULT-VALUE}.")
    ScenarioName scenario = ScenarioName.broadcast;

    @Option(names = "--target", description = "relay: a child relay on 127.0.0.1 (or --relay). janus: Janus 1.1"
            + " (/usr/bin/janus) with its VideoRoom plugin, started in a network namespace of its own with a veth"
            + " pair to the peers. both: the relay, then Janus, each alone in its own namespace the same way, then"
            + " a side-by-side table (egress packets per CPU-second, loss, latency, RSS, relay/janus ratios)."
            + " janus and both need root. Default: ${DEFAULT-VALUE}.")
    TargetName target = TargetName.relay;

    @Option(names = "--janus-event-loops", description = "Janus's event_loops: handles share this many media"
            + " threads. Default: 0, Janus's own default of a thread per handle.")
    int janusEventLoops;

    @Option(names = "--ice-tcp", description = "Every peer connects to the relay's passive ICE-TCP candidate"
            + " (RFC 6544; RFC 4571 framing, one TCP connection per PeerConnection, TCP_NODELAY) instead of its UDP"
            + " one: the path of a browser whose network blocks UDP. ICE, DTLS, SRTP and the report are the same."
            + " Relay only (not with --target janus|both).")
    boolean iceTcp;

    @Option(names = "--netns", description = "Run the child relay in a network namespace of its own with a veth"
            + " pair, as --target both does (needs root).")
    boolean netns;

    @Option(names = "--subscribers", description = "Subscribers per room (broadcast). Default: 10.")
    Integer subscribers;

    @Option(names = "--participants", description = "Participants per room (meeting: default 10, audio: default 20).")
    Integer participants;

    @Option(names = "--rooms", description = "Independent rooms of the scenario. Default: ${DEFAULT-VALUE}.")
    int rooms = 1;

    @Option(names = "--duration", description = "Measurement window in seconds, at most 300. Default: ${DEFAULT-VALUE}.")
    int duration = 20;

    /**
     * A JVM relay is still compiling its paths for a while after the streams flow: with 3 s the
     * C2 compiler thread was about a third of the relay's CPU in the window at 1 -> 200; 20 s
     * measures the steady state a long-running relay is in (docs/benchmarks.md).
     */
    @Option(names = "--warmup", description = "Seconds after every stream flows that are not measured. Default: ${DEFAULT-VALUE}.")
    int warmup = 20;

    @Option(names = "--video-bitrate", description = "Video bitrate per publisher in kbit/s. Default: ${DEFAULT-VALUE}.")
    int videoBitrate = 1000;

    @Option(names = "--keyframe-interval", description = "Seconds between periodic keyframes. Default: ${DEFAULT-VALUE}.")
    double keyframeInterval = 3.0;

    @Option(names = "--pacing", description = "Video packets leave at this multiple of the bitrate, like libwebrtc's"
            + " pacer (2.5); 0 sends each frame as one burst. Default: ${DEFAULT-VALUE}.")
    double pacing = 2.5;

    @Option(names = "--relay", description = "Use a running relay at this http://127.0.0.1:PORT instead of starting one.")
    URI relay;

    @Option(names = "--relay-pid", description = "Pid of the --relay process, for its CPU time from /proc.")
    long relayPid = -1;

    @Option(names = "--subscribe-relay", description = "With --relay: peers that only receive (and in a meeting every "
            + "other participant) join this other running relay, a node of the same cluster, so the room spans the two "
            + "(docs/scale-out.md \"Rooms across nodes\"): the cost of a pipe. Its CPU (--subscribe-relay-pid) counts "
            + "with the first's.")
    URI subscribeRelay;

    @Option(names = "--subscribe-relay-pid", description = "Pid of the --subscribe-relay process.")
    long subscribeRelayPid = -1;

    @Option(names = "--relay-workers", description = "--workers of the child relay (default: the relay's).")
    Integer relayWorkers;

    @Option(names = "--relay-io-threads", description = "--io-threads of the child relay (default: the relay's).")
    Integer relayIoThreads;

    @Option(names = "--relay-jar", description = "Relay jar to start. Default: signaling/target/relay.jar.")
    Path relayJar;

    @Option(names = "--relay-jvm-arg", description = "Extra JVM argument for the child relay (repeatable), e.g. -Xmx512m.")
    List<String> relayJvmArgs = new ArrayList<>();

    @Option(names = "--relay-log", description = "File for the child relay's output. Default: a file under the system temp dir.")
    Path relayLog;

    @Option(names = "--loops", description = "Load generator I/O threads. Default: ${DEFAULT-VALUE}.")
    int loops = 2;

    @Option(names = "--decrypt-every", description = "Decrypt every n-th packet of a stream for latency (1 = all)."
            + " Loss is counted on every packet. Default: ${DEFAULT-VALUE}.")
    int decryptEvery = 1;

    @Option(names = "--connect-timeout", description = "Seconds allowed for every peer to connect and every stream to"
            + " flow. Default: ${DEFAULT-VALUE}.")
    int connectTimeout = 60;

    @Option(names = "--json", description = "Also print the report as one JSON object on the last line.")
    boolean json;

    @Option(names = "--sweep", paramLabel = "KEY=V1,V2,...", description = "One run per value and per server"
            + " of --target (a fresh server each, as a single run), then a table and a plot of egress packets per"
            + " server CPU-second against the value. KEY: subscribers (a broadcast room of 1 publisher -> N),"
            + " participants (a meeting/audio room of N), rooms (N rooms of the scenario at its size; 'rooms of 5'"
            + " is --scenario meeting --participants 5: 5 people each sending audio+video to the 4 others)."
            + " A point whose streams do not all flow is reported as FAILED, drawn as a gap, and the sweep goes"
            + " on. E.g. --sweep subscribers=50,200,400,800.")
    String sweep;

    @Option(names = "--plot", paramLabel = "FILE", description = "PNG the sweep draws; a .txt of its table is"
            + " written beside it. Default: target/loadgen-curves-KEY.png.")
    Path plot;

    @Option(names = "--api-key", description = "The relay's API key: each peer joins with an access token signed "
            + "with it, and a child relay gets it (env RELAY_API_KEY). Default: none (a dev-mode relay).")
    String apiKey = envOr("RELAY_API_KEY");

    @Option(names = "--api-secret", description = "Secret of --api-key (env RELAY_API_SECRET; prefer the variable: a"
            + " command line is visible to other users).")
    String apiSecret = envOr("RELAY_API_SECRET");

    private static String envOr(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }

    private RunReport report;
    private List<RunReport> reports = List.of();

    /** jitsi-srtp logs through java.util.logging; keep its start-up chatter off the report's terminal. */
    private static final java.util.logging.Logger JITSI_LOG = java.util.logging.Logger.getLogger("org.jitsi");

    public static void main(String[] args) {
        JITSI_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    /** The report of the last run, or null; for tests. */
    RunReport report() {
        return report;
    }

    /** Every server's report of the last run, in run order; for tests. */
    List<RunReport> reports() {
        return reports;
    }

    @Override
    public Integer call() throws Exception {
        if (sweep != null) {
            return callSweep();
        }
        if (plot != null) {
            throw bad("--plot goes with --sweep");
        }
        RunConfig config = validate(null, 0);
        List<Target> targets = target.targets();
        if (!canRun(targets)) {
            return 1;
        }
        boolean namespaced = netns || targets.contains(Target.JANUS);
        List<RunReport> done = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            RunReport one = runOne(config, targets.get(i), namespaced, i);
            if (one == null) {
                return 1;
            }
            done.add(one);
            if (targets.size() > 1) {
                System.out.println("== " + one.target.label() + " ==");
            }
            System.out.print(one.toText());
            System.out.flush();
        }
        reports = done;
        report = done.get(done.size() - 1);
        Comparison comparison = null;
        if (done.size() > 1) {
            List<Comparison.Row> rows = new ArrayList<>();
            for (RunReport r : done) {
                rows.add(Comparison.Row.of(r));
            }
            comparison = new Comparison(rows);
            System.out.println();
            System.out.print(comparison.toText());
        }
        if (config.json()) {
            if (comparison == null) {
                System.out.println(report.toJson().toString());
            } else {
                com.fasterxml.jackson.databind.node.ObjectNode all = comparison.toJson();
                com.fasterxml.jackson.databind.node.ArrayNode runs = all.putArray("runs");
                done.forEach(r -> runs.add(r.toJson()));
                System.out.println(all.toString());
            }
        }
        System.out.flush();
        boolean flowing = done.stream().allMatch(RunReport::allStreamsFlowing);
        return flowing ? 0 : 3;
    }

    /** False, with the reason on stderr, when a target cannot run on this machine. */
    private boolean canRun(List<Target> targets) {
        String reason = unavailableReason(targets);
        if (reason != null) {
            System.err.println("loadgen: --target " + target + " cannot run here: " + reason);
            return false;
        }
        return true;
    }

    /** Why the servers cannot be started in namespaces here, or null when they can (or need none). */
    private String unavailableReason(List<Target> targets) {
        if (targets.contains(Target.JANUS)) {
            return JanusProcess.unavailableReason();
        }
        return netns ? NetNamespace.unavailableReason() : null;
    }

    /**
     * {@code --sweep}: every point is validated first (a bad point fails the sweep before any
     * peer starts), then each point runs against each server in turn exactly as a single run
     * does, with a server of its own. A point that fails stays in the table and the sweep goes on.
     */
    private Integer callSweep() throws InterruptedException {
        Sweep spec;
        try {
            spec = Sweep.parse(sweep);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (relay != null) {
            throw bad("--sweep starts a fresh server per point: it does not go with --relay");
        }
        List<RunConfig> configs = new ArrayList<>();
        for (int value : spec.values()) {
            configs.add(validate(spec.parameter(), value));
        }
        List<Target> targets = target.targets();
        if (!canRun(targets)) {
            return 1;
        }
        boolean namespaced = netns || targets.contains(Target.JANUS);
        List<Curves.Point> points = new ArrayList<>();
        List<RunReport> done = new ArrayList<>();
        for (int p = 0; p < configs.size(); p++) {
            int value = spec.values().get(p);
            for (int i = 0; i < targets.size(); i++) {
                Target server = targets.get(i);
                System.out.println("== " + spec.parameter().label() + "=" + value + ", " + server.label() + " ==");
                RunReport one;
                try {
                    one = runOne(configs.get(p), server, namespaced, i);
                } catch (RuntimeException e) {
                    // One point's failure is a result of the sweep, not the end of it.
                    System.err.println("loadgen: " + server.label() + " at " + spec.parameter().label() + "=" + value
                            + ": " + e);
                    one = null;
                }
                if (one == null) {
                    points.add(Curves.Point.notRun(value, server.label(), "the run could not be made (see above)"));
                    continue;
                }
                done.add(one);
                System.out.print(one.toText());
                System.out.flush();
                points.add(Curves.Point.of(value, one));
            }
        }
        reports = done;
        report = done.isEmpty() ? null : done.get(done.size() - 1);
        Curves curves = new Curves(spec, sweepScenarioLabel(configs.get(0), spec.parameter()),
                Curves.labels(targets), points);
        String table = curves.toText();
        System.out.println();
        System.out.print(table);
        Path png = plot != null ? plot : Path.of("target", "loadgen-curves-" + spec.parameter().label() + ".png");
        String name = png.getFileName().toString();
        Path txt = png.resolveSibling((name.endsWith(".png") ? name.substring(0, name.length() - 4) : name) + ".txt");
        try {
            CurvePlot.write(curves, png);
            Files.writeString(txt, table, StandardCharsets.UTF_8);
            System.out.println("plot " + png.toAbsolutePath() + ", table " + txt.toAbsolutePath());
        } catch (IOException e) {
            System.err.println("loadgen: could not write the plot " + png + ": " + e.getMessage());
            return 1;
        }
        if (json) {
            System.out.println(curves.toJson().toString());
        }
        System.out.flush();
        return curves.allOnCurve() ? 0 : 3;
    }

    /** What one room of the sweep is, for the table's and the plot's titles. */
    private static String sweepScenarioLabel(RunConfig config, Sweep.Parameter parameter) {
        return switch (parameter) {
            case SUBSCRIBERS -> "broadcast, " + config.rooms() + " room(s) of 1 publisher -> N subscribers";
            case PARTICIPANTS -> config.scenario().label() + ", " + config.rooms() + " room(s) of N participants";
            case ROOMS -> config.scenario().label() + ", N rooms of " + (config.scenario() == Scenario.BROADCAST
                    ? "1 publisher -> " + config.size() + " subscribers" : config.size() + " participants");
        };
    }

    /**
     * One run against one server: its namespace (if any), the server, the peers, and the report;
     * everything is torn down before it returns, also on failure, and by a shutdown hook on
     * Ctrl-C. Returns null when the run could not be made (the reason is on stderr).
     */
    private RunReport runOne(RunConfig config, Target server, boolean namespaced, int index)
            throws InterruptedException {
        NetNamespace ns = null;
        ServerProcess child = null;
        Thread hook = null;
        URI serverUri = config.relayUri();
        long pid = config.relayPid();
        LoadRun run = null;
        RunReport result = null;
        String localAddress = "127.0.0.1";
        String network = "loopback";
        // Ctrl-C must not leave a server or a namespace behind.
        AtomicReference<ServerProcess> childRef = new AtomicReference<>();
        AtomicReference<NetNamespace> nsRef = new AtomicReference<>();
        hook = new Thread(() -> {
            ServerProcess c = childRef.get();
            if (c != null) {
                c.close();
            }
            NetNamespace n = nsRef.get();
            if (n != null) {
                n.close();
            }
        }, "loadgen-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (namespaced && serverUri == null) {
                ns = NetNamespace.create(index);
                nsRef.set(ns);
                localAddress = ns.plan().hostAddress();
                network = "namespace " + ns.plan().name() + ", veth " + ns.plan().hostAddress() + " <-> "
                        + ns.plan().serverAddress();
            }
            if (server == Target.JANUS) {
                Path log = logFor(config.relayLog(), "janus");
                System.err.println("starting janus in " + network + ", log " + log);
                child = JanusProcess.start(ns.plan(), log, janusEventLoops);
            } else if (serverUri == null) {
                Path log = namespaced ? logFor(config.relayLog(), "relay") : config.relayLog();
                System.err.println("starting relay " + config.relayJar() + " (" + network + "), log " + log);
                child = RelayProcess.start(config.relayJar(), config.relayWorkers(), config.relayIoThreads(),
                        config.relayJvmArgs(), log,
                        config.tokens() == null ? Map.of() : config.tokens().relayEnvironment(),
                        ns == null ? null : ns.plan());
            }
            if (child != null) {
                childRef.set(child);
                serverUri = child.httpUri();
                pid = child.pid();
            }
            run = new LoadRun(config, server, serverUri, pid, localAddress);
            if (subscribeRelay != null) {
                run.subscribeAt(subscribeRelay.resolve("/").normalize(), subscribeRelayPid);
            }
            result = run.execute();
            result.network = network;
            result.janusOptions = janusEventLoops == 0 ? "event_loops default: a thread per handle"
                    : "event_loops " + janusEventLoops;
        } catch (IOException e) {
            System.err.println("loadgen: " + server.label() + ": " + e.getMessage());
            return null;
        } finally {
            if (child != null && !child.isAlive() && result != null) {
                result.failures.add("the " + server.label() + " process exited during the run; its log ends with:\n"
                        + ServerProcess.tail(child.log(), 10));
            }
            if (run != null) {
                run.close();
            }
            if (child != null) {
                child.close();
            }
            if (ns != null) {
                ns.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook does the same.
            }
        }
        if (child != null) {
            result.relayLog = child.log().toString();
            result.relayCommand = child.command();
            scanServerLog(child.log(), result, server);
        }
        return result;
    }

    /** The log of one server of a namespaced run: --relay-log with the server's name, or a temp file. */
    private static Path logFor(Path relayLog, String server) {
        String name = relayLog.getFileName().toString();
        String stem = name.endsWith(".log") ? name.substring(0, name.length() - 4) : name;
        return relayLog.resolveSibling(stem.replace("loadgen-relay", "loadgen") + "-" + server + ".log");
    }

    /**
     * The run's configuration from the options; with a sweep, {@code swept} (subscribers,
     * participants or rooms) is {@code value} instead of its option, which must then be unset.
     */
    private RunConfig validate(Sweep.Parameter swept, int value) {
        Scenario s = Scenario.valueOf(scenario.name().toUpperCase(java.util.Locale.ROOT));
        Integer subscribers = this.subscribers;
        Integer participants = this.participants;
        int rooms = this.rooms;
        if (swept != null) {
            boolean set = switch (swept) {
                case SUBSCRIBERS -> subscribers != null;
                case PARTICIPANTS -> participants != null;
                case ROOMS -> spec.commandLine().getParseResult().hasMatchedOption("--rooms");
            };
            if (set) {
                throw bad("--" + swept.label() + " is what --sweep " + swept.label() + "=... varies; leave it out");
            }
            if (swept == Sweep.Parameter.SUBSCRIBERS && s != Scenario.BROADCAST) {
                throw bad("--sweep subscribers=... is for --scenario broadcast");
            }
            if (swept == Sweep.Parameter.PARTICIPANTS && s == Scenario.BROADCAST) {
                throw bad("--sweep participants=... is for --scenario meeting or audio");
            }
            switch (swept) {
                case SUBSCRIBERS -> subscribers = value;
                case PARTICIPANTS -> participants = value;
                case ROOMS -> rooms = value;
                default -> throw new IllegalStateException(swept.name());
            }
        }
        int size;
        if (s == Scenario.BROADCAST) {
            if (participants != null) {
                throw bad("--participants is for meeting/audio; a broadcast takes --subscribers");
            }
            size = subscribers == null ? 10 : subscribers;
        } else {
            if (subscribers != null) {
                throw bad("--subscribers is for broadcast; " + s.label() + " takes --participants");
            }
            size = participants == null ? (s == Scenario.MEETING ? 10 : 20) : participants;
        }
        if (size < s.minimumSize()) {
            throw bad(s.label() + " needs a size of at least " + s.minimumSize());
        }
        if (rooms < 1) {
            throw bad("--rooms must be at least 1");
        }
        long peers = (long) s.peersPerRoom(size) * rooms;
        if (peers > RunConfig.MAX_PEERS) {
            throw bad(peers + " peers requested; the load generator caps a run at " + RunConfig.MAX_PEERS);
        }
        if (duration < 1 || duration > RunConfig.MAX_DURATION_SECONDS) {
            throw bad("--duration must be 1.." + RunConfig.MAX_DURATION_SECONDS + " seconds");
        }
        if (warmup < 0 || warmup > 60) {
            throw bad("--warmup must be 0..60 seconds");
        }
        if (videoBitrate < 50 || videoBitrate > 20_000) {
            throw bad("--video-bitrate must be 50..20000 kbit/s");
        }
        if (keyframeInterval < 0.5 || keyframeInterval > 60) {
            throw bad("--keyframe-interval must be 0.5..60 seconds");
        }
        if (pacing != 0 && (pacing < 1 || pacing > 100)) {
            throw bad("--pacing must be 0 (burst) or 1..100");
        }
        if (loops < 1 || loops > 16) {
            throw bad("--loops must be 1..16");
        }
        if (decryptEvery < 1) {
            throw bad("--decrypt-every must be at least 1");
        }
        if (connectTimeout < 5 || connectTimeout > 600) {
            throw bad("--connect-timeout must be 5..600 seconds");
        }
        if (janusEventLoops < 0 || janusEventLoops > 64) {
            throw bad("--janus-event-loops must be 0..64");
        }
        if (iceTcp && target != TargetName.relay) {
            throw bad("--ice-tcp is for --target relay: the load generator drives Janus over UDP only");
        }
        if (relay != null && (target != TargetName.relay || netns)) {
            throw bad("--relay (a running relay) goes with --target relay only, without --netns");
        }
        if (relay != null) {
            checkLoopback(relay);
            if (relayWorkers != null || relayIoThreads != null || relayJar != null || !relayJvmArgs.isEmpty()) {
                throw bad("--relay-workers/--relay-io-threads/--relay-jar/--relay-jvm-arg apply to a child relay,"
                        + " not to --relay");
            }
        } else if (relayPid > 0) {
            throw bad("--relay-pid needs --relay");
        }
        if (subscribeRelay != null) {
            if (relay == null) {
                throw bad("--subscribe-relay needs --relay");
            }
            checkLoopback(subscribeRelay);
        } else if (subscribeRelayPid > 0) {
            throw bad("--subscribe-relay-pid needs --subscribe-relay");
        }
        Path jar = relayJar != null ? relayJar : defaultRelayJar();
        Path log = relayLog != null ? relayLog : Path.of(System.getProperty("java.io.tmpdir"),
                "loadgen-relay-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".log");
        if (swept != null) {
            // A log per point, so that one point's server does not overwrite the last one's.
            String name = log.getFileName().toString();
            String stem = name.endsWith(".log") ? name.substring(0, name.length() - 4) : name;
            log = log.resolveSibling(stem + "-" + swept.label() + value + ".log");
        }
        return new RunConfig(s, size, rooms, duration, warmup, videoBitrate, keyframeInterval, pacing, loops,
                decryptEvery,
                connectTimeout, relay == null ? null : relay.resolve("/").normalize(), relayPid, jar, relayWorkers,
                relayIoThreads, List.copyOf(relayJvmArgs), log, json, tokens(), iceTcp);
    }

    private PeerTokens tokens() {
        try {
            return PeerTokens.of(apiKey, apiSecret);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    /** Everything goes to 127.0.0.1: refuse to load anything else. */
    private void checkLoopback(URI uri) {
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
            throw bad("--relay must look like http://127.0.0.1:8080");
        }
        try {
            if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                throw bad("--relay must be on loopback (127.0.0.1): the load generator never sends elsewhere");
            }
        } catch (UnknownHostException e) {
            throw bad("unknown host in --relay: " + uri.getHost());
        }
    }

    /** signaling/target/relay.jar from the repository root (bin/loadgen) or from this module's directory (tests). */
    static Path defaultRelayJar() {
        Path fromRoot = Path.of("signaling", "target", "relay.jar");
        if (Files.isRegularFile(fromRoot)) {
            return fromRoot;
        }
        Path fromModule = Path.of("..", "signaling", "target", "relay.jar");
        return Files.isRegularFile(fromModule) ? fromModule.normalize() : fromRoot;
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * Counts the server's WARN and ERROR lines (Janus: its [WARN] and [ERR] lines) and keeps the
     * first few distinct ones for the report.
     */
    private static void scanServerLog(Path log, RunReport report, Target server) {
        String text;
        try {
            text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return;
        }
        List<String> seen = new ArrayList<>();
        for (String line : text.split("\n")) {
            boolean warning = server == Target.JANUS ? line.contains("[WARN]") || line.contains("[ERR]")
                    : line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("Exception")
                            || line.contains("Exception in thread");
            if (warning && line.contains("has been disabled, skipping")) {
                // Janus names each module the generated janus.jcfg disables: by design.
                warning = false;
            }
            if (warning) {
                report.relayWarnings++;
                // Distinct by message shape: drop the timestamp and digits.
                String shape = line.replaceAll("\\d+", "#");
                if (!seen.contains(shape) && report.relayWarningLines.size() < 8) {
                    seen.add(shape);
                    report.relayWarningLines.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                }
            }
        }
    }
}
