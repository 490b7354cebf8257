package dev.relay.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server under test that the load generator started as a child process: where to reach it,
 * its pid for /proc, its log, and how it is stopped (SIGTERM, then SIGKILL after a grace period).
 */
abstract class ServerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

    private final String name;
    private final Process process;
    private final URI httpUri;
    private final Path log;
    private final List<String> command;
    private final Duration grace;

    ServerProcess(String name, Process process, URI httpUri, Path log, List<String> command, Duration grace) {
        this.name = name;
        this.process = process;
        this.httpUri = httpUri;
        this.log = log;
        this.command = command;
        this.grace = grace;
    }

    final URI httpUri() {
        return httpUri;
    }

    final long pid() {
        return process.pid();
    }

    final Path log() {
        return log;
    }

    final List<String> command() {
        return command;
    }

    final boolean isAlive() {
        return process.isAlive();
    }

    /** The last {@code lines} lines of a log, for an error message. */
    static String tail(Path file, int lines) {
        try {
            // Lenient decoding: a log may hold bytes that are not UTF-8.
            List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Polls {@code uri} every 100 ms until a response satisfies {@code ready}.
     *
     * @throws IOException if the process exits first or nothing ready answers within
     *         {@code timeout}; the message ends with the tail of its log
     */
    final void awaitReady(URI uri, Predicate<HttpResponse<String>> ready, Duration timeout)
            throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " before it was ready:\n"
                        + tail(log, 20));
            }
            try {
                if (ready.test(client.send(request, HttpResponse.BodyHandlers.ofString()))) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " did not answer " + uri + " within " + timeout.toSeconds() + " s:\n"
                + tail(log, 20));
    }

    /** Stops it: SIGTERM, SIGKILL after the grace period; then {@link #cleanUp}. Idempotent, never throws. */
    @Override
    public final void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("{} pid {} ignored SIGTERM for {} s; killing it", name, process.pid(), grace.toSeconds());
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        cleanUp();
    }

    /** What is left to remove once the process is gone (its files); never throws. */
    void cleanUp() {
    }
}
