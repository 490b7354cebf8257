package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's {@code prometheus} package, RUNBOOK "Prometheus") in its own
 * process: its own config, TSDB directory and loopback port, scraping one target every second and
 * evaluating its rule files every second. Queried over its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Duration START = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, Path dir, Path log, URI base) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.base = base;
    }

    static boolean installed() {
        return Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL);
    }

    /** Starts Prometheus scraping {@code target} (host:port, path /metrics) as job {@code job}. */
    static PrometheusServer start(String job, String target, List<Path> ruleFiles) throws IOException {
        Path dir = Files.createTempDirectory("relay-it-prometheus-");
        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
        if (!ruleFiles.isEmpty()) {
            config.append("rule_files:\n");
            for (Path rules : ruleFiles) {
                config.append("  - '").append(rules.toAbsolutePath()).append("'\n");
            }
        }
        config.append("scrape_configs:\n  - job_name: '").append(job).append("'\n")
                .append("    static_configs:\n      - targets: ['").append(target).append("']\n");
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = LocalProcesses.freePort("0.0.0.0");
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, dir, log, URI.create("http://127.0.0.1:" + port));
        try {
            server.awaitReady();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitReady() throws IOException {
        Instant deadline = Instant.now().plus(START);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            BrowserPeer.sleep(Duration.ofMillis(100));
        }
        throw new IOException("prometheus not ready within " + START.toSeconds() + " s: " + Files.readString(log));
    }

    /** {@code GET /api/v1/query?query=expr}: the {@code data} node; fails unless status is success. */
    JsonNode query(String expr) throws IOException {
        return get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    }

    /**
     * {@code GET /api/v1/query_range} from {@code start} to {@code end} every {@code stepSeconds},
     * as a Grafana panel asks: the {@code data} node (a matrix).
     */
    JsonNode queryRange(String expr, Instant start, Instant end, int stepSeconds) throws IOException {
        return get("/api/v1/query_range?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)
                + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=" + stepSeconds);
    }

    /** Waits until {@code expr} returns a series (e.g. a successful scrape). */
    void awaitQuery(String expr, Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (query(expr).path("result").isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(expr + " returned nothing within " + timeout.toSeconds() + " s; log: " + log());
            }
            BrowserPeer.sleep(Duration.ofMillis(200));
        }
    }

    /** {@code GET path} of the HTTP API: the {@code data} node; fails unless status is success. */
    JsonNode get(String pathAndQuery) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError(pathAndQuery + " -> HTTP " + response.statusCode() + ": " + response.body());
        }
        return body.path("data");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        LocalProcesses.stop(process);
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        } catch (IOException | RuntimeException e) {
            // best effort, as for browser profiles
        }
    }
}
