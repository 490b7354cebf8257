package dev.relay.loadgen;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay under test as a child process ({@code java -jar relay.jar}) bound to 127.0.0.1, so
 * that its CPU time can be read from /proc alone, apart from the load generator's.
 */
final class RelayProcess extends ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(RelayProcess.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final int mediaPort;

    private RelayProcess(Process process, URI httpUri, int mediaPort, Path log, List<String> command) {
        // SIGTERM: the relay's shutdown hook closes its sessions.
        super("relay", process, httpUri, log, command, Duration.ofSeconds(5));
        this.mediaPort = mediaPort;
    }

    /**
     * Starts the relay on free loopback ports and waits until {@code /healthz} answers.
     *
     * @throws IOException if it cannot start or exits or stays silent for a minute; the message
     *         ends with the tail of its log
     */
    /** @param environment added to the child's (the API key, when the peers carry tokens) */
    static RelayProcess start(Path jar, Integer workers, Integer ioThreads, List<String> jvmArgs, Path log,
                              Map<String, String> environment) throws IOException, InterruptedException {
        return start(jar, workers, ioThreads, jvmArgs, log, environment, null);
    }

    /**
     * @param ns a namespace to run the relay in, bound to its veth address (fixed ports: the
     *           namespace is new and holds nothing else), or null for loopback
     */
    static RelayProcess start(Path jar, Integer workers, Integer ioThreads, List<String> jvmArgs, Path log,
                              Map<String, String> environment, NetNamespace.Plan ns)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("relay jar " + jar.toAbsolutePath() + " not found; build it with "
                    + "'mvn -B -q -DskipTests install -pl signaling -am' (bin/loadgen does)");
        }
        int httpPort = ns == null ? freeTcpPort() : 8080;
        int mediaPort = ns == null ? freeMediaPort() : 40000;
        String address = ns == null ? "127.0.0.1" : ns.serverAddress();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of("--bind", address, "--advertise", address,
                "--http-port", Integer.toString(httpPort), "--media-port", Integer.toString(mediaPort),
                // Every peer comes from 127.0.0.1: the relay's cap per address is for the Internet.
                "--max-connections-per-ip", "100000", "--max-participants-per-room", "100000"));
        if (workers != null) {
            command.addAll(List.of("--workers", workers.toString()));
        }
        if (ioThreads != null) {
            command.addAll(List.of("--io-threads", ioThreads.toString()));
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        if (ns != null) {
            // ip netns exec execs the JVM: the child's pid stays the relay's own.
            command = ns.exec(command);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        URI uri = URI.create("http://" + address + ":" + httpPort);
        RelayProcess relay = new RelayProcess(process, uri, mediaPort, log, command);
        try {
            relay.awaitHealthy();
        } catch (IOException | InterruptedException | RuntimeException e) {
            relay.close();
            throw e;
        }
        LOG.info("relay pid {} ready at {} (media udp and tcp {}), log {}", process.pid(), uri, mediaPort, log);
        return relay;
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        awaitReady(httpUri().resolve("/healthz"), response -> response.statusCode() == 200, START_TIMEOUT);
    }

    int mediaPort() {
        return mediaPort;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A port free for UDP and for TCP alike: the relay's ICE-TCP listener takes the media port's
     * number by default (--media-tcp-port), and a run must not fail because only the UDP half was free.
     */
    private static int freeMediaPort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException e) {
                    // Taken for TCP: try another.
                }
            }
        }
        throw new IOException("no loopback port free for both UDP and TCP in 20 attempts");
    }
}
