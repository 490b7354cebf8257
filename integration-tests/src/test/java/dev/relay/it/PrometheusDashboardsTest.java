package dev.relay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chart's Grafana dashboards and alert rules against a real scrape: a relay in this JVM, a
 * real Prometheus process (Debian's {@code prometheus}) scraping its {@code /metrics} every second
 * with {@code helm/relay/files/alerts.yaml} as its rule file, and a real call between two Chromium
 * participants who each publish audio and video and receive the other's.
 *
 * <p>What passing proves: after about 20 s of call, every target expression of every panel of
 * every {@code helm/relay/dashboards/*.json} returns at least one series with a number in it
 * through Prometheus's {@code /api/v1/query_range} over the call, as Grafana asks (the dashboard variables replaced as Grafana would: {@code $instance} by
 * the relay's scrape address, {@code $__rate_interval} by 15 s), so no panel names a metric the
 * relay does not export or a label it does not set; the dashboards' {@code instance} variable
 * finds the relay; {@code promtool check rules} accepts the rule file, Prometheus loaded every
 * rule in it and evaluates each without error, and {@code RelayDown} is not firing. The table of
 * panel -> series count is printed.
 *
 * <p>Skipped without {@code /usr/bin/chromium} or {@code /usr/bin/prometheus}
 * ({@code apt-get install -y --no-install-recommends prometheus}; {@code .ci/run} installs both).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusDashboardsTest {
    /** Surefire runs with the module as working directory; the chart is beside it. */
    private static final Path CHART = Path.of("..", "helm", "relay").toAbsolutePath().normalize();
    private static final Path DASHBOARDS = CHART.resolve("dashboards");
    private static final Path ALERTS = CHART.resolve("files").resolve("alerts.yaml");
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final Duration READY = Duration.ofSeconds(40);
    private static final Duration MEDIA = Duration.ofSeconds(20);
    /**
     * Grafana's $__rate_interval is max(4 x scrape interval, $__interval + scrape interval); with a
     * 1 s scrape and a short time range that is a few seconds; 15 s keeps several scrapes in every
     * rate() window, as Grafana's own default for a 15 s scrape would.
     */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "$__rate_interval", "15s", "$__interval", "5s", "$__range", "1m");
    private static final Pattern ALERT_NAME = Pattern.compile("^\\s*- alert:\\s*(\\S+)\\s*$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RelayServer relay;
    private static PrometheusServer prometheus;

    private final List<ChromiumPeer> peers = new ArrayList<>();

    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted();
            System.out.println("##### " + context.getDisplayName() + " failed - diagnostics follow");
            peers.forEach(ChromiumPeer::dumpDiagnostics);
            if (prometheus != null) {
                System.out.println("--- prometheus log ---\n" + prometheus.log());
            }
        }
    };

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(),
                "skipped: " + ChromiumPeer.CHROMIUM + " is not installed (apt-get install -y chromium chromium-driver)");
        assumeTrue(PrometheusServer.installed(), "skipped: " + PrometheusServer.PROMETHEUS + " or "
                + PrometheusServer.PROMTOOL + " is not installed (apt-get install -y --no-install-recommends prometheus)");
        RelayConfig config = Relays.loopbackConfig();
        // A quality sample every 2 s instead of 10 s, so the loss, jitter and RTT histograms fill
        // within the call.
        relay = RelayServer.start(config.withEvents(config.events().withQualityInterval(Duration.ofSeconds(2))));
        prometheus = PrometheusServer.start("relay", "127.0.0.1:" + relay.metricsPort(), List.of(ALERTS));
        // Counters must be seen at zero before the call: a series whose first sample already holds
        // the handshakes has no increase for rate() (the first scrape of a cold JVM may time out).
        prometheus.awaitQuery("up{job=\"relay\"} == 1", Duration.ofSeconds(15));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
            prometheus = null;
        }
        if (relay != null) {
            relay.close();
            relay = null;
        }
    }

    @AfterEach
    void closeBrowsers() {
        peers.forEach(ChromiumPeer::close);
        peers.clear();
    }

    @Test
    void shouldReturnDataForEveryPanelAndLoadEveryAlertRule() throws Exception {
        Instant callStart = Instant.now();
        String room = Relays.uniqueRoom("dashboards");
        ChromiumPeer alice = launch("alice");
        ChromiumPeer bob = launch("bob");
        alice.open(Relays.httpBase(relay), room);
        bob.open(Relays.httpBase(relay), room);
        alice.awaitReady(READY);
        bob.awaitReady(READY);
        awaitReceiving(alice, bob);
        awaitReceiving(bob, alice);
        // The JVM dashboard's GC panels need one collection; the test JVM may not need one in 20 s.
        System.gc();
        Duration left = Duration.between(Instant.now(), callStart.plus(CALL));
        if (!left.isNegative()) {
            BrowserPeer.sleep(left);
        }

        checkAlertRules();

        String instance = "127.0.0.1:" + relay.metricsPort();
        JsonNode instances = prometheus.get("/api/v1/label/instance/values?match[]="
                + URLEncoder.encode("relay_rooms", StandardCharsets.UTF_8));
        assertTrue(instances.toString().contains(instance),
                "the dashboards' instance variable (label_values(relay_rooms, instance)) finds the relay: " + instances);
        // Grafana escapes a selected value for the regex matcher (=~) of a multi-value variable.
        String instanceRegex = instance.replace(".", "\\\\.");

        List<String> table = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        int targets = 0;
        List<String> nanOnly = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(DASHBOARDS)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(files.size() >= 5, "overview, media, transport, jvm and events dashboards in " + DASHBOARDS);
        for (Path file : files) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText();
                    if (expr.isEmpty()) {
                        continue;
                    }
                    targets++;
                    assertEquals("${DS_PROMETHEUS}", target.path("datasource").path("uid").asText(),
                            file.getFileName() + " " + panel.path("title").asText()
                                    + ": the templated Prometheus datasource");
                    String concrete = expr.replace("$instance", instanceRegex);
                    for (Map.Entry<String, String> v : GRAFANA_VARIABLES.entrySet()) {
                        concrete = concrete.replace(v.getKey(), v.getValue());
                    }
                    assertTrue(!concrete.contains("$"), "an unreplaced variable in " + concrete);
                    // Over the call, every second, as the panel asks Grafana's time range.
                    JsonNode result = prometheus.queryRange(concrete, callStart, Instant.now(), 1).path("result");
                    String last = lastNumber(result);
                    if (!result.isEmpty() && last == null) {
                        nanOnly.add(panel.path("title").asText() + " " + target.path("refId").asText() + ": " + concrete);
                    }
                    String row = String.format("%-10s | %-36s | %-6s | %6d | %s", file.getFileName().toString()
                                    .replace(".json", ""), panel.path("title").asText(),
                            target.path("refId").asText(), result.size(), last == null ? "-" : last);
                    table.add(row);
                    if (result.isEmpty()) {
                        empty.add(row + "  " + concrete);
                    }
                }
            }
        }
        System.out.println("dashboard  | panel                                | target | series | last value");
        table.forEach(System.out::println);
        System.out.printf("%d panel targets in %d dashboards, %d without data, %d with only NaN%n", targets,
                files.size(), empty.size(), nanOnly.size());
        assertTrue(empty.isEmpty(), "panel targets that returned no series:\n" + String.join("\n", empty));
        // A quantile of a histogram that got nothing in any window is NaN throughout: a panel that
        // would show nothing though its series exist.
        assertTrue(nanOnly.isEmpty(), "panel targets with no number during the call:\n" + String.join("\n", nanOnly));

        // What the call must show, not only that a series exists.
        assertEquals(1, value("sum(relay_rooms)"), "one room open");
        assertEquals(2, value("sum(relay_participants)"), "two participants");
        assertEquals(4, value("sum(relay_producers)"), "each publishes audio and video");
        assertEquals(4, value("sum(relay_consumers)"), "each receives the other's audio and video");
        assertTrue(value("sum(rate(relay_rtp_bytes_received_total[15s])) * 8") > 100_000, "media in");
        assertTrue(value("sum(rate(relay_rtp_bytes_sent_total[15s])) * 8") > 100_000, "media out");
        assertTrue(value("sum(relay_dtls_handshake_seconds_count)") >= 4, "four DTLS handshakes timed");
        assertTrue(value("sum(relay_quality_jitter_milliseconds_count)") >= 4, "quality samples recorded");
        assertEquals(2, value("sum(relay_participants_joined_total)"), "two joins counted");
    }

    /** promtool accepts the file; Prometheus loaded every rule of it and evaluates each without error. */
    private static void checkAlertRules() throws IOException, InterruptedException {
        Process promtool = new ProcessBuilder(PrometheusServer.PROMTOOL.toString(), "check", "rules", ALERTS.toString())
                .redirectErrorStream(true).start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, promtool.exitValue(), "promtool check rules " + ALERTS + ":\n" + out);
        System.out.print("promtool: " + out);

        TreeSet<String> expected = new TreeSet<>();
        Matcher m = ALERT_NAME.matcher(Files.readString(ALERTS));
        while (m.find()) {
            expected.add(m.group(1));
        }
        assertTrue(expected.containsAll(List.of("RelayDown", "RelayDropRateHigh", "RelayRingFull", "RelayDtlsFailures",
                "RelayKafkaBacklog", "RelayKafkaFailing")), "the rules issue 15 asks for: " + expected);
        Map<String, JsonNode> loaded = new TreeMap<>();
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            loaded.clear();
            for (JsonNode group : prometheus.get("/api/v1/rules?type=alert").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    loaded.put(rule.path("name").asText(), rule);
                }
            }
            boolean evaluated = loaded.values().stream().allMatch(r -> "ok".equals(r.path("health").asText()));
            if ((evaluated && loaded.keySet().equals(expected)) || Instant.now().isAfter(deadline)) {
                break;
            }
            BrowserPeer.sleep(Duration.ofMillis(500));
        }
        assertEquals(expected, loaded.keySet(), "Prometheus loaded every rule of " + ALERTS);
        for (JsonNode rule : loaded.values()) {
            assertEquals("ok", rule.path("health").asText(), rule.path("name").asText() + " evaluates: " + rule);
            System.out.printf("rule %-20s health %s, state %s%n", rule.path("name").asText(),
                    rule.path("health").asText(), rule.path("state").asText());
        }
        assertEquals("inactive", loaded.get("RelayDown").path("state").asText(), "the relay is up");
    }

    /** The last value that is a number (not NaN) of the first series that has one; null if none has. */
    private static String lastNumber(JsonNode matrix) {
        for (JsonNode series : matrix) {
            JsonNode values = series.path("values");
            for (int i = values.size() - 1; i >= 0; i--) {
                String v = values.get(i).path(1).asText();
                if (!"NaN".equals(v)) {
                    return v;
                }
            }
        }
        return null;
    }

    /** The value of a query that returns one series. */
    private static double value(String expr) throws IOException {
        JsonNode result = prometheus.query(expr).path("result");
        assertEquals(1, result.size(), expr + " -> " + result);
        return Double.parseDouble(result.get(0).path("value").path(1).asText());
    }

    /** Every panel, including those inside rows (collapsed rows nest theirs). */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    private ChromiumPeer launch(String name) throws IOException {
        ChromiumPeer peer = ChromiumPeer.launch(name);
        peers.add(peer);
        return peer;
    }

    private static void awaitReceiving(ChromiumPeer at, ChromiumPeer from) {
        String id = from.participantId();
        at.awaitStats("decoded video frames and audio packets from " + from.label, MEDIA,
                s -> s.framesDecodedFrom(id) > 30 && s.audioPacketsFrom(id) > 0);
    }
}
