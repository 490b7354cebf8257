package dev.relay.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's coturn ({@code turnserver}) for one test: TURN over TLS only, on a free port of one
 * address, checking credentials with a shared secret ({@code use-auth-secret}: the relay's
 * {@code --turn-secret}, docs/operations.md "TURN over TLS"), with a self-signed certificate
 * made by {@code openssl}. Its log is kept for diagnostics; {@link #close} stops it.
 */
final class TurnServerProcess implements AutoCloseable {
    static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    private final Process process;
    private final Path log;
    private final String address;
    private final int tlsPort;

    private TurnServerProcess(Process process, Path log, String address, int tlsPort) {
        this.process = process;
        this.log = log;
        this.address = address;
        this.tlsPort = tlsPort;
    }

    /** Starts coturn on {@code address}; skips the test when coturn or openssl is not installed. */
    static TurnServerProcess start(String address, String secret, Path dir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(TURNSERVER), "skipped: no " + TURNSERVER + " (apt-get install -y coturn)");
        assumeTrue(Files.isExecutable(OPENSSL), "skipped: no " + OPENSSL + " (apt-get install -y openssl)");
        Path cert = dir.resolve("turn-cert.pem");
        Path key = dir.resolve("turn-key.pem");
        Process openssl = new ProcessBuilder(OPENSSL.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=turn.relay.test").redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IllegalStateException("openssl could not make a certificate: " + Files.readString(
                    dir.resolve("openssl.log")));
        }
        int tlsPort = LocalProcesses.freePort(address);
        int plainPort = LocalProcesses.freePort(address);
        Path log = dir.resolve("turnserver.log");
        Process process = new ProcessBuilder(List.of(TURNSERVER.toString(), "-n",
                "--listening-ip=" + address, "--relay-ip=" + address,
                "--listening-port=" + plainPort, "--tls-listening-port=" + tlsPort,
                "--cert=" + cert, "--pkey=" + key,
                "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=relay.test",
                "--no-cli", "--no-dtls", "--no-udp", "--fingerprint", "--no-multicast-peers",
                "--min-port=49152", "--max-port=65535",
                "--userdb=" + dir.resolve("turndb"), "--pidfile=" + dir.resolve("turnserver.pid"),
                "--log-file=stdout", "--simple-log", "--verbose"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TurnServerProcess turn = new TurnServerProcess(process, log, address, tlsPort);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!turn.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String tail = turn.tail();
                turn.close();
                throw new IllegalStateException("turnserver did not listen on " + address + ":" + tlsPort + ": " + tail);
            }
            Thread.sleep(100);
        }
        return turn;
    }

    /** The URL clients use: TURN over TLS (RFC 7065 {@code turns:}) at this address and port. */
    String tlsUrl() {
        return "turns:" + address + ":" + tlsPort + "?transport=tcp";
    }

    /** The last lines of coturn's log. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Lines of coturn's log that contain {@code text}. */
    long logLines(String text) throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.contains(text)).count();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, tlsPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        LocalProcesses.stop(process);
    }
}
