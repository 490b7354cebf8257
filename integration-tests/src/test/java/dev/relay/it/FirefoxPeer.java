package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One participant: its own Debian Firefox ESR process (fresh profile directory, headless, fake
 * camera and microphone) running the relay's web client, driven over WebDriver BiDi without a driver binary (no
 * geckodriver is installed, and none is downloaded). Firefox's Remote Agent serves
 * BiDi on {@code --remote-debugging-port}; {@link BiDiSession} speaks it over
 * {@code java.net.http.WebSocket}. The page is driven through {@code window.relay} exactly as
 * {@link ChromiumPeer} drives it.
 *
 * <p>A preload script (run before the page's own scripts) records every signaling frame the page
 * sends, so a test can read the SDP Firefox put on the wire ({@link #sentSignaling}).
 */
final class FirefoxPeer implements BrowserPeer {

    static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");

    /** Longer than any single wait in a page script, so the page's own timeouts report first. */
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    /** Start-up to BiDi listening; Firefox takes a few seconds on a busy 2-core machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final int KEPT_LINES = 200;
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");

    /**
     * Wraps {@code WebSocket.prototype.send} before client.js runs: the page's own signaling
     * frames, as sent, kept in a non-enumerable array (bounded).
     */
    private static final String SENT_FRAMES_RECORDER = "() => {"
            + "  const frames = [];"
            + "  Object.defineProperty(window, '__relayItSentFrames', { value: frames });"
            + "  const send = WebSocket.prototype.send;"
            + "  WebSocket.prototype.send = function (data) {"
            + "    if (typeof data === 'string' && frames.length < 500) frames.push(data);"
            + "    return send.call(this, data);"
            + "  };"
            + "}";

    final String label;
    private final Path profileDir;
    private final Process process;
    private final Deque<String> processOutput;
    private final List<String> consoleLines = new ArrayList<>();
    /** Guarded by {@code consoleLines}, as that list is: both are written on the WebSocket's thread. */
    private int clientConsoleLines;
    private BiDiSession bidi;
    private String context;
    private String participantId;

    private FirefoxPeer(String label, Path profileDir, Process process, Deque<String> processOutput) {
        this.label = label;
        this.profileDir = profileDir;
        this.process = process;
        this.processOutput = processOutput;
    }

    static boolean firefoxInstalled() {
        return Files.isExecutable(FIREFOX);
    }

    /**
     * Preferences written to the fresh profile's {@code user.js}: fake media with no prompt, and
     * nothing that opens a first-run page or calls out to the network (telemetry, studies,
     * updates, Remote Settings, Safe Browsing, captive-portal checks).
     */
    static Map<String, Object> prefs() {
        Map<String, Object> p = new LinkedHashMap<>();
        // Fake camera and microphone, no permission prompt. Without permission.fake Firefox
        // gathers only its default-route address and ICE to a loopback relay fails.
        p.put("media.navigator.streams.fake", true);
        p.put("media.navigator.permission.disabled", true);
        p.put("media.navigator.permission.fake", true);
        // Firefox gathers all host addresses only for a page that is capturing or holds a
        // camera/microphone permission: the subscribe PeerConnection, which may gather before
        // getUserMedia resolves, would otherwise get the default-route address only, never
        // 127.0.0.1, and fail ICE. Allowed by default for every origin (1 = allow).
        p.put("permissions.default.camera", 1);
        p.put("permissions.default.microphone", 1);
        // The relay advertises only 127.0.0.1 (Relays.startLoopback): like Chromium's
        // --allow-loopback-in-peer-connection, and real addresses rather than mDNS names.
        p.put("media.peerconnection.ice.loopback", true);
        p.put("media.peerconnection.ice.obfuscate_host_addresses", false);
        // Remote audio plays without a click, as in headless Chromium.
        p.put("media.autoplay.default", 0);
        p.put("media.autoplay.blocking_policy", 0);
        // No first-run, welcome or default-browser pages; no session restore.
        p.put("browser.shell.checkDefaultBrowser", false);
        p.put("browser.startup.page", 0);
        p.put("browser.startup.homepage", "about:blank");
        p.put("browser.startup.homepage_override.mstone", "ignore");
        p.put("startup.homepage_welcome_url", "about:blank");
        p.put("startup.homepage_welcome_url.additional", "");
        p.put("browser.aboutwelcome.enabled", false);
        p.put("browser.newtabpage.enabled", false);
        p.put("browser.sessionstore.resume_from_crash", false);
        p.put("browser.warnOnQuit", false);
        p.put("browser.tabs.warnOnClose", false);
        p.put("browser.backup.enabled", false);
        p.put("datareporting.policy.firstRunURL", "");
        p.put("toolkit.startup.max_resumed_crashes", -1);
        // No telemetry, studies or experiments.
        p.put("datareporting.policy.dataSubmissionEnabled", false);
        p.put("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
        p.put("datareporting.healthreport.uploadEnabled", false);
        p.put("toolkit.telemetry.enabled", false);
        p.put("toolkit.telemetry.unified", false);
        p.put("toolkit.telemetry.archive.enabled", false);
        p.put("toolkit.telemetry.server", "");
        p.put("toolkit.telemetry.reportingpolicy.firstRun", false);
        p.put("app.normandy.enabled", false);
        p.put("app.normandy.api_url", "");
        p.put("app.shield.optoutstudies.enabled", false);
        p.put("messaging-system.rsexperimentloader.enabled", false);
        // No updates of the browser, add-ons, media plugins or search engines.
        p.put("app.update.disabledForTesting", true);
        p.put("app.update.auto", false);
        p.put("extensions.update.enabled", false);
        p.put("extensions.getAddons.cache.enabled", false);
        p.put("extensions.systemAddon.update.enabled", false);
        p.put("extensions.blocklist.enabled", false);
        p.put("media.gmp-manager.updateEnabled", false);
        p.put("browser.search.update", false);
        p.put("browser.region.update.enabled", false);
        p.put("browser.region.network.url", "");
        // No other network calls: the Remote Settings dummy URL (honoured with
        // MOZ_DISABLE_NONLOCAL_CONNECTIONS, set in launch), no Safe Browsing, no prefetching,
        // no captive-portal or connectivity probes, no DNS over HTTPS.
        p.put("services.settings.server", "data:,#remote-settings-dummy/v1");
        p.put("browser.safebrowsing.malware.enabled", false);
        p.put("browser.safebrowsing.phishing.enabled", false);
        p.put("browser.safebrowsing.downloads.enabled", false);
        p.put("browser.safebrowsing.blockedURIs.enabled", false);
        p.put("browser.safebrowsing.update.enabled", false);
        p.put("network.captive-portal-service.enabled", false);
        p.put("network.connectivity-service.enabled", false);
        p.put("network.dns.disablePrefetch", true);
        p.put("network.prefetch-next", false);
        p.put("network.predictor.enabled", false);
        p.put("network.http.speculative-parallel-limit", 0);
        p.put("network.trr.mode", 5);
        p.put("browser.newtabpage.activity-stream.feeds.system.topstories", false);
        p.put("browser.newtabpage.activity-stream.default.sites", "");
        p.put("browser.topsites.contile.enabled", false);
        p.put("extensions.pocket.enabled", false);
        p.put("identity.fxaccounts.enabled", false);
        return p;
    }

    static FirefoxPeer launch(String label) throws IOException {
        Path profileDir = Files.createTempDirectory("relay-it-firefox-" + label + "-");
        StringBuilder userJs = new StringBuilder();
        prefs().forEach((name, value) -> userJs.append("user_pref(\"").append(name).append("\", ")
                .append(value instanceof String s ? BiDiSession.JSON.valueToTree(s).toString() : value)
                .append(");\n"));
        Files.writeString(profileDir.resolve("user.js"), userJs);

        ProcessBuilder builder = new ProcessBuilder(FIREFOX.toString(),
                "--headless",
                "--no-remote", // never hand the URL to another Firefox running on this machine
                "--profile", profileDir.toString(),
                // 0: Firefox binds a free port itself and prints it (no race with other tests).
                "--remote-debugging-port", "0",
                "about:blank")
                .redirectErrorStream(true);
        builder.environment().put("MOZ_DISABLE_NONLOCAL_CONNECTIONS", "1");
        builder.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            deleteRecursively(profileDir);
            throw e;
        }
        Deque<String> output = new ArrayDeque<>();
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(process, output, listening), "firefox-" + label + "-output");
        reader.setDaemon(true);
        reader.start();

        FirefoxPeer peer = new FirefoxPeer(label, profileDir, process, output);
        try {
            URI endpoint = listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            peer.connect(endpoint.resolve("/session"));
            return peer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            peer.close();
            throw new IOException(label + ": interrupted while starting Firefox", e);
        } catch (ExecutionException | TimeoutException e) {
            peer.close();
            throw new IOException(label + ": Firefox did not start WebDriver BiDi within "
                    + START_TIMEOUT.toSeconds() + " s; its output: " + peer.processOutputTail(), e);
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    private static void readOutput(Process process, Deque<String> output, CompletableFuture<URI> listening) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    listening.complete(URI.create(m.group(1)));
                }
                synchronized (output) {
                    output.addLast(line);
                    if (output.size() > KEPT_LINES) {
                        output.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // The process ended; what it printed so far is kept.
        }
        listening.completeExceptionally(new IOException("Firefox closed its output (exited?) before BiDi was listening"));
    }

    private void connect(URI endpoint) throws IOException {
        bidi = BiDiSession.open(endpoint, START_TIMEOUT, this::onEvent);
        ObjectNode subscribe = BiDiSession.JSON.createObjectNode();
        subscribe.putArray("events").add("log.entryAdded");
        bidi.send("session.subscribe", subscribe, SCRIPT_TIMEOUT);
        ObjectNode preload = BiDiSession.JSON.createObjectNode();
        preload.put("functionDeclaration", SENT_FRAMES_RECORDER);
        bidi.send("script.addPreloadScript", preload, SCRIPT_TIMEOUT);
        ObjectNode tree = BiDiSession.JSON.createObjectNode();
        tree.put("maxDepth", 0);
        JsonNode contexts = bidi.send("browsingContext.getTree", tree, SCRIPT_TIMEOUT).path("contexts");
        if (contexts.isEmpty()) {
            throw new IOException(label + ": Firefox has no top-level browsing context");
        }
        context = contexts.get(0).path("context").asText();
    }

    /** BiDi events, on the WebSocket's thread: console messages and uncaught page errors. */
    private void onEvent(JsonNode event) {
        if (!"log.entryAdded".equals(event.path("method").asText())) {
            return;
        }
        JsonNode entry = event.path("params");
        String text = entry.path("text").asText();
        synchronized (consoleLines) {
            // The client echoes each window.relay.log entry to the console; dumped separately.
            if (text.startsWith("[relay]")) {
                clientConsoleLines++;
            } else if (consoleLines.size() < KEPT_LINES) {
                consoleLines.add(entry.path("level").asText() + " " + entry.path("type").asText() + " " + text);
            }
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void open(URI httpBase, String room) {
        ObjectNode params = BiDiSession.JSON.createObjectNode();
        params.put("context", context);
        params.put("url", httpBase.resolve("/?room=" + enc(room) + "&name=" + enc(label)).toString());
        params.put("wait", "complete");
        bidi.send("browsingContext.navigate", params, SCRIPT_TIMEOUT);
    }

    @Override
    public String awaitReady(Duration timeout) {
        Object error = call("async (timeoutMs) => {"
                        + "  const start = Date.now();"
                        + "  while (!window.relay) {"
                        + "    if (Date.now() - start > timeoutMs) return 'window.relay never appeared (did client.js load?)';"
                        + "    await new Promise((r) => setTimeout(r, 50));"
                        + "  }"
                        + "  let timer;"
                        + "  const late = new Promise((r) => {"
                        + "    timer = setTimeout(() => r('relay.ready not settled within ' + timeoutMs + ' ms'), timeoutMs);"
                        + "  });"
                        + "  const settled = window.relay.ready.then("
                        + "    () => null, (e) => 'relay.ready rejected: ' + ((e && e.message) || e));"
                        + "  try {"
                        + "    return await Promise.race([settled, late]);"
                        + "  } finally {"
                        + "    clearTimeout(timer);"
                        + "  }"
                        + "}",
                timeout.plus(Duration.ofSeconds(5)), timeout.toMillis());
        if (error != null) {
            throw new AssertionError(label + ": " + error + "; status line: " + statusLine());
        }
        participantId = (String) call("() => window.relay.participantId", SCRIPT_TIMEOUT);
        if (participantId == null || participantId.isEmpty()) {
            throw new AssertionError(label + ": ready, but window.relay.participantId is empty");
        }
        return participantId;
    }

    @Override
    public String participantId() {
        return participantId;
    }

    @Override
    public PeerStats stats() {
        return PeerStats.fromScript(call("async () => {"
                + "  if (!window.relay) return {error: 'window.relay missing'};"
                + "  try {"
                + "    const s = await window.relay.stats();"
                + "    s.sinceJoinMs = window.relay.joinedAt == null ? null : performance.now() - window.relay.joinedAt;"
                + "    return s;"
                + "  } catch (e) {"
                + "    return {error: String((e && e.message) || e)};"
                + "  }"
                + "}", SCRIPT_TIMEOUT));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> tiles() {
        return List.copyOf((List<String>) call("() => window.relay.tiles()", SCRIPT_TIMEOUT));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> logEntries(String event) {
        return (List<Map<String, Object>>) call(
                "(event) => (window.relay ? window.relay.log : []).filter((e) => e.event === event)",
                SCRIPT_TIMEOUT, event);
    }

    /** Firefox's version as its BiDi session reports it, e.g. {@code 153.8.0esr}. */
    String browserVersion() {
        return bidi.capabilities().path("browserVersion").asText();
    }

    /** The signaling frames of {@code type} that the page sent, oldest first, as parsed JSON. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sentSignaling(String type) {
        return (List<Map<String, Object>>) call(
                "(type) => (window.__relayItSentFrames || []).map((f) => JSON.parse(f)).filter((m) => m.type === type)",
                SCRIPT_TIMEOUT, type);
    }

    /** Console messages and uncaught errors other than the client's own event lines. */
    List<String> consoleLines() {
        synchronized (consoleLines) {
            return List.copyOf(consoleLines);
        }
    }

    @Override
    public String statusLine() {
        try {
            return String.valueOf(call("() => { const s = document.getElementById('status'); return s ? s.textContent : null; }",
                    Duration.ofSeconds(5)));
        } catch (RuntimeException | AssertionError e) {
            return "(unavailable: " + e.getClass().getSimpleName() + ")";
        }
    }

    @Override
    public void dumpDiagnostics() {
        StringBuilder out = new StringBuilder();
        out.append("===== ").append(label).append(" (Firefox, participantId ").append(participantId).append(") =====\n");
        try {
            ObjectNode tree = BiDiSession.JSON.createObjectNode();
            tree.put("root", context);
            tree.put("maxDepth", 0);
            out.append("url: ").append(bidi.send("browsingContext.getTree", tree, Duration.ofSeconds(5))
                    .path("contexts").path(0).path("url").asText()).append('\n');
        } catch (RuntimeException e) {
            out.append("page unavailable: ").append(e).append('\n');
        }
        out.append("status line: ").append(statusLine()).append('\n');
        synchronized (consoleLines) {
            out.append("--- browser console (").append(clientConsoleLines).append(" client event lines omitted) ---\n");
            consoleLines.forEach(line -> out.append(line).append('\n'));
        }
        try {
            Object log = call("() => window.relay ? window.relay.log.map((e) => JSON.stringify(e)).join('\\n') : '(no window.relay)'",
                    Duration.ofSeconds(5));
            out.append("--- window.relay.log ---\n").append(log).append('\n');
        } catch (RuntimeException | AssertionError e) {
            out.append("(window.relay.log unavailable: ").append(e).append(")\n");
        }
        try {
            out.append("--- stats ---\n").append(stats()).append('\n');
        } catch (RuntimeException | AssertionError e) {
            out.append("(stats unavailable: ").append(e).append(")\n");
        }
        out.append("--- Firefox process output (last lines) ---\n").append(processOutputTail()).append('\n');
        System.out.print(out);
        System.out.flush();
    }

    @Override
    public Path saveScreenshot(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + label + ".png");
        ObjectNode params = BiDiSession.JSON.createObjectNode();
        params.put("context", context);
        String data = bidi.send("browsingContext.captureScreenshot", params, SCRIPT_TIMEOUT).path("data").asText();
        Files.write(file, Base64.getDecoder().decode(data));
        return file;
    }

    /**
     * Asks Firefox to quit ({@code browser.close}), then kills whatever of its process tree is
     * still running after {@link #CLOSE_TIMEOUT}, and deletes the profile.
     */
    @Override
    public void close() {
        // Taken first: once the parent is gone its children are no longer its descendants.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        if (bidi != null) {
            if (bidi.isOpen()) {
                try {
                    bidi.send("browser.close", BiDiSession.JSON.createObjectNode(), CLOSE_TIMEOUT);
                } catch (RuntimeException e) {
                    // The session may end before the reply; the kill below covers any failure.
                }
            }
            bidi.close();
        }
        try {
            if (!process.waitFor(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.println(label + ": Firefox did not quit within " + CLOSE_TIMEOUT.toSeconds() + " s; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteRecursively(profileDir);
    }

    /**
     * Calls {@code function} in the page (script.callFunction, awaiting its promise) with
     * string or number arguments; its result comes back as JSON and is returned as the
     * Map/List/String/Number/Boolean tree Selenium would return.
     */
    private Object call(String function, Duration timeout, Object... args) {
        ObjectNode params = BiDiSession.JSON.createObjectNode();
        params.put("functionDeclaration", "async (...args) => {"
                + "  const result = await (" + function + ")(...args);"
                + "  return JSON.stringify(result === undefined ? null : result);"
                + "}");
        params.put("awaitPromise", true);
        params.putObject("target").put("context", context);
        params.put("resultOwnership", "none");
        ArrayNode arguments = params.putArray("arguments");
        for (Object arg : args) {
            ObjectNode value = arguments.addObject();
            if (arg instanceof Number n) {
                value.put("type", "number").put("value", n.doubleValue());
            } else {
                value.put("type", "string").put("value", String.valueOf(arg));
            }
        }
        JsonNode result = bidi.send("script.callFunction", params, timeout);
        if (!"success".equals(result.path("type").asText())) {
            JsonNode details = result.path("exceptionDetails");
            throw new AssertionError(label + ": page script threw: " + details.path("text").asText()
                    + " at line " + details.path("lineNumber").asText());
        }
        try {
            return BiDiSession.JSON.readValue(result.path("result").path("value").asText(), Object.class);
        } catch (IOException e) {
            throw new AssertionError(label + ": page script returned no JSON: " + result, e);
        }
    }

    private String processOutputTail() {
        synchronized (processOutput) {
            return String.join("\n", processOutput);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | RuntimeException e) {
            // Best effort: a leftover temp profile is harmless.
        }
    }
}
