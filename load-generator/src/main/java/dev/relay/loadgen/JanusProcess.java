package dev.relay.loadgen;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Janus (the Debian package's {@code /usr/bin/janus}) started inside a {@link NetNamespace} with
 * a configuration folder generated into a temporary directory ({@link JanusConfig}); its HTTP API
 * at {@code http://198.18.N.2:8088/janus}. {@code ip netns exec} execs Janus, so the child's pid
 * is Janus's own, for CPU and RSS from /proc.
 */
final class JanusProcess extends ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(JanusProcess.class);
    static final Path JANUS = Path.of("/usr/bin/janus");
    static final Path MODULES = Path.of("/usr/lib/x86_64-linux-gnu/janus");
    static final int HTTP_PORT = 8088;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path configDir;

    private JanusProcess(Process process, URI httpUri, Path log, Path configDir, List<String> command) {
        // SIGTERM: Janus closes its handles.
        super("janus", process, httpUri, log, command, Duration.ofSeconds(10));
        this.configDir = configDir;
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
        awaitReady(URI.create(httpUri() + "/info"),
                response -> response.statusCode() == 200 && response.body().contains(JanusApi.VIDEOROOM), START_TIMEOUT);
    }

    /** Removes the generated config folder. */
    @Override
    void cleanUp() {
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
