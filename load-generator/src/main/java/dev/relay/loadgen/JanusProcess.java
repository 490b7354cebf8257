package dev.relay.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Janus (the Debian package's {@code /usr/bin/janus}) started inside a {@link NetNamespace} with
 * a configuration folder generated into a temporary directory ({@link JanusConfig}); its HTTP API
 * at {@code http://198.18.N.2:8088/janus}. {@code ip netns exec} execs Janus, so the child's pid
 * is Janus's own, for CPU and RSS from /proc.
 */
final class JanusProcess implements ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(JanusProcess.class);
    static final Path JANUS = Path.of("/usr/bin/janus");
    static final Path MODULES = Path.of("/usr/lib/x86_64-linux-gnu/janus");
    static final int HTTP_PORT = 8088;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final URI httpUri;
    private final Path log;
    private final Path configDir;
    private final List<String> command;

    private JanusProcess(Process process, URI httpUri, Path log, Path configDir, List<String> command) {
        this.process = process;
        this.httpUri = httpUri;
        this.log = log;
        this.configDir = configDir;
        this.command = command;
    }

    /** Why Janus cannot be run here, or null if it can. */
    static String unavailableReason() {
        if (!Files.isExecutable(JANUS)) {
            return JANUS + " is not installed (apt-get install -y janus)";
        }
        Path modules = modulesFolder();
        if (modules == null) {
            return "no Janus plugins folder with " + JanusConfig.VIDEOROOM_PLUGIN;
        }
        return NetNamespace.unavailableReason();
    }

    /** The Debian multiarch folder with plugins/ and transports/, or null. */
    static Path modulesFolder() {
        if (Files.isRegularFile(MODULES.resolve("plugins").resolve(JanusConfig.VIDEOROOM_PLUGIN))) {
            return MODULES;
        }
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib"))) {
            return dirs.map(d -> d.resolve("janus"))
                    .filter(d -> Files.isRegularFile(d.resolve("plugins").resolve(JanusConfig.VIDEOROOM_PLUGIN)))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** @param eventLoops Janus's event_loops, 0 for its default (a thread per handle) */
    static JanusProcess start(NetNamespace.Plan ns, Path log, int eventLoops) throws IOException, InterruptedException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException("cannot run Janus: " + reason);
        }
        Path modules = modulesFolder();
        Path dir = Files.createTempDirectory("loadgen-janus-");
        Path empty = Files.createDirectories(dir.resolve("none"));
        JanusConfig config = new JanusConfig(dir.toString(), modules.resolve("plugins").toString(),
                modules.resolve("transports").toString(), empty.toString(), list(modules.resolve("plugins")),
                list(modules.resolve("transports")), ns.serverAddress(), HTTP_PORT, ns.nsIf(), 3, eventLoops);
        for (Map.Entry<String, String> file : config.files().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        List<String> command = ns.exec(List.of(JANUS.toString(), "-C", dir.resolve("janus.jcfg").toString(),
                "-F", dir.toString(), "-o"));
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        URI uri = URI.create("http://" + ns.serverAddress() + ":" + HTTP_PORT + "/janus");
        JanusProcess janus = new JanusProcess(process, uri, log, dir, command);
        try {
            janus.awaitInfo();
        } catch (IOException | InterruptedException | RuntimeException e) {
            janus.close();
            throw e;
        }
        LOG.info("janus pid {} ready at {}, log {}", process.pid(), uri, log);
        return janus;
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void awaitInfo() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUri + "/info"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException("janus exited with status " + process.exitValue() + " before it was ready:\n"
                        + RelayProcess.tail(log, 20));
            }
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains(JanusApi.VIDEOROOM)) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IOException("janus did not answer " + httpUri + "/info within " + START_TIMEOUT.toSeconds()
                + " s:\n" + RelayProcess.tail(log, 20));
    }

    @Override
    public URI httpUri() {
        return httpUri;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public List<String> command() {
        return command;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM (Janus closes its handles), SIGKILL after 10 s; removes the config folder. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    LOG.warn("janus pid {} ignored SIGTERM for 10 s; killing it", process.pid());
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(configDir)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.debug("cannot remove {}", configDir, e);
        }
    }
}
