package dev.relay.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of one run and how they are computed. Everything "in the window" is a difference
 * between two snapshots taken {@link #windowSeconds} apart, after warm-up.
 *
 * <ul>
 *   <li>packets sent: RTP packets the synthetic publishers handed to their sockets.</li>
 *   <li>expected / received, per subscribed stream: the extended highest sequence number's
 *       advance (RFC 3550 A.3) versus packets that arrived, read from the SRTP header in the
 *       clear; loss = expected - received.</li>
 *   <li>latency: receive time minus the send time the publisher put in the payload, both
 *       System.nanoTime() of this process, for every decrypted packet.</li>
 *   <li>relay CPU: utime + stime from /proc/PID/stat over the window.</li>
 *   <li>egress per relay CPU-second: packets received by all subscribers, and the relay's own
 *       {@code relay_rtp_packets_sent_total}, each divided by the relay's CPU seconds.</li>
 *   <li>heap: {@code jvm_memory_used_bytes{area="heap"}} summed over pools, scraped at the window's
 *       start and end and every second between; GC from {@code jvm_gc_pause_seconds_count/_sum}.</li>
 * </ul>
 */
final class RunReport {
    final RunConfig config;
    int peers;
    int publishers;
    int receivers;
    int peersFailedToJoin;
    int publishersConnected;
    int streamsExpected;
    int streamsFlowing;
    double connectSeconds;
    double windowSeconds;
    final List<String> failures = new ArrayList<>();
    int signalingErrors;
    final List<String> signalingErrorMessages = new ArrayList<>();

    long transports;
    long transportsFailed;
    long audioPacketsSent;
    long videoPacketsSent;
    long keyframes;
    long keyframesOnRequest;
    long keyframeRequests;
    long maxPacerLateMicros;
    long framesLateOver10ms;
    long audioExpected;
    long audioReceived;
    long videoExpected;
    long videoReceived;
    long misrouted;
    long badProbes;
    long decryptFailures;
    long srtpFailures;
    long unknownSsrcPackets;
    long sendFailures;
    /** The busiest load generator loop's share of the window spent working rather than waiting. */
    double maxLoopBusyPercent;
    final LatencyHistogram audioLatency = new LatencyHistogram();
    final LatencyHistogram videoLatency = new LatencyHistogram();
    final LatencyHistogram allLatency = new LatencyHistogram();
    final List<LoopResult.StreamResult> streams = new ArrayList<>();

    Target target = Target.RELAY;
    /** Where the server ran: "loopback", or the namespace and its address. */
    String network = "loopback";
    /** How Janus was configured where it matters for CPU, e.g. "event_loops default (a thread per handle)". */
    String janusOptions = "";
    /** VmRSS of the server process at the window's end and the most seen (sampled every second), -1 if unknown. */
    long serverRssEndBytes = -1;
    long serverRssMaxBytes = -1;
    long relayPid = -1;
    double relayCpuSeconds = Double.NaN;
    double relayIdleCpuPercent = Double.NaN;
    double relayPacketsSent = Double.NaN;
    double relayPacketsReceived = Double.NaN;
    double heapStartBytes = Double.NaN;
    double heapEndBytes = Double.NaN;
    double heapMaxBytes = Double.NaN;
    double gcPauses = Double.NaN;
    double gcSeconds = Double.NaN;
    double relayThreads = Double.NaN;
    final Map<String, Double> dropsTotal = new TreeMap<>();
    final Map<String, Double> dropsInWindow = new TreeMap<>();
    /** The relay's transports by the protocol of their ICE-selected path, at the window's end. */
    final Map<String, Double> relayTransportsByProtocol = new TreeMap<>();
    double loadGeneratorCpuSeconds = Double.NaN;
    double machineBusyPercent = Double.NaN;
    double loadAverageStart = Double.NaN;
    double loadAverageEnd = Double.NaN;
    long udpInErrors = -1;
    long udpRcvbufErrors = -1;
    long udpSndbufErrors = -1;
    String relayLog;
    List<String> relayCommand;
    int relayWarnings;
    final List<String> relayWarningLines = new ArrayList<>();

    RunReport(RunConfig config) {
        this.config = config;
    }

    void addLoops(List<LoopResult> results) {
        for (LoopResult r : results) {
            audioLatency.add(r.audioLatency());
            videoLatency.add(r.videoLatency());
            transports += r.transports();
            transportsFailed += r.transportsFailed();
            srtpFailures += r.srtpFailures();
            unknownSsrcPackets += r.unknownSsrcPackets();
            sendFailures += r.sendFailures();
            maxLoopBusyPercent = Math.max(maxLoopBusyPercent, r.busyPercent());
            for (LoopResult.SourceResult s : r.sources()) {
                audioPacketsSent += s.audioPackets();
                videoPacketsSent += s.videoPackets();
                keyframes += s.keyframes();
                keyframesOnRequest += s.keyframesOnRequest();
                keyframeRequests += s.keyframeRequests();
                maxPacerLateMicros = Math.max(maxPacerLateMicros, s.maxLateMicros());
                framesLateOver10ms += s.framesLateOver10ms();
            }
            for (LoopResult.StreamResult s : r.streams()) {
                streams.add(s);
                if (!s.active()) {
                    continue;
                }
                if (s.video()) {
                    videoExpected += s.windowExpected();
                    videoReceived += s.windowReceived();
                } else {
                    audioExpected += s.windowExpected();
                    audioReceived += s.windowReceived();
                }
                misrouted += s.misrouted();
                badProbes += s.badProbes();
                decryptFailures += s.decryptFailures();
            }
        }
        allLatency.add(audioLatency);
        allLatency.add(videoLatency);
    }

    void addRelay(RelaySnapshot start, RelaySnapshot end, double heapMax, long ticksPerSecond) {
        if (start.cpuTicks() >= 0 && end.cpuTicks() >= 0) {
            relayCpuSeconds = (end.cpuTicks() - start.cpuTicks()) / (double) ticksPerSecond;
        }
        relayPacketsSent = end.rtpPacketsSent() - start.rtpPacketsSent();
        relayPacketsReceived = end.rtpPacketsReceived() - start.rtpPacketsReceived();
        heapStartBytes = start.heapUsedBytes();
        heapEndBytes = end.heapUsedBytes();
        heapMaxBytes = max(heapMax, max(heapStartBytes, heapEndBytes));
        gcPauses = end.gcPauses() - start.gcPauses();
        gcSeconds = end.gcPauseSeconds() - start.gcPauseSeconds();
        relayThreads = end.threads();
        relayTransportsByProtocol.putAll(end.transportsByProtocol());
        for (Map.Entry<String, Double> e : end.drops().entrySet()) {
            if (e.getValue() > 0) {
                dropsTotal.put(e.getKey(), e.getValue());
                double delta = e.getValue() - start.drops().getOrDefault(e.getKey(), 0.0);
                if (delta > 0) {
                    dropsInWindow.put(e.getKey(), delta);
                }
            }
        }
    }

    long packetsSent() {
        return audioPacketsSent + videoPacketsSent;
    }

    long packetsExpected() {
        return audioExpected + videoExpected;
    }

    long packetsReceived() {
        return audioReceived + videoReceived;
    }

    long packetsLost() {
        return packetsExpected() - packetsReceived();
    }

    double lossPercent() {
        return packetsExpected() == 0 ? 0 : 100.0 * packetsLost() / packetsExpected();
    }

    /** Packets all subscribers received per second of relay CPU. */
    double egressPerRelayCpuSecond() {
        return relayCpuSeconds > 0 ? packetsReceived() / relayCpuSeconds : Double.NaN;
    }

    /** The relay's own count of SRTP packets sent per second of its CPU. */
    double relayCounterEgressPerCpuSecond() {
        return relayCpuSeconds > 0 ? relayPacketsSent / relayCpuSeconds : Double.NaN;
    }

    boolean allStreamsFlowing() {
        return streamsFlowing == streamsExpected && publishersConnected == publishers && peersFailedToJoin == 0;
    }

    String toText() {
        StringBuilder out = new StringBuilder();
        int cores = Runtime.getRuntime().availableProcessors();
        String relay = target == Target.JANUS ? "janus pid " + relayPid + " (VideoRoom, " + janusOptions + ", " + network + ")"
                : config.relayUri() == null
                ? "child relay pid " + relayPid + " (" + relayOptions() + ", " + network + ")"
                : "external relay " + config.relayUri() + (relayPid > 0 ? " pid " + relayPid : " (no --relay-pid: no CPU)");
        line(out, "scenario", "%s, %d room(s) of %s; %d peers (%d publishing, %d receiving), %d transports",
                config.scenario().label(), config.rooms(), sizeLabel(), peers, publishers, receivers, transports);
        line(out, "setup", "%s; connected in %.1f s, warm-up %d s, window %.2f s", relay, connectSeconds,
                config.warmupSeconds(), windowSeconds);
        line(out, "peer path", "%s%s", config.iceTcp()
                        ? "ICE-TCP: one active TCP connection per transport to the relay's passive candidate (RFC 6544,"
                        + " RFC 4571 framing)" : "UDP",
                relayTransportsByProtocol.isEmpty() ? "" : "; the relay's selected paths: " + relayTransportsByProtocol
                        .entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                        .reduce((a, b) -> a + ", " + b).orElse(""));
        String server = target == Target.JANUS ? "Janus" : "the relay";
        line(out, "machine", "%d cores shared by %s and the load generator (%d I/O loops); %s + load"
                        + " generator used %s of them; all processes %s (/proc/stat, tick-sampled)", cores,
                server, config.loops(), target.label(), pct((relayCpuSeconds + loadGeneratorCpuSeconds) / (windowSeconds * cores) * 100),
                pct(machineBusyPercent));
        line(out, "", "load average %s -> %s; kernel UDP errors in the window (all sockets): InErrors %d,"
                        + " RcvbufErrors %d, SndbufErrors %d", num(loadAverageStart, "%.2f"),
                num(loadAverageEnd, "%.2f"), udpInErrors, udpRcvbufErrors, udpSndbufErrors);
        line(out, "streams", "%d/%d flowing, %d/%d publishers connected, %d transports failed%s", streamsFlowing,
                streamsExpected, publishersConnected, publishers, transportsFailed,
                peersFailedToJoin > 0 ? ", " + peersFailedToJoin + " peers failed to join" : "");
        line(out, "sent", "%,d RTP packets by publishers (audio %,d, video %,d at %d kbit/s, %s); %,d keyframes"
                        + " (%,d on PLI/FIR, %,d requests)", packetsSent(), audioPacketsSent, videoPacketsSent,
                config.videoBitrateKbps(), config.pacingFactor() == 0 ? "frames in bursts"
                        : "paced at " + config.pacingFactor() + "x", keyframes, keyframesOnRequest, keyframeRequests);
        line(out, "received", "expected %,d, received %,d, lost %,d (%.3f %%); audio %,d/%,d, video %,d/%,d",
                packetsExpected(), packetsReceived(), packetsLost(), lossPercent(), audioReceived, audioExpected,
                videoReceived, videoExpected);
        line(out, "latency", "p50 %s  p99 %s  max %s ms (%,d samples); audio p50 %s p99 %s, video p50 %s p99 %s",
                ms(allLatency.percentileMicros(0.50)), ms(allLatency.percentileMicros(0.99)),
                ms(allLatency.count() == 0 ? -1 : allLatency.maxMicros()), allLatency.count(),
                ms(audioLatency.percentileMicros(0.50)), ms(audioLatency.percentileMicros(0.99)),
                ms(videoLatency.percentileMicros(0.50)), ms(videoLatency.percentileMicros(0.99)));
        String who = target.label();
        line(out, who + " CPU", "%s s in the window (%s of one core); idle before the run: %s of one core",
                num(relayCpuSeconds, "%.2f"), pct(relayCpuSeconds / windowSeconds * 100), pct(relayIdleCpuPercent));
        if (target == Target.RELAY) {
            line(out, "relay egress", "%s pkt/s (relay_rtp_packets_sent_total), %s pkt/s received by subscribers;"
                            + " ingress %s pkt/s", num(relayPacketsSent / windowSeconds, "%,.0f"),
                    num(packetsReceived() / windowSeconds, "%,.0f"),
                    num(relayPacketsReceived / windowSeconds, "%,.0f"));
            line(out, "per CPU-s", "%s egress packets per relay CPU-second (subscribers' count), %s (relay counter)",
                    num(egressPerRelayCpuSecond(), "%,.0f"), num(relayCounterEgressPerCpuSecond(), "%,.0f"));
        } else {
            line(out, who + " egress", "%s pkt/s received by subscribers",
                    num(packetsReceived() / windowSeconds, "%,.0f"));
            line(out, "per CPU-s", "%s egress packets per %s CPU-second (subscribers' count)",
                    num(egressPerRelayCpuSecond(), "%,.0f"), who);
        }
        line(out, who + " RSS", "end %s, max seen %s MiB (VmRSS, /proc/PID/status)",
                mib(serverRssEndBytes < 0 ? Double.NaN : serverRssEndBytes),
                mib(serverRssMaxBytes < 0 ? Double.NaN : serverRssMaxBytes));
        if (target == Target.RELAY) {
            line(out, "relay heap", "start %s, end %s, max seen %s MiB; GC %s pauses, %s ms in the window; %s threads",
                    mib(heapStartBytes), mib(heapEndBytes), mib(heapMaxBytes), num(gcPauses, "%.0f"),
                    num(gcSeconds * 1000, "%.0f"), num(relayThreads, "%.0f"));
            line(out, "relay drops", "%s", dropsTotal.isEmpty() ? "none"
                    : dropsTotal.entrySet().stream()
                            .map(e -> String.format(Locale.ROOT, "%s=%.0f (+%.0f in window)", e.getKey(), e.getValue(),
                                    dropsInWindow.getOrDefault(e.getKey(), 0.0)))
                            .reduce((a, b) -> a + ", " + b).orElse(""));
        }
        line(out, "load gen", "CPU %s s in the window; busiest I/O loop %.0f %% busy; pacer max late %.1f ms,"
                        + " %,d video frames >10 ms late%s", num(loadGeneratorCpuSeconds, "%.2f"), maxLoopBusyPercent,
                maxPacerLateMicros / 1000.0, framesLateOver10ms,
                maxLoopBusyPercent > 80 ? "  (SATURATED: latency and loss include the load generator's own backlog)" : "");
        if (misrouted + badProbes + decryptFailures + srtpFailures + unknownSsrcPackets + sendFailures > 0) {
            line(out, "anomalies", "misrouted %,d, bad probes %,d, SRTP decrypt failures %,d, SRTP/SRTCP other failures %,d,"
                            + " unknown SSRC %,d, send failures %,d", misrouted, badProbes, decryptFailures, srtpFailures,
                    unknownSsrcPackets, sendFailures);
        }
        if (signalingErrors > 0) {
            line(out, "signaling", "%d error replies, e.g. %s", signalingErrors, signalingErrorMessages);
        }
        for (String failure : failures) {
            line(out, "failure", "%s", failure);
        }
        if (relayLog != null) {
            line(out, target.label() + " log", "%s (%d WARN/ERROR lines)", relayLog, relayWarnings);
            for (String warning : relayWarningLines) {
                out.append("    ").append(warning).append('\n');
            }
        }
        return out.toString();
    }

    ObjectNode toJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("scenario", config.scenario().label());
        root.put("rooms", config.rooms());
        root.put("size", config.size());
        root.put("peers", peers);
        root.put("publishers", publishers);
        root.put("receivers", receivers);
        root.put("transports", transports);
        root.put("transportsFailed", transportsFailed);
        root.put("peersFailedToJoin", peersFailedToJoin);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("loops", config.loops());
        root.put("connectSeconds", round(connectSeconds, 3));
        root.put("warmupSeconds", config.warmupSeconds());
        root.put("windowSeconds", round(windowSeconds, 3));
        root.put("videoBitrateKbps", config.videoBitrateKbps());
        root.put("pacingFactor", config.pacingFactor());
        root.put("peerPath", config.iceTcp() ? "tcp" : "udp");
        ObjectNode streamsNode = root.putObject("streams");
        streamsNode.put("expected", streamsExpected);
        streamsNode.put("flowing", streamsFlowing);
        ObjectNode sent = root.putObject("sent");
        sent.put("packets", packetsSent());
        sent.put("audio", audioPacketsSent);
        sent.put("video", videoPacketsSent);
        sent.put("keyframes", keyframes);
        sent.put("keyframesOnRequest", keyframesOnRequest);
        ObjectNode received = root.putObject("received");
        received.put("expected", packetsExpected());
        received.put("received", packetsReceived());
        received.put("lost", packetsLost());
        received.put("lossPercent", round(lossPercent(), 4));
        received.put("audioExpected", audioExpected);
        received.put("audioReceived", audioReceived);
        received.put("videoExpected", videoExpected);
        received.put("videoReceived", videoReceived);
        ObjectNode latency = root.putObject("latencyMs");
        latency(latency.putObject("all"), allLatency);
        latency(latency.putObject("audio"), audioLatency);
        latency(latency.putObject("video"), videoLatency);
        root.put("target", target.label());
        root.put("network", network);
        // "relay" is the server under test, whichever it is (the key predates Janus runs).
        ObjectNode relay = root.putObject("relay");
        if (serverRssMaxBytes >= 0) {
            relay.put("rssMaxBytes", serverRssMaxBytes);
            relay.put("rssEndBytes", serverRssEndBytes);
        }
        if (relayPid > 0) {
            relay.put("pid", relayPid);
        }
        put(relay, "cpuSeconds", relayCpuSeconds);
        put(relay, "cpuPercentOfOneCore", relayCpuSeconds / windowSeconds * 100);
        put(relay, "idleCpuPercentOfOneCore", relayIdleCpuPercent);
        put(relay, "egressPacketsPerSecond", relayPacketsSent / windowSeconds);
        put(relay, "subscriberReceivedPacketsPerSecond", packetsReceived() / windowSeconds);
        put(relay, "ingressPacketsPerSecond", relayPacketsReceived / windowSeconds);
        put(relay, "egressPerCpuSecond", egressPerRelayCpuSecond());
        put(relay, "egressPerCpuSecondRelayCounter", relayCounterEgressPerCpuSecond());
        put(relay, "heapStartBytes", heapStartBytes);
        put(relay, "heapEndBytes", heapEndBytes);
        put(relay, "heapMaxBytes", heapMaxBytes);
        put(relay, "gcPauses", gcPauses);
        put(relay, "gcSeconds", gcSeconds);
        put(relay, "threads", relayThreads);
        ObjectNode selected = relay.putObject("transportsSelected");
        relayTransportsByProtocol.forEach(selected::put);
        ObjectNode drops = relay.putObject("dropsTotal");
        dropsTotal.forEach(drops::put);
        ObjectNode windowDrops = relay.putObject("dropsInWindow");
        dropsInWindow.forEach(windowDrops::put);
        relay.put("logWarnings", relayWarnings);
        if (relayLog != null) {
            relay.put("log", relayLog);
        }
        ObjectNode loadgen = root.putObject("loadGenerator");
        put(loadgen, "cpuSeconds", loadGeneratorCpuSeconds);
        put(loadgen, "machineBusyPercent", machineBusyPercent);
        put(loadgen, "loadAverageStart", loadAverageStart);
        put(loadgen, "loadAverageEnd", loadAverageEnd);
        loadgen.put("udpInErrors", udpInErrors);
        loadgen.put("udpRcvbufErrors", udpRcvbufErrors);
        loadgen.put("udpSndbufErrors", udpSndbufErrors);
        loadgen.put("maxPacerLateMs", round(maxPacerLateMicros / 1000.0, 3));
        loadgen.put("maxLoopBusyPercent", round(maxLoopBusyPercent, 1));
        loadgen.put("videoFramesLateOver10ms", framesLateOver10ms);
        ObjectNode anomalies = root.putObject("anomalies");
        anomalies.put("misrouted", misrouted);
        anomalies.put("badProbes", badProbes);
        anomalies.put("decryptFailures", decryptFailures);
        anomalies.put("srtpFailures", srtpFailures);
        anomalies.put("unknownSsrcPackets", unknownSsrcPackets);
        anomalies.put("sendFailures", sendFailures);
        anomalies.put("signalingErrors", signalingErrors);
        ArrayNode failuresNode = root.putArray("failures");
        failures.forEach(failuresNode::add);
        signalingErrorMessages.forEach(failuresNode::add);
        return root;
    }

    private String relayOptions() {
        return "workers " + (config.relayWorkers() == null ? "default" : config.relayWorkers())
                + ", io-threads " + (config.relayIoThreads() == null ? "default" : config.relayIoThreads());
    }

    private String sizeLabel() {
        return config.scenario() == Scenario.BROADCAST ? "1 publisher -> " + config.size() + " subscribers"
                : config.size() + " participants";
    }

    private static void latency(ObjectNode node, LatencyHistogram h) {
        node.put("samples", h.count());
        if (h.count() > 0) {
            node.put("p50", h.percentileMicros(0.50) / 1000.0);
            node.put("p99", h.percentileMicros(0.99) / 1000.0);
            node.put("max", h.maxMicros() / 1000.0);
        }
    }

    private static void put(ObjectNode node, String field, double value) {
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
            node.put(field, round(value, 3));
        }
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static void line(StringBuilder out, String label, String format, Object... args) {
        out.append(String.format(Locale.ROOT, "%-13s", label)).append(String.format(Locale.ROOT, format, args))
                .append('\n');
    }

    private static String ms(long micros) {
        return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    private static String mib(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / (1024 * 1024));
    }

    private static String pct(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", value);
    }

    private static String num(double value, String format) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }
}
