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
 *
 * <p>Exit status: 0 when every expected stream flowed, 3 when the report was made but some
 * streams never flowed, 1 when the run could not be made, 2 on bad options.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load generator for the relay: synthetic WebRTC peers over loopback.",
                "By default it starts the relay as a child process (signaling/target/relay.jar) on free"
                        + " 127.0.0.1 ports, so the relay's CPU can be read from /proc."})
public final class LoadGenerator implements Callable<Integer> {
    /** Scenario names on the command line: broadcast, meeting, audio. */
    public enum ScenarioName { broadcast, meeting, audio }

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", description = "broadcast (1 publisher -> subscribers), meeting (everyone"
            + " publishes audio+video), audio (audio-only meeting). Default: ${DEFAULT-VALUE}.")
    ScenarioName scenario = ScenarioName.broadcast;

    @Option(names = "--subscribers", description = "Subscribers per room (broadcast). Default: 10.")
    Integer subscribers;

    @Option(names = "--participants", description = "Participants per room (meeting: default 10, audio: default 20).")
    Integer participants;

    @Option(names = "--rooms", description = "Independent rooms of the scenario. Default: ${DEFAULT-VALUE}.")
    int rooms = 1;

    @Option(names = "--duration", description = "Measurement window in seconds, at most 300. Default: ${DEFAULT-VALUE}.")
    int duration = 20;

    @Option(names = "--warmup", description = "Seconds after every stream flows that are not measured. Default: ${DEFAULT-VALUE}.")
    int warmup = 3;

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

    @Override
    public Integer call() throws Exception {
        RunConfig config = validate();
        RelayProcess child = null;
        Thread hook = null;
        URI relayUri = config.relayUri();
        long pid = config.relayPid();
        LoadRun run = null;
        try {
            if (relayUri == null) {
                System.err.println("starting relay " + config.relayJar() + ", log " + config.relayLog());
                child = RelayProcess.start(config.relayJar(), config.relayWorkers(), config.relayIoThreads(),
                        config.relayJvmArgs(), config.relayLog(),
                        config.tokens() == null ? Map.of() : config.tokens().relayEnvironment());
                RelayProcess relayToKill = child;
                // Ctrl-C must not leave a relay behind.
                hook = new Thread(relayToKill::close, "loadgen-kill-relay");
                Runtime.getRuntime().addShutdownHook(hook);
                relayUri = child.httpUri();
                pid = child.pid();
            }
            run = new LoadRun(config, relayUri, pid);
            report = run.execute();
        } catch (IOException e) {
            System.err.println("loadgen: " + e.getMessage());
            return 1;
        } finally {
            if (child != null && !child.isAlive() && report != null) {
                report.failures.add("the relay process exited during the run; its log ends with:\n"
                        + RelayProcess.tail(child.log(), 10));
            }
            if (run != null) {
                run.close();
            }
            if (child != null) {
                child.close();
                if (hook != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // Already shutting down.
                    }
                }
            }
        }
        if (child != null) {
            report.relayLog = child.log().toString();
            report.relayCommand = child.command();
            scanRelayLog(child.log(), report);
        }
        System.out.print(report.toText());
        if (config.json()) {
            System.out.println(report.toJson().toString());
        }
        System.out.flush();
        return report.allStreamsFlowing() ? 0 : 3;
    }

    private RunConfig validate() {
        Scenario s = Scenario.valueOf(scenario.name().toUpperCase(java.util.Locale.ROOT));
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
        if (relay != null) {
            checkLoopback(relay);
            if (relayWorkers != null || relayIoThreads != null || relayJar != null || !relayJvmArgs.isEmpty()) {
                throw bad("--relay-workers/--relay-io-threads/--relay-jar/--relay-jvm-arg apply to a child relay,"
                        + " not to --relay");
            }
        } else if (relayPid > 0) {
            throw bad("--relay-pid needs --relay");
        }
        Path jar = relayJar != null ? relayJar : defaultRelayJar();
        Path log = relayLog != null ? relayLog : Path.of(System.getProperty("java.io.tmpdir"),
                "loadgen-relay-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".log");
        return new RunConfig(s, size, rooms, duration, warmup, videoBitrate, keyframeInterval, pacing, loops,
                decryptEvery,
                connectTimeout, relay == null ? null : relay.resolve("/").normalize(), relayPid, jar, relayWorkers,
                relayIoThreads, List.copyOf(relayJvmArgs), log, json, tokens());
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

    /** Counts the relay's WARN and ERROR lines and keeps the first few distinct ones for the report. */
    private static void scanRelayLog(Path log, RunReport report) {
        String text;
        try {
            text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return;
        }
        List<String> seen = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("Exception")
                    || line.contains("Exception in thread")) {
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
