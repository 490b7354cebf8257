package dev.relay.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/** What tests that start real servers (Prometheus, coturn, relays) need: a free port, and a clean stop. */
final class LocalProcesses {
    private LocalProcesses() {
    }

    /** A TCP port nothing listens on at {@code address} now (a server started next may take it). */
    static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return socket.getLocalPort();
        }
    }

    /** SIGTERM, then SIGKILL if {@code process} is still there 5 s later. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
