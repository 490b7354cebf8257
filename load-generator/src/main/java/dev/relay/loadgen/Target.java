package dev.relay.loadgen;

import java.util.Locale;

/** The server a run loads: our relay, or Janus's VideoRoom plugin as the reference. */
enum Target {
    RELAY, JANUS;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
