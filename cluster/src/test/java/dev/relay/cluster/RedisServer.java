package dev.relay.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code redis-server} for one test class: on a free loopback port, nothing persisted,
 * stopped by {@link #close}. Skips the test when Redis is not installed. Also used by the
 * integration tests (this module's test-jar).
 */
public final class RedisServer implements AutoCloseable {
    static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /**
     * Also listening on {@code moreAddresses} (the host ends of network namespaces, so that relays
     * inside them reach it); protected mode off, as nothing but the test can reach those.
     */
    public static RedisServer start(Path dir, List<String> moreAddresses) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(REDIS_SERVER), "skipped: no " + REDIS_SERVER + " (apt-get install -y redis-server)");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> command = new java.util.ArrayList<>(List.of(REDIS_SERVER.toString(), "--bind", "127.0.0.1"));
        command.addAll(moreAddresses);
        command.addAll(List.of("--protected-mode", moreAddresses.isEmpty() ? "yes" : "no",
                "--port", Integer.toString(port), "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServer server = new RedisServer(process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(50);
        }
        return server;
    }

    public String url() {
        return url("127.0.0.1");
    }

    /** Its URL at one of the addresses it listens on. */
    public String url(String address) {
        return "redis://" + address + ":" + port + "/0";
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
