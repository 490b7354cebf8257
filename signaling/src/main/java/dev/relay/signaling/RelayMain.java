package dev.relay.signaling;

import dev.relay.cluster.RoomRouter;
import dev.relay.signaling.auth.OriginPolicy;
import dev.relay.signaling.cluster.ClusterConfig;
import dev.relay.signaling.events.EventsConfig;
import dev.relay.signaling.turn.TurnConfig;
import dev.relay.transport.dtls.DtlsHandshakes;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command-line entry point: starts the relay with embedded defaults and prints the client URL;
 * {@code relay token} prints an access token instead.
 */
@Command(name = "relay", mixinStandardHelpOptions = true, subcommands = TokenCommand.class,
        description = "WebRTC selective forwarding unit with WebSocket signaling.")
public final class RelayMain implements Callable<Integer> {
    @Option(names = "--bind", description = "Address to bind HTTP and media sockets (default: ${DEFAULT-VALUE}).")
    String bind = envOr("RELAY_BIND", "0.0.0.0");

    @Option(names = "--http-port", description = "HTTP/WebSocket port (default: ${DEFAULT-VALUE}).")
    int httpPort = Integer.parseInt(envOr("RELAY_HTTP_PORT", "8080"));

    @Option(names = "--media-port", description = "UDP port shared by all peers (default: ${DEFAULT-VALUE}).")
    int mediaPort = Integer.parseInt(envOr("RELAY_MEDIA_PORT", "10000"));

    @Option(names = "--media-tcp-port",
            description = "TCP port of passive ICE-TCP candidates (RFC 6544) for peers whose network blocks UDP; "
                    + "-1: none (env RELAY_MEDIA_TCP_PORT; default: the --media-port number).")
    Integer mediaTcpPort = System.getenv("RELAY_MEDIA_TCP_PORT") == null ? null
            : Integer.valueOf(System.getenv("RELAY_MEDIA_TCP_PORT"));

    @Option(names = "--turn-urls", split = ",",
            description = "TURN servers handed to clients, e.g. turns:turn.example.com:443?transport=tcp "
                    + "(env RELAY_TURN_URLS; default: none). Needs --turn-secret.")
    List<String> turnUrls = envOr("RELAY_TURN_URLS", "").isEmpty() ? List.of()
            : List.of(envOr("RELAY_TURN_URLS", "").split(","));

    @Option(names = "--turn-secret", description = "The secret the TURN servers check credentials with "
            + "(coturn static-auth-secret; env RELAY_TURN_SECRET).")
    String turnSecret = System.getenv("RELAY_TURN_SECRET");

    @Option(names = "--turn-ttl", converter = DurationConverter.class,
            description = "How long the TURN credentials of a join stay valid (env RELAY_TURN_TTL; default: 12h).")
    Duration turnTtl = parseDuration(envOr("RELAY_TURN_TTL", "12h"));

    @Option(names = "--redis-url", description = "Redis of a cluster's node registry and room directory, e.g. "
            + "redis://redis:6379/0 (env RELAY_REDIS_URL; default: none, a relay on its own). docs/scale-out.md.")
    String redisUrl = System.getenv("RELAY_REDIS_URL");

    @Option(names = "--public-url", description = "With --redis-url: this relay's signaling URL as clients reach "
            + "it, where other nodes redirect its rooms' joins, e.g. wss://relay-0.example.com/ws (env RELAY_PUBLIC_URL).")
    String publicUrl = System.getenv("RELAY_PUBLIC_URL");

    @Option(names = "--cluster-span", description = "With --redis-url: when a join of a room another node holds "
            + "stays on this node, the room spanning both over a pipe: never, when-full (the room's node has less than "
            + "10 %% headroom) or always (env RELAY_CLUSTER_SPAN; default: when-full with RELAY_CLUSTER_SECRET set, "
            + "else never). docs/scale-out.md \"Rooms across nodes\".")
    String clusterSpan = System.getenv("RELAY_CLUSTER_SPAN");

    /** The secret all nodes share for their pipes' key exchange; from the environment only, never argv. */
    String clusterSecret = System.getenv("RELAY_CLUSTER_SECRET");

    @Option(names = "--cluster-address", description = "With --redis-url: the IP address other nodes send this "
            + "node's pipe media to, e.g. the pod IP (env RELAY_CLUSTER_ADDRESS; default: the first --advertise).")
    String clusterAddress = System.getenv("RELAY_CLUSTER_ADDRESS");

    @Option(names = "--capacity-pps", description = "With --redis-url: egress packets per second this relay can "
            + "carry, for placement (env RELAY_CAPACITY_PPS; default: 60000).")
    double capacityPps = Double.parseDouble(envOr("RELAY_CAPACITY_PPS", "60000"));

    @Option(names = "--advertise", split = ",",
            description = "Address(es) put in ICE host candidates (default: ${DEFAULT-VALUE}).")
    List<String> advertise = List.of(envOr("RELAY_ADVERTISE", "127.0.0.1").split(","));

    @Option(names = "--io-threads", description = "UDP event loops / SO_REUSEPORT sockets.")
    int ioThreads = RelayConfig.defaults().ioThreads();

    @Option(names = "--workers", description = "Media worker threads.")
    int workerThreads = RelayConfig.defaults().workerThreads();

    @Option(names = "--ice-timeout", converter = DurationConverter.class,
            description = "Remove a participant whose connected PeerConnection sent no ICE check or authenticated "
                    + "media for this long (reason ice_failed; default: 30s).")
    Duration iceTimeout = parseDuration(envOr("RELAY_ICE_TIMEOUT", "30s"));

    @Option(names = "--nack", negatable = true,
            description = "Retransmit video lost on the way to subscribers (NACK/RTX, docs/quality.md); "
                    + "--no-nack only to measure what it is worth (default: on).")
    boolean nack = Boolean.parseBoolean(envOr("RELAY_NACK", "true"));

    @Option(names = "--red", negatable = true,
            description = "Ask publishers for Opus with redundancy (RED, RFC 2198) and pass it on, so that "
                    + "subscribers conceal less audio on lossy links (docs/quality.md); --no-red only to measure "
                    + "what it is worth (default: on).")
    boolean red = Boolean.parseBoolean(envOr("RELAY_RED", "true"));

    @Option(names = "--dtls-max-handshakes",
            description = "DTLS handshakes in flight at once; each holds a thread until it ends "
                    + "(default: ${DEFAULT-VALUE}).")
    int dtlsMaxHandshakes = Integer.parseInt(envOr("RELAY_DTLS_MAX_HANDSHAKES",
            String.valueOf(DtlsHandshakes.Limits.DEFAULT_MAX_HANDSHAKES)));

    @Option(names = "--dtls-max-handshakes-per-ip",
            description = "DTLS handshakes in flight from one IPv4 address or IPv6 /64 (default: ${DEFAULT-VALUE}).")
    int dtlsMaxHandshakesPerIp = Integer.parseInt(envOr("RELAY_DTLS_MAX_HANDSHAKES_PER_IP",
            String.valueOf(DtlsHandshakes.Limits.DEFAULT_MAX_HANDSHAKES_PER_ADDRESS)));

    @Option(names = "--dtls-handshake-timeout", converter = DurationConverter.class,
            description = "A DTLS handshake not finished this long after the peer's ClientHello fails "
                    + "(default: 10s).")
    Duration dtlsHandshakeTimeout = parseDuration(envOr("RELAY_DTLS_HANDSHAKE_TIMEOUT", "10s"));

    @Option(names = "--node-id", description = "This relay's id in every session event (default: host name).")
    String nodeId = envOr("RELAY_NODE_ID", null);

    @Option(names = "--kafka-bootstrap",
            description = "Kafka bootstrap servers (host:port,...); session events go to Kafka. Default: none "
                    + "(events go to the log, or to --events-file).")
    String kafkaBootstrap = envOr("RELAY_KAFKA_BOOTSTRAP", null);

    @Option(names = "--kafka-topic", description = "Kafka topic for session events (default: ${DEFAULT-VALUE}).")
    String kafkaTopic = envOr("RELAY_KAFKA_TOPIC", EventsConfig.DEFAULT_TOPIC);

    @Option(names = "--kafka-client-id", description = "Kafka client.id (default: relay-<node id>).")
    String kafkaClientId = envOr("RELAY_KAFKA_CLIENT_ID", null);

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka producer property, repeatable (TLS: security.protocol, ssl.*; SASL: sasl.*).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--kafka-properties-file",
            description = "Java properties file of extra Kafka producer properties (e.g. a mounted secret); "
                    + "--kafka-property entries win.")
    Path kafkaPropertiesFile = pathOrNull(envOr("RELAY_KAFKA_PROPERTIES_FILE", null));

    @Option(names = "--events-file",
            description = "Append session events to this file as JSON lines (instead of the log; "
                    + "with Kafka, in addition).")
    Path eventsFile = pathOrNull(envOr("RELAY_EVENTS_FILE", null));

    @Option(names = "--events-buffer",
            description = "Session events held while Kafka is unreachable before new ones are dropped "
                    + "(default: ${DEFAULT-VALUE}).")
    int eventsBuffer = Integer.parseInt(envOr("RELAY_EVENTS_BUFFER", String.valueOf(EventsConfig.DEFAULT_BUFFER_CAPACITY)));

    @Option(names = "--events-spool", paramLabel = "DIR",
            description = "Kafka: keep session events in this directory until the broker acknowledges them, and "
                    + "send what a stopped relay left there first (docs/events.md \"The spool\"). Default: none "
                    + "(events wait in memory only).")
    Path eventsSpool = pathOrNull(envOr("RELAY_EVENTS_SPOOL", null));

    @Option(names = "--events-spool-size", converter = SizeConverter.class, paramLabel = "SIZE",
            description = "The spool's bound, e.g. 256MiB, 2GiB; beyond it new events are lost and reported "
                    + "(default: 256MiB).")
    long eventsSpoolSize = parseSize(envOr("RELAY_EVENTS_SPOOL_SIZE", "256MiB"));

    @Option(names = "--quality-interval", converter = DurationConverter.class,
            description = "Per-participant quality sample interval, e.g. 10s, 500ms; 0 disables (default: 10s).")
    Duration qualityInterval = parseDuration(envOr("RELAY_QUALITY_INTERVAL", "10s"));

    @Mixin
    KeyOptions keys = new KeyOptions();

    @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
            description = "Pages (Origin header) that may open the signaling WebSocket, e.g. "
                    + "https://meet.example.com; * for any. Default: the relay's own origin, plus localhost, "
                    + "127.0.0.1 and [::1] on any port (env RELAY_ALLOWED_ORIGINS).")
    List<String> allowedOrigins = splitOrEmpty(envOr("RELAY_ALLOWED_ORIGINS", null));

    @Option(names = "--metrics-port",
            description = "Serve /metrics and /healthz on this port and no longer /metrics on the HTTP port "
                    + "(env RELAY_METRICS_PORT). Default: /metrics on the HTTP port.")
    Integer metricsPort = envOr("RELAY_METRICS_PORT", null) == null ? null
            : Integer.valueOf(envOr("RELAY_METRICS_PORT", null));

    @Option(names = "--metrics-bind",
            description = "Address the metrics port binds to (env RELAY_METRICS_BIND; default: --bind).")
    String metricsBind = envOr("RELAY_METRICS_BIND", null);

    @Option(names = "--max-connections-per-ip",
            description = "TCP connections open at once from one source address; more get HTTP 429 "
                    + "(env RELAY_MAX_CONNECTIONS_PER_IP; default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerIp = intEnv("RELAY_MAX_CONNECTIONS_PER_IP", Limits.DEFAULT_CONNECTIONS_PER_ADDRESS);

    @Option(names = "--max-rooms", description = "Rooms open on this relay (env RELAY_MAX_ROOMS; default: ${DEFAULT-VALUE}).")
    int maxRooms = intEnv("RELAY_MAX_ROOMS", Limits.DEFAULT_ROOMS);

    @Option(names = "--max-participants-per-room",
            description = "Participants in one room (env RELAY_MAX_PARTICIPANTS_PER_ROOM; default: ${DEFAULT-VALUE}).")
    int maxParticipantsPerRoom = intEnv("RELAY_MAX_PARTICIPANTS_PER_ROOM", Limits.DEFAULT_PARTICIPANTS_PER_ROOM);

    @Option(names = "--max-tracks-per-participant",
            description = "Tracks (m-sections) in one publish offer (env RELAY_MAX_TRACKS_PER_PARTICIPANT; "
                    + "default: ${DEFAULT-VALUE}).")
    int maxTracksPerParticipant = intEnv("RELAY_MAX_TRACKS_PER_PARTICIPANT", Limits.DEFAULT_TRACKS_PER_PARTICIPANT);

    @Option(names = "--max-sdp-size", description = "Characters of one SDP from a client (env RELAY_MAX_SDP_SIZE; "
            + "default: ${DEFAULT-VALUE}).")
    int maxSdpSize = intEnv("RELAY_MAX_SDP_SIZE", Limits.DEFAULT_SDP_CHARS);

    @Option(names = "--max-sdp-media-sections",
            description = "m-sections of one SDP from a client (env RELAY_MAX_SDP_MEDIA_SECTIONS; default: ${DEFAULT-VALUE}).")
    int maxSdpMediaSections = intEnv("RELAY_MAX_SDP_MEDIA_SECTIONS", Limits.DEFAULT_SDP_MEDIA_SECTIONS);

    @Option(names = "--max-candidates",
            description = "Trickled candidate messages per PeerConnection (env RELAY_MAX_CANDIDATES; default: ${DEFAULT-VALUE}).")
    int maxCandidates = intEnv("RELAY_MAX_CANDIDATES", Limits.DEFAULT_CANDIDATES);

    @Option(names = "--max-subscribe-slots",
            description = "m-sections of one subscriber's PeerConnection; later tracks are not forwarded to it "
                    + "(env RELAY_MAX_SUBSCRIBE_SLOTS; default: ${DEFAULT-VALUE}).")
    int maxSubscribeSlots = intEnv("RELAY_MAX_SUBSCRIBE_SLOTS", Limits.DEFAULT_SUBSCRIBE_SLOTS);

    @Option(names = "--join-timeout", converter = DurationConverter.class,
            description = "Close a connection that has not joined a room after this long (env RELAY_JOIN_TIMEOUT; "
                    + "default: 10s).")
    Duration joinTimeout = parseDuration(envOr("RELAY_JOIN_TIMEOUT", "10s"));

    @Option(names = "--message-rate",
            description = "Signaling messages a second per connection, sustained (env RELAY_MESSAGE_RATE; "
                    + "default: ${DEFAULT-VALUE}).")
    int messageRate = intEnv("RELAY_MESSAGE_RATE", Limits.DEFAULT_MESSAGES_PER_SECOND);

    @Option(names = "--message-burst",
            description = "Signaling messages a connection may send at once above the rate (env RELAY_MESSAGE_BURST; "
                    + "default: ${DEFAULT-VALUE}).")
    int messageBurst = intEnv("RELAY_MESSAGE_BURST", Limits.DEFAULT_MESSAGE_BURST);

    @Option(names = "--write-buffer-high",
            description = "Bytes queued to one WebSocket above which it counts as a slow reader "
                    + "(env RELAY_WRITE_BUFFER_HIGH; default: ${DEFAULT-VALUE}).")
    int writeBufferHigh = intEnv("RELAY_WRITE_BUFFER_HIGH", Limits.DEFAULT_WRITE_BUFFER_HIGH_BYTES);

    @Option(names = "--slow-reader-timeout", converter = DurationConverter.class,
            description = "Close a WebSocket that stays above --write-buffer-high this long "
                    + "(env RELAY_SLOW_READER_TIMEOUT; default: 5s).")
    Duration slowReaderTimeout = parseDuration(envOr("RELAY_SLOW_READER_TIMEOUT", "5s"));

    @Option(names = "--shutdown-grace", converter = DurationConverter.class,
            description = "On SIGTERM: close frames to every client, leave events flushed, exit within this long "
                    + "(env RELAY_SHUTDOWN_GRACE; default: 10s).")
    Duration shutdownGrace = parseDuration(envOr("RELAY_SHUTDOWN_GRACE", "10s"));

    @Option(names = "--drain-timeout", converter = DurationConverter.class,
            description = "On SIGTERM, before --shutdown-grace: refuse new joins (error draining, /readyz 503) and "
                    + "let calls go on for up to this long, or until no participant is left "
                    + "(env RELAY_DRAIN_TIMEOUT; default: 0s).")
    Duration drainTimeout = parseDuration(envOr("RELAY_DRAIN_TIMEOUT", "0s"));

    @Spec
    CommandSpec spec;

    private ClusterConfig clusterConfig() {
        if (redisUrl == null || redisUrl.isBlank()) {
            return ClusterConfig.none();
        }
        String node = nodeId == null || nodeId.isBlank() ? EventsConfig.defaultNodeId() : nodeId;
        byte[] secret = clusterSecret == null || clusterSecret.isBlank() ? null
                : clusterSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RoomRouter.Span span;
        if (clusterSpan == null || clusterSpan.isBlank()) {
            span = secret == null ? RoomRouter.Span.NEVER : RoomRouter.Span.WHEN_FULL;
        } else {
            try {
                span = RoomRouter.Span.valueOf(clusterSpan.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--cluster-span must be never, when-full or always: " + clusterSpan);
            }
        }
        String address = clusterAddress == null || clusterAddress.isBlank() ? advertise.get(0) : clusterAddress;
        return new ClusterConfig(redisUrl, node, publicUrl, capacityPps, "relay:", span, secret, address);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RelayMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        AccessConfig access = accessConfig();
        RelayConfig config = new RelayConfig(bind, httpPort, mediaPort, advertise, ioThreads, workerThreads,
                eventsConfig(), iceTimeout, dtlsLimits(), access, limits(), new LossRepair(nack, red),
                mediaTcpPort == null ? mediaPort : mediaTcpPort, new TurnConfig(turnUrls, turnSecret, turnTtl),
                clusterConfig());
        RelayServer server = RelayServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM: drain, then close within the grace period; if something hangs past it, exit anyway.
            Thread closer = new Thread(server::close, "relay-close");
            closer.start();
            try {
                closer.join(config.limits().drainTimeout().plus(config.limits().shutdownGrace()).plusSeconds(1)
                        .toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
            if (closer.isAlive()) {
                System.err.println("relay: shutdown took longer than " + config.limits().drainTimeout()
                        + " drain + " + config.limits().shutdownGrace()
                        + "; exiting anyway");
                Runtime.getRuntime().halt(1);
            }
        }, "relay-shutdown"));
        String host = advertise.get(0);
        String base = "http://" + (host.equals("127.0.0.1") ? "localhost" : host) + ":" + server.httpPort();
        if (access.keys().isEmpty()) {
            System.out.println("relay ready (dev mode, no tokens): open " + base + "/?room=demo in two browser tabs");
        } else {
            System.out.println("relay ready: bin/relay token --room demo --identity NAME prints a token; open "
                    + base + "/?token=TOKEN");
        }
        stopped.await();
        return 0;
    }

    Limits limits() {
        try {
            return new Limits(maxConnectionsPerIp, maxRooms, maxParticipantsPerRoom, maxTracksPerParticipant,
                    maxSdpSize, maxSdpMediaSections, maxCandidates, maxSubscribeSlots, joinTimeout, messageRate,
                    messageBurst, writeBufferHigh, slowReaderTimeout, shutdownGrace, drainTimeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static int intEnv(String name, int fallback) {
        String value = envOr(name, null);
        return value == null ? fallback : Integer.parseInt(value.trim());
    }

    DtlsHandshakes.Limits dtlsLimits() {
        return DtlsHandshakes.Limits.defaults().withMaxHandshakes(dtlsMaxHandshakes)
                .withMaxHandshakesPerAddress(dtlsMaxHandshakesPerIp).withTimeout(dtlsHandshakeTimeout);
    }

    AccessConfig accessConfig() throws IOException {
        try {
            return new AccessConfig(keys.load(), OriginPolicy.parse(allowedOrigins), metricsBind,
                    metricsPort == null ? OptionalInt.empty() : OptionalInt.of(metricsPort));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static List<String> splitOrEmpty(String value) {
        return value == null ? List.of() : List.of(value.split(","));
    }

    EventsConfig eventsConfig() throws IOException {
        Map<String, String> properties = new LinkedHashMap<>();
        if (kafkaPropertiesFile != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(kafkaPropertiesFile)) {
                file.load(reader);
            }
            file.stringPropertyNames().forEach(name -> properties.put(name, file.getProperty(name)));
        }
        properties.putAll(kafkaProperties);
        return new EventsConfig(nodeId == null || nodeId.isBlank() ? EventsConfig.defaultNodeId() : nodeId,
                kafkaBootstrap, kafkaTopic, kafkaClientId, properties, eventsBuffer, qualityInterval, eventsFile,
                eventsSpool, eventsSpoolSize);
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|ki|kib|m|mb|mi|mib|g|gb|gi|gib)?");

    /** "4096", "64KiB", "256MiB", "2GiB", Kubernetes' "256Mi" (K, M, G and KB, MB, GB are binary too). */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 256MiB, 2GiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        return switch (unit.charAt(0)) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseSize(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size (e.g. 256MiB, 2GiB)");
            }
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    /** "500ms", "10s", "2m", "1h", a bare number of seconds, or ISO-8601 ("PT10S"). */
    static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
        return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseDuration(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 10s, 500ms)");
            }
        }
    }

    static Path pathOrNull(String value) {
        return value == null ? null : Path.of(value);
    }

    static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
