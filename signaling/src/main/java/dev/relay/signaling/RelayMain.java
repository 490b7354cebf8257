package dev.relay.signaling;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command-line entry point: starts the relay with embedded defaults and prints the client URL. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "WebRTC selective forwarding unit with WebSocket signaling.")
public final class RelayMain implements Callable<Integer> {
    @Option(names = "--bind", description = "Address to bind HTTP and media sockets (default: ${DEFAULT-VALUE}).")
    String bind = envOr("RELAY_BIND", "0.0.0.0");

    @Option(names = "--http-port", description = "HTTP/WebSocket port (default: ${DEFAULT-VALUE}).")
    int httpPort = Integer.parseInt(envOr("RELAY_HTTP_PORT", "8080"));

    @Option(names = "--media-port", description = "UDP port shared by all peers (default: ${DEFAULT-VALUE}).")
    int mediaPort = Integer.parseInt(envOr("RELAY_MEDIA_PORT", "10000"));

    @Option(names = "--advertise", split = ",",
            description = "Address(es) put in ICE host candidates (default: ${DEFAULT-VALUE}).")
    List<String> advertise = List.of(envOr("RELAY_ADVERTISE", "127.0.0.1").split(","));

    @Option(names = "--io-threads", description = "UDP event loops / SO_REUSEPORT sockets.")
    int ioThreads = RelayConfig.defaults().ioThreads();

    @Option(names = "--workers", description = "Media worker threads.")
    int workerThreads = RelayConfig.defaults().workerThreads();

    public static void main(String[] args) {
        System.exit(new CommandLine(new RelayMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        RelayConfig config = new RelayConfig(bind, httpPort, mediaPort, advertise, ioThreads, workerThreads);
        RelayServer server = RelayServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "relay-shutdown"));
        String host = advertise.get(0);
        System.out.println("relay ready: open http://" + (host.equals("127.0.0.1") ? "localhost" : host) + ":"
                + server.httpPort() + "/?room=demo in two browser tabs");
        stopped.await();
        return 0;
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
