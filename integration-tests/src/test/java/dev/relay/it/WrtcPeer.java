package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * One participant whose two PeerConnections are libwebrtc M106 in Node ({@code @roamhq/wrtc}),
 * run as {@code node src/test/node/wrtc-peer.mjs}: the script joins the room over the signaling
 * WebSocket itself ({@code docs/signaling.md}), publishes synthetic VP8 video and Opus audio,
 * answers the relay's subscribe offers, and reports JSON lines on stdout, which this class reads.
 *
 * <p>The script's npm dependencies (pinned in {@code package.json} and {@code package-lock.json})
 * are installed by {@link #installDependencies()} with {@code npm ci}, so a clean clone needs only
 * Node.js, npm and the npm registry. Each peer's stdout and stderr are kept in
 * {@code target/wrtc-peer/}.
 */
final class WrtcPeer implements AutoCloseable {

    /** Surefire runs with the module as working directory. */
    static final Path DIR = Path.of("src", "test", "node");
    static final Path SCRIPT = DIR.resolve("wrtc-peer.mjs");
    private static final Path LOCKFILE = DIR.resolve("package-lock.json");
    /** Written by npm at the end of an install: its presence says node_modules is complete. */
    private static final Path INSTALLED = DIR.resolve(Path.of("node_modules", ".package-lock.json"));
    private static final Path LOG_DIR = Path.of("target", "wrtc-peer");
    /** The native package is ~26 MB: generous for a slow registry on a loaded machine. */
    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration TOOL_PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A {@code stats} line: per remote participant, what the script has received from it. */
    record Stats(String participantId, String publishState, String subscribeState, long sinceJoinMs,
                 Map<String, Remote> remotes, long videoPacketsSent, long audioPacketsSent) {

        /** {@code videoFrames}: frames out of the decoder, counted by an {@code RTCVideoSink}. */
        record Remote(long videoFrames, long framesDecoded, long videoPackets, long audioPackets, String codec) {
        }

        static final Stats NONE = new Stats(null, "new", "new", -1, Map.of(), 0, 0);

        static Stats parse(JsonNode line) {
            Map<String, Remote> remotes = new HashMap<>();
            line.path("remotes").fields().forEachRemaining(e -> {
                JsonNode r = e.getValue();
                remotes.put(e.getKey(), new Remote(r.path("videoFrames").asLong(), r.path("framesDecoded").asLong(),
                        r.path("videoPackets").asLong(), r.path("audioPackets").asLong(),
                        r.path("codec").isTextual() ? r.get("codec").asText() : null));
            });
            JsonNode sent = line.path("sent");
            return new Stats(line.path("participantId").asText(null), line.path("publishState").asText(),
                    line.path("subscribeState").asText(), line.path("sinceJoinMs").asLong(-1), Map.copyOf(remotes),
                    sent.path("videoPackets").asLong(), sent.path("audioPackets").asLong());
        }

        long videoFramesFrom(String id) {
            Remote r = remotes.get(id);
            return r == null ? 0 : r.videoFrames;
        }

        long audioPacketsFrom(String id) {
            Remote r = remotes.get(id);
            return r == null ? 0 : r.audioPackets;
        }

        String videoCodecFrom(String id) {
            Remote r = remotes.get(id);
            return r == null ? null : r.codec;
        }

        boolean bothConnected() {
            return "connected".equals(publishState) && "connected".equals(subscribeState);
        }
    }

    /**
     * The script's clock from sending {@code join}, and from the remote's video {@code track}
     * event (its subscribe offer applied), to the first frame out of the decoder.
     */
    record FirstFrame(long sinceJoinMs, long sinceTrackMs) {
    }

    final String label;
    private final Process process;
    private final Path stdoutLog;
    private final Path stderrLog;
    private final Thread reader;
    private final long startNanos;
    private volatile String participantId;
    private volatile Stats stats = Stats.NONE;
    /** Remote participantId -> its first decoded video frame. */
    private final Map<String, FirstFrame> firstFrames = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private WrtcPeer(String label, Process process, Path stdoutLog, Path stderrLog, long startNanos) {
        this.label = label;
        this.process = process;
        this.stdoutLog = stdoutLog;
        this.stderrLog = stderrLog;
        this.startNanos = startNanos;
        this.reader = new Thread(this::readLines, "wrtc-peer-" + label);
        this.reader.setDaemon(true);
    }

    /** Null when {@code node} and {@code npm} both run, else what is missing. */
    static String missingTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("node", "npm")) {
            if (!runs(List.of(tool, "--version"))) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : String.join(" and ", missing) + " not found on PATH";
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(TOOL_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * {@code npm ci} in {@link #DIR}, unless {@code node_modules} is complete and no older than the
     * lockfile. {@code ci} installs exactly what the lockfile pins and fails if it disagrees with
     * {@code package.json}.
     */
    static void installDependencies() throws IOException, InterruptedException {
        if (Files.isRegularFile(INSTALLED)
                && Files.getLastModifiedTime(INSTALLED).compareTo(Files.getLastModifiedTime(LOCKFILE)) >= 0) {
            return;
        }
        Files.createDirectories(LOG_DIR);
        Path log = LOG_DIR.resolve("npm-ci.log");
        long start = System.nanoTime();
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--prefix", DIR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!npm.waitFor(NPM_CI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci in " + DIR + " took over " + NPM_CI_TIMEOUT.toSeconds()
                    + " s; its output: " + Files.readString(log));
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + DIR + " failed (exit " + npm.exitValue() + "): "
                    + Files.readString(log));
        }
        System.out.printf("wrtc-peer: npm ci in %s took %d ms%n", DIR, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Starts the script; it joins {@code room} at once and leaves by itself after {@code runFor}
     * (a bound on its life should this JVM die without closing it).
     */
    static WrtcPeer start(URI webSocket, String room, String label, Duration runFor) throws IOException {
        Files.createDirectories(LOG_DIR);
        Path stdoutLog = LOG_DIR.resolve(label + "-" + room + ".jsonl");
        Path stderrLog = LOG_DIR.resolve(label + "-" + room + ".stderr.log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder("node", SCRIPT.toString(), webSocket.toString(), room, label,
                Long.toString(runFor.toSeconds()))
                .redirectError(stderrLog.toFile())
                .start();
        WrtcPeer peer = new WrtcPeer(label, process, stdoutLog, stderrLog, start);
        peer.reader.start();
        return peer;
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(stdoutLog, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                onLine(line);
            }
        } catch (IOException e) {
            // The process was closed under us: the log has what it wrote before.
        }
    }

    private void onLine(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            errors.add("not a JSON line: " + line);
            return;
        }
        switch (node.path("event").asText()) {
            case "joined" -> participantId = node.path("participantId").asText();
            case "stats" -> stats = Stats.parse(node);
            case "first-frame" -> {
                firstFrames.putIfAbsent(node.path("participantId").asText(),
                        new FirstFrame(node.path("sinceJoinMs").asLong(), node.path("sinceTrackMs").asLong()));
                events.add(line);
            }
            case "error" -> {
                errors.add(node.path("where").asText() + ": " + node.path("message").asText());
                events.add(line);
            }
            default -> events.add(line);
        }
    }

    /** Our participantId from the script's {@code joined} line; fails if it does not join in time. */
    String awaitParticipantId(Duration timeout) {
        awaitState("joined", timeout, () -> participantId != null);
        return participantId;
    }

    String participantId() {
        return participantId;
    }

    Stats stats() {
        return stats;
    }

    /** Polls the latest {@code stats} line until {@code condition} holds. */
    Stats awaitStats(String what, Duration timeout, Predicate<Stats> condition) {
        awaitState(what, timeout, () -> condition.test(stats));
        return stats;
    }

    /** The first decoded video frame from {@code remote}, or null before it. */
    FirstFrame firstFrame(String remote) {
        return firstFrames.get(remote);
    }

    private void awaitState(String what, Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (done.getAsBoolean()) {
                return;
            }
            if (!errors.isEmpty()) {
                throw new AssertionError(label + ": waiting for " + what + ", the script reported " + errors
                        + "; last stats: " + stats);
            }
            if (!process.isAlive()) {
                throw new AssertionError(label + ": waiting for " + what + ", the script exited with "
                        + process.exitValue() + "; stderr: " + tail(stderrLog));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(label + ": " + what + " not reached within " + timeout.toMillis()
                        + " ms; last stats: " + stats);
            }
            ChromiumPeer.sleep(POLL);
        }
    }

    /** Writes the script's events (all lines but {@code stats}), its last stats and its stderr to stdout. */
    void dumpDiagnostics() {
        StringBuilder out = new StringBuilder();
        out.append("===== ").append(label).append(" (wrtc-peer, participantId ").append(participantId)
                .append(", started ").append((System.nanoTime() - startNanos) / 1_000_000).append(" ms ago) =====\n");
        out.append("--- events ---\n");
        events.forEach(e -> out.append(e).append('\n'));
        out.append("--- last stats ---\n").append(stats).append('\n');
        out.append("--- stderr (").append(stderrLog.toAbsolutePath()).append(") ---\n").append(tail(stderrLog));
        out.append("--- all lines: ").append(stdoutLog.toAbsolutePath()).append(" ---\n");
        System.out.print(out);
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file);
            return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e + ")\n";
        }
    }

    /** SIGTERM (the script sends {@code leave} and exits), then SIGKILL if it has not exited. */
    @Override
    public void close() {
        // Through the handle: Process.destroy() also closes our end of stdout, and the script's
        // last lines would meet a broken pipe instead of the reader.
        process.toHandle().destroy();
        try {
            if (!process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            reader.join(EXIT_WAIT.toMillis());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
