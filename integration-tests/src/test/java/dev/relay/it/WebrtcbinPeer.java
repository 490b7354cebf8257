package dev.relay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One participant whose PeerConnection is GStreamer's webrtcbin (1.22), run by
 * {@code src/test/python/webrtcbin_peer.py} under Debian's {@code /usr/bin/python3}. This class
 * holds the participant's signaling WebSocket ({@code docs/signaling.md}) and carries SDP and
 * candidates between it and the process's JSON lines; the process reports its connection state
 * and, as a subscriber, how many video frames and audio buffers it has decoded.
 *
 * <p>One process is one PeerConnection: a {@link Role#PUBLISH} peer offers VP8 and Opus and
 * ignores the relay's subscribe offers; a {@link Role#SUBSCRIBE} peer never publishes and answers
 * every subscribe offer.
 *
 * <p>The process inherits the environment, so {@code GST_DEBUG=webrtcbin:5} or
 * {@code G_MESSAGES_DEBUG=all NICE_DEBUG=all} (libnice) on the Maven command line end up in its
 * stderr, {@code target/webrtcbin/<label>-<participantId>.log}.
 */
final class WebrtcbinPeer implements AutoCloseable {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Surefire runs with the module as working directory. */
    static final Path SCRIPT = Path.of("src", "test", "python", "webrtcbin_peer.py");
    private static final Path LOG_DIR = Path.of("target", "webrtcbin");
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Role {
        PUBLISH("publish"),
        SUBSCRIBE("subscribe");

        /** The {@code pc} field of a {@code candidate} message, and the script's {@code --role}. */
        final String pc;

        Role(String pc) {
            this.pc = pc;
        }
    }

    final String label;
    private final Role role;
    private final SignalingClient signaling;
    private final String participantId;
    private final long joinSentNanos;
    private final Path logFile;
    private Process process;
    private Writer toPeer;
    private Thread fromPeerThread;
    private Thread fromRelayThread;
    private volatile boolean closing;

    private volatile String localSdp;
    private volatile String relaySdp;
    private volatile String connectionState = "new";
    private volatile long connectedMs = -1;
    private volatile long videoFrames;
    private volatile long audioBuffers;
    private volatile long firstVideoMs = -1;
    private volatile long firstAudioMs = -1;
    /** The version of the subscribe offer handed to the process and not yet answered. */
    private volatile long offeredVersion = -1;
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private WebrtcbinPeer(String label, Role role, SignalingClient signaling, String participantId,
                          long joinSentNanos) {
        this.label = label;
        this.role = role;
        this.signaling = signaling;
        this.participantId = participantId;
        this.joinSentNanos = joinSentNanos;
        this.logFile = LOG_DIR.resolve(label + "-" + participantId + ".log");
    }

    /**
     * True if {@code /usr/bin/python3} can load webrtcbin through GObject introspection
     * ({@code apt-get install -y gstreamer1.0-plugins-bad gstreamer1.0-nice gir1.2-gst-plugins-bad-1.0
     * python3-gi}, RUNBOOK "Non-browser WebRTC peers").
     */
    static boolean installed() {
        if (!Files.isExecutable(PYTHON) || !Files.isRegularFile(SCRIPT)) {
            return false;
        }
        String probe = "import gi, sys;"
                + "gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0');"
                + "gi.require_version('GstSdp', '1.0');"
                + "from gi.repository import Gst, GstWebRTC, GstSdp; Gst.init(None);"
                + "sys.exit(0 if all(Gst.ElementFactory.find(e) for e in"
                + " ('webrtcbin', 'nicesrc', 'vp8enc', 'vp8dec', 'opusenc', 'opusdec')) else 1)";
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", probe)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
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

    /** Joins {@code room} over signaling, then starts the webrtcbin process for {@code role}. */
    static WebrtcbinPeer join(URI webSocket, String room, String label, Role role) throws Exception {
        SignalingClient signaling = SignalingClient.connect(webSocket, REPLY);
        try {
            long joinSent = System.nanoTime();
            signaling.send(JSON.createObjectNode().put("type", "join").put("room", room).put("name", label).toString());
            JsonNode joined = signaling.next(m -> m.path("type").asText().equals("joined"), "joined", REPLY);
            WebrtcbinPeer peer = new WebrtcbinPeer(label, role, signaling, joined.get("participantId").asText(),
                    joinSent);
            peer.start();
            return peer;
        } catch (Exception | Error e) {
            signaling.close();
            throw e;
        }
    }

    private void start() throws IOException {
        Files.createDirectories(LOG_DIR);
        process = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), "--role", role.pc)
                .redirectError(logFile.toFile())
                .start();
        toPeer = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        fromPeerThread = new Thread(this::readPeer, "webrtcbin-" + label + "-stdout");
        fromRelayThread = new Thread(this::readRelay, "webrtcbin-" + label + "-signaling");
        fromPeerThread.setDaemon(true);
        fromRelayThread.setDaemon(true);
        fromPeerThread.start();
        fromRelayThread.start();
    }

    String participantId() {
        return participantId;
    }

    /** The process's last local SDP: its publish offer, or its answer to a subscribe offer. */
    String localSdp() {
        return localSdp;
    }

    /** The relay's last SDP to this peer: the publish answer, or a subscribe offer. */
    String relaySdp() {
        return relaySdp;
    }

    long videoFrames() {
        return videoFrames;
    }

    long audioBuffers() {
        return audioBuffers;
    }

    /** Milliseconds from sending {@code join} to the first decoded video frame; -1 before. */
    long firstVideoMs() {
        return firstVideoMs;
    }

    /** Milliseconds from sending {@code join} to the first decoded audio buffer; -1 before. */
    long firstAudioMs() {
        return firstAudioMs;
    }

    /** Milliseconds from sending {@code join} to webrtcbin's connection-state {@code connected}; -1 before. */
    long connectedMs() {
        return connectedMs;
    }

    /** Waits for webrtcbin's connection-state {@code connected} (ICE and DTLS done). */
    void awaitConnected(Duration timeout) {
        await("connection-state connected", timeout, () -> "connected".equals(connectionState));
    }

    /** Waits until more than {@code frames} video frames and some audio have been decoded. */
    void awaitDecoded(int frames, Duration timeout) {
        await("more than " + frames + " decoded video frames and decoded audio", timeout,
                () -> videoFrames > frames && audioBuffers > 0);
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // An error (from the relay or webrtcbin) fails the wait even if the counts got there first.
            if (!errors.isEmpty()) {
                throw new AssertionError(label + " (webrtcbin " + role.pc + "): error while waiting for " + what
                        + ": " + this + "\n" + diagnostics());
            }
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError(label + " (webrtcbin " + role.pc + "): " + what + " not reached within "
                        + timeout.toMillis() + " ms: " + this + "\n" + diagnostics());
            }
            BrowserPeer.sleep(POLL);
        }
    }

    /**
     * Errors from the relay or the process, the last SDPs both ways, and the process's stderr.
     * Every SDP is also kept in {@code target/webrtcbin/}.
     */
    String diagnostics() {
        StringBuilder out = new StringBuilder();
        out.append("errors: ").append(errors).append('\n');
        out.append("--- ").append(label).append(" local SDP ---\n").append(localSdp).append('\n');
        out.append("--- relay SDP to ").append(label).append(" ---\n").append(relaySdp).append('\n');
        out.append("--- ").append(label).append(" stderr (").append(logFile.toAbsolutePath()).append(") ---\n");
        try {
            List<String> lines = Files.readAllLines(logFile);
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
        } catch (IOException e) {
            out.append("(unavailable: ").append(e).append(")\n");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "connection=" + connectionState + " connectedMs=" + connectedMs + " videoFrames=" + videoFrames
                + " audioBuffers=" + audioBuffers + " firstVideoMs=" + firstVideoMs + " firstAudioMs=" + firstAudioMs
                + " alive=" + (process != null && process.isAlive()) + " errors=" + errors.size();
    }

    private long sinceJoinMs() {
        return (System.nanoTime() - joinSentNanos) / 1_000_000;
    }

    /** The process's lines: SDP and candidates go to the relay, the rest updates the fields above. */
    private void readPeer() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("{")) {
                    continue; // not a protocol line: the script moves stray library output to stderr
                }
                JsonNode msg = JSON.readTree(line);
                switch (msg.path("type").asText()) {
                    case "offer" -> {
                        localSdp = save("local-offer", msg.get("sdp").asText());
                        signaling.send(JSON.createObjectNode().put("type", "publish").put("sdp", localSdp).toString());
                    }
                    case "answer" -> {
                        localSdp = save("local-answer", msg.get("sdp").asText());
                        signaling.send(JSON.createObjectNode().put("type", "subscribeAnswer").put("sdp", localSdp)
                                .put("version", offeredVersion).toString());
                    }
                    case "candidate" -> {
                        ObjectNode candidate = JSON.createObjectNode()
                                .put("candidate", msg.get("candidate").asText())
                                .put("sdpMLineIndex", msg.get("sdpMLineIndex").asInt());
                        if (msg.hasNonNull("sdpMid")) {
                            candidate.put("sdpMid", msg.get("sdpMid").asText());
                        }
                        sendCandidate(candidate);
                    }
                    case "endOfCandidates" -> sendCandidate(null);
                    case "state" -> {
                        connectionState = msg.get("connection").asText();
                        if ("connected".equals(connectionState) && connectedMs < 0) {
                            connectedMs = sinceJoinMs();
                        }
                    }
                    case "firstBuffer" -> {
                        if (msg.get("kind").asText().equals("video")) {
                            firstVideoMs = sinceJoinMs();
                        } else {
                            firstAudioMs = sinceJoinMs();
                        }
                    }
                    case "stats" -> {
                        videoFrames = msg.get("videoFrames").asLong();
                        audioBuffers = msg.get("audioBuffers").asLong();
                    }
                    case "error" -> errors.add("webrtcbin: " + msg.get("message").asText());
                    default -> {
                        // "started" and anything newer: informational.
                    }
                }
            }
        } catch (Exception e) {
            if (!closing) {
                errors.add("reading webrtcbin's stdout: " + e);
            }
        }
    }

    private void sendCandidate(ObjectNode candidate) throws Exception {
        ObjectNode msg = JSON.createObjectNode().put("type", "candidate").put("pc", role.pc);
        msg.set("candidate", candidate);
        signaling.send(msg.toString());
    }

    /** The relay's frames: its SDP goes to the process; errors are kept for the failure message. */
    private void readRelay() {
        try {
            while (!closing) {
                JsonNode msg = signaling.poll(POLL);
                if (msg == null) {
                    continue;
                }
                switch (msg.path("type").asText()) {
                    case "publishAnswer" -> {
                        relaySdp = save("relay-answer", msg.get("sdp").asText());
                        toPeer("answer", relaySdp);
                    }
                    case "subscribeOffer" -> {
                        if (role == Role.SUBSCRIBE) {
                            relaySdp = save("relay-offer-v" + msg.get("version").asLong(), msg.get("sdp").asText());
                            offeredVersion = msg.get("version").asLong();
                            toPeer("offer", relaySdp);
                        }
                    }
                    case "error" -> errors.add("relay: " + msg);
                    default -> {
                        // Room events (participantJoined, trackPublished, ...): not needed here.
                    }
                }
            }
        } catch (Exception e) {
            if (!closing) {
                errors.add("reading signaling: " + e);
            }
        }
    }

    /** Keeps {@code sdp} as {@code target/webrtcbin/<label>-<name>.sdp} for a look after the run. */
    private String save(String name, String sdp) throws IOException {
        Files.writeString(LOG_DIR.resolve(label + "-" + name + ".sdp"), sdp);
        return sdp;
    }

    private void toPeer(String type, String sdp) throws IOException {
        String line = JSON.createObjectNode().put("type", type).put("sdp", sdp).toString();
        synchronized (this) {
            toPeer.write(line);
            toPeer.write('\n');
            toPeer.flush();
        }
    }

    /** Sends {@code leave}, stops the process (a {@code stop} line, then a kill) and closes the WebSocket. */
    @Override
    public void close() {
        closing = true;
        try {
            signaling.send("{\"type\":\"leave\"}");
        } catch (Exception e) {
            // The relay may be gone already; closing the socket below is enough.
        }
        try {
            if (process != null && process.isAlive()) {
                try {
                    synchronized (this) {
                        toPeer.write("{\"type\":\"stop\"}\n");
                        toPeer.flush();
                    }
                } catch (IOException e) {
                    // Already gone.
                }
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            signaling.close();
        }
    }
}
