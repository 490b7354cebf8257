package dev.relay.it;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.remote.RemoteWebDriver;

import java.io.File;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * One participant: its own Debian Chromium process (own profile directory, so its own browser
 * context) running the relay's web client, driven through {@code window.relay}.
 */
final class ChromiumPeer implements BrowserPeer {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Longer than any single wait below, so the page's own timeouts report first. */
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);

    /** Held so that its level sticks: java.util.logging forgets unreferenced loggers. */
    private static final java.util.logging.Logger CDP_LOGGER = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    static {
        // The driver is passed explicitly (which already skips Selenium Manager); these make
        // sure nothing falls back to downloading a browser or a driver.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        System.setProperty("webdriver.chrome.silentOutput", "true");
        // Selenium 4.52 ships CDP bindings for newer Chromium than Debian's; the tests use no CDP.
        CDP_LOGGER.setLevel(Level.SEVERE);
    }

    /** How long a chromedriver started in a namespace may take to answer {@code /status}. */
    private static final Duration DRIVER_START = Duration.ofSeconds(10);

    final String label;
    private final Path profileDir;
    /** Stops the chromedriver process once the session is over. */
    private final Runnable stopDriver;
    private final RemoteWebDriver driver;
    private final List<String> consoleLines = new ArrayList<>();
    private String participantId;

    private ChromiumPeer(String label, Path profileDir, Runnable stopDriver, RemoteWebDriver driver) {
        this.label = label;
        this.profileDir = profileDir;
        this.stopDriver = stopDriver;
        this.driver = driver;
    }

    static boolean chromiumInstalled() {
        return Files.isExecutable(CHROMIUM);
    }

    static ChromiumPeer launch(String label) throws IOException {
        return launch(label, List.of());
    }

    /** As {@link #launch(String)}, with more Chromium flags. */
    static ChromiumPeer launch(String label, List<String> extraFlags) throws IOException {
        requireChromedriver();
        Path profileDir = Files.createTempDirectory("relay-it-chromium-" + label + "-");
        ChromeOptions options = options(profileDir, extraFlags);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return started(label, profileDir, service::stop, new ChromeDriver(service, options));
        } catch (RuntimeException e) {
            service.stop();
            deleteRecursively(profileDir);
            throw e;
        }
    }

    /**
     * A participant whose browser runs inside {@code ns}, so that all its traffic crosses the
     * namespace's veth pair (and its impairment). chromedriver is started inside too, listening on
     * the namespace's address for the host's address only, and Selenium drives it over the veth
     * as a remote WebDriver; Chromium gets the same flags as {@link #launch(String)} plus
     * {@code extraFlags}.
     */
    static ChromiumPeer launchIn(PeerNamespace ns, String label, List<String> extraFlags) throws IOException {
        requireChromedriver();
        Path profileDir = Files.createTempDirectory("relay-it-chromium-" + label + "-");
        Path driverLog = Files.createTempFile("relay-it-chromedriver-" + label + "-", ".log");
        int port = ns.nextPort();
        Process chromedriver = ns.start(List.of(CHROMEDRIVER.toString(), "--port=" + port,
                "--allowed-ips=" + ns.hostAddress(), "--log-level=WARNING"), driverLog);
        Runnable stop = () -> {
            // Chromium is chromedriver's child (ip netns exec execs chromedriver in place).
            chromedriver.descendants().forEach(ProcessHandle::destroyForcibly);
            chromedriver.destroyForcibly();
            deleteQuietly(driverLog);
        };
        try {
            URI base = URI.create("http://" + ns.peerAddress() + ":" + port);
            awaitDriver(base, chromedriver, driverLog);
            return started(label, profileDir, stop, new RemoteWebDriver(base.toURL(), options(profileDir, extraFlags)));
        } catch (IOException | RuntimeException e) {
            stop.run();
            deleteRecursively(profileDir);
            throw e;
        }
    }

    private static void requireChromedriver() {
        if (!Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException(CHROMEDRIVER + " is missing: apt-get install -y chromium-driver");
        }
    }

    private static ChromeOptions options(Path profileDir, List<String> extraFlags) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--allow-loopback-in-peer-connection",
                "--user-data-dir=" + profileDir);
        options.addArguments(extraFlags);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        return options;
    }

    private static ChromiumPeer started(String label, Path profileDir, Runnable stopDriver, RemoteWebDriver driver) {
        try {
            driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
        return new ChromiumPeer(label, profileDir, stopDriver, driver);
    }

    /** Polls chromedriver's {@code /status} until it is ready for a session. */
    private static void awaitDriver(URI base, Process chromedriver, Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest status = HttpRequest.newBuilder(base.resolve("/status")).timeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(DRIVER_START);
        while (true) {
            try {
                HttpResponse<String> response = http.send(status, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"ready\":true")) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for chromedriver", e);
            }
            if (!chromedriver.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IOException("chromedriver at " + base + " not ready within " + DRIVER_START.toSeconds()
                        + " s (alive: " + chromedriver.isAlive() + "); its log: " + Files.readString(log));
            }
            sleep(Duration.ofMillis(100));
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void open(URI httpBase, String room) {
        driver.get(httpBase.resolve("/?room=" + enc(room) + "&name=" + enc(label)).toString());
    }

    /** As {@link #open(URI, String)}, preferring to send {@code videoCodec} (vp8, vp9, h264, av1). */
    void open(URI httpBase, String room, String videoCodec) {
        openWith(httpBase, room, "videoCodec=" + enc(videoCodec));
    }

    /** As {@link #open(URI, String)}, with more of the web client's URL options ({@code a=b&c=d}). */
    void openWith(URI httpBase, String room, String options) {
        driver.get(httpBase.resolve("/?room=" + enc(room) + "&name=" + enc(label) + "&" + options).toString());
    }

    /** Opens the web client with an access token ({@code ?token=}); it joins the token's room. */
    void openWithToken(URI httpBase, String token) {
        driver.get(httpBase.resolve("/?token=" + enc(token)).toString());
    }

    /** As {@link #openWithToken(URI, String)}, with more of the web client's URL options ({@code a=b&c=d}). */
    void openWithToken(URI httpBase, String token, String options) {
        driver.get(httpBase.resolve("/?token=" + enc(token) + "&" + options).toString());
    }

    /** Asks the relay for simulcast layer {@code quality} (low, medium, high) of a participant's video. */
    /** The last {@code activeSpeakers} list the page got: participantIds, the dominant speaker first. */
    @SuppressWarnings("unchecked")
    List<String> activeSpeakers() {
        return List.copyOf((List<String>) js().executeScript("return window.relay.activeSpeakers();"));
    }

    void setQuality(String participantId, String quality) {
        js().executeScript("window.relay.setQuality(arguments[0], arguments[1]);", participantId, quality);
    }

    @Override
    public String awaitReady(Duration timeout) {
        // The driver's own script timeout must outlast the page's, or a slow join ends in a bare
        // ScriptTimeout instead of the page's reason and status line.
        driver.manage().timeouts().scriptTimeout(timeout.plusSeconds(10));
        Object error;
        try {
            error = js().executeAsyncScript(
                "const [timeoutMs, done] = arguments;"
                        + "const start = Date.now();"
                        + "(function wait() {"
                        + "  if (window.relay) {"
                        + "    const timer = setTimeout(() => done('relay.ready not settled within ' + timeoutMs + ' ms'), timeoutMs);"
                        + "    window.relay.ready.then("
                        + "      () => { clearTimeout(timer); done(null); },"
                        + "      (e) => { clearTimeout(timer); done('relay.ready rejected: ' + ((e && e.message) || e)); });"
                        + "  } else if (Date.now() - start > timeoutMs) {"
                        + "    done('window.relay never appeared (did client.js load?)');"
                        + "  } else {"
                        + "    setTimeout(wait, 50);"
                        + "  }"
                        + "})();",
                timeout.toMillis());
        } finally {
            driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
        }
        if (error != null) {
            throw new AssertionError(label + ": " + error + "; status line: " + statusLine()
                    + "; last client events: " + lastClientEvents(8));
        }
        participantId = (String) js().executeScript("return window.relay.participantId;");
        if (participantId == null || participantId.isEmpty()) {
            throw new AssertionError(label + ": ready, but window.relay.participantId is empty");
        }
        return participantId;
    }

    @Override
    public String participantId() {
        return participantId;
    }

    /** The relay's last subscribe offer as the page applied it; null before the first. */
    String subscribeSdp() {
        return (String) js().executeScript("return window.relay ? window.relay.subscribeSdp() : null;");
    }

    /** m-sections in the relay's subscribe offer as the page applied it; 0 before the first. */
    int subscribeMediaSections() {
        // Counted in the page: the driver may hand strings back with their line ends changed.
        Object count = js().executeScript("const sdp = window.relay ? window.relay.subscribeSdp() : null;"
                + "return sdp == null ? 0 : sdp.split('\\nm=').length - 1;");
        return ((Number) count).intValue();
    }

    @Override
    public PeerStats stats() {
        return PeerStats.fromScript(js().executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "if (!window.relay) { done({error: 'window.relay missing'}); return; }"
                        + "window.relay.stats().then("
                        + "  (s) => { s.sinceJoinMs = window.relay.joinedAt == null ? null : performance.now() - window.relay.joinedAt; done(s); },"
                        + "  (e) => done({error: String((e && e.message) || e)}));"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> tiles() {
        return List.copyOf((List<String>) js().executeScript("return window.relay.tiles();"));
    }

    /** {@code window.relay.leave()}: sends {@code leave}, waits for {@code left}, closes both PeerConnections. */
    void leave() {
        Object error = js().executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "window.relay.leave().then(() => done(null), (e) => done(String((e && e.message) || e)));");
        if (error != null) {
            throw new AssertionError(label + ": leave() failed: " + error);
        }
    }

    /** The page's last {@code n} client events (window.relay.log), each as {@code +ms event}, on one line. */
    String lastClientEvents(int n) {
        try {
            return String.valueOf(js().executeScript(
                    "const log = window.relay ? window.relay.log : [];"
                            + "return log.slice(-arguments[0]).map((e) => JSON.stringify(e).slice(0, 160)).join(' | ');", n));
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getClass().getSimpleName() + ")";
        }
    }

    /** Selenium turns each entry into a Map. */
    @Override
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> logEntries(String event) {
        return (List<Map<String, Object>>) js().executeScript(
                "return (window.relay ? window.relay.log : []).filter((e) => e.event === arguments[0]);", event);
    }

    @Override
    public String statusLine() {
        try {
            return String.valueOf(js().executeScript(
                    "const s = document.getElementById('status'); return s ? s.textContent : null;"));
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getClass().getSimpleName() + ")";
        }
    }

    @Override
    public void dumpDiagnostics() {
        StringBuilder out = new StringBuilder();
        Object pageParticipantId;
        try {
            pageParticipantId = js().executeScript("return window.relay ? window.relay.participantId : null;");
        } catch (RuntimeException e) {
            pageParticipantId = participantId;
        }
        out.append("===== ").append(label).append(" (participantId ").append(pageParticipantId).append(") =====\n");
        try {
            out.append("url: ").append(driver.getCurrentUrl()).append('\n');
            out.append("status line: ").append(statusLine()).append('\n');
        } catch (RuntimeException e) {
            out.append("page unavailable: ").append(e).append('\n');
        }
        int clientEvents = 0;
        try {
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                // The client echoes each window.relay.log entry to the console; printed below.
                if (entry.getMessage().contains("\"[relay]\"")) {
                    clientEvents++;
                } else {
                    consoleLines.add(entry.getLevel() + " " + entry.getMessage());
                }
            }
        } catch (RuntimeException e) {
            consoleLines.add("(console log unavailable: " + e + ")");
        }
        out.append("--- browser console (").append(clientEvents).append(" client event lines omitted) ---\n");
        consoleLines.forEach(line -> out.append(line).append('\n'));
        try {
            Object log = js().executeScript(
                    "return window.relay ? window.relay.log.map((e) => JSON.stringify(e)).join('\\n') : '(no window.relay)';");
            out.append("--- window.relay.log ---\n").append(log).append('\n');
        } catch (RuntimeException e) {
            out.append("(window.relay.log unavailable: ").append(e).append(")\n");
        }
        try {
            out.append("--- stats ---\n").append(stats()).append('\n');
        } catch (RuntimeException | AssertionError e) {
            out.append("(stats unavailable: ").append(e).append(")\n");
        }
        System.out.print(out);
        System.out.flush();
    }

    /** Saves what the page shows (tiles, status line) as {@code dir/<name>-<label>.png}; returns the file. */
    @Override
    public Path saveScreenshot(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + label + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** Opens the web client with exactly this query string ({@code ""}: the join screen). */
    void openQuery(URI httpBase, String query) {
        driver.get(httpBase.resolve("/" + (query.isEmpty() ? "" : "?" + query)).toString());
    }

    /** Clicks the element with this id as a person would: a trusted click, a user activation. */
    void click(String elementId) {
        driver.findElement(org.openqa.selenium.By.id(elementId)).click();
    }

    /** Types into the form field named {@code name}, replacing what it held. */
    void type(String name, String text) {
        org.openqa.selenium.WebElement field = driver.findElement(org.openqa.selenium.By.name(name));
        field.clear();
        field.sendKeys(text);
    }

    /** Runs {@code script} in the page and returns its value as Selenium converts it. */
    Object script(String script, Object... args) {
        return js().executeScript(script, args);
    }

    /**
     * Runs {@code body} as an async function in the page ({@code arguments} available) and waits
     * for its result; a rejection becomes an AssertionError naming this peer.
     */
    Object await(String body, Object... args) {
        Object[] all = java.util.Arrays.copyOf(args, args.length);
        Object result = js().executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "const args = Array.prototype.slice.call(arguments, 0, -1);"
                        + "(async function() { " + body + " }).apply(null, args)"
                        + ".then((v) => done({ok: true, value: v === undefined ? null : v}),"
                        + " (e) => done({ok: false, error: String((e && e.message) || e)}));", all);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) result;
        if (!Boolean.TRUE.equals(map.get("ok"))) {
            throw new AssertionError(label + ": " + map.get("error"));
        }
        return map.get("value");
    }

    /**
     * Kills this browser's processes (found among this JVM's descendants by their profile
     * directory) without letting the page run any unload handler: the relay sees only the
     * WebSocket drop and the media stopping, as when a machine loses power or network.
     */
    void kill() {
        String marker = "--user-data-dir=" + profileDir;
        List<ProcessHandle> browsers = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
        if (browsers.isEmpty()) {
            throw new IllegalStateException(label + ": no Chromium process with " + marker);
        }
        for (ProcessHandle browser : browsers) {
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
        }
    }

    /** Quits the browser and deletes its profile. */
    @Override
    public void close() {
        try {
            driver.quit();
        } catch (RuntimeException e) {
            System.out.println(label + ": quit failed: " + e);
        } finally {
            stopDriver.run();
            deleteRecursively(profileDir);
        }
    }

    private JavascriptExecutor js() {
        return driver;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void sleep(Duration d) {
        BrowserPeer.sleep(d);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Best effort, as for profiles.
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | RuntimeException e) {
            // Best effort: a leftover temp profile is harmless.
        }
    }
}
