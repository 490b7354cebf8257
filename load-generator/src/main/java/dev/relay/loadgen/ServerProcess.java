package dev.relay.loadgen;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** A server under test that the load generator started: where to reach it, its pid for /proc, its log. */
interface ServerProcess extends AutoCloseable {
    URI httpUri();

    long pid();

    Path log();

    List<String> command();

    boolean isAlive();

    /** Stops it; idempotent, never throws. */
    @Override
    void close();
}
