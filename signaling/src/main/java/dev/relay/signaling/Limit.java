package dev.relay.signaling;

import java.util.Locale;

/**
 * Each cap of {@link Limits}, as named on the wire (the {@code limit} field of a
 * {@code limit_exceeded} error) and in {@code relay_limits_refused_total{limit}}.
 */
enum Limit {
    CONNECTIONS_PER_ADDRESS,
    ROOMS,
    PARTICIPANTS_PER_ROOM,
    TRACKS_PER_PARTICIPANT,
    SDP_SIZE,
    SDP_MEDIA_SECTIONS,
    CANDIDATES,
    SUBSCRIBE_SLOTS,
    JOIN_TIMEOUT,
    MESSAGE_RATE,
    SLOW_READER;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    String wireName() {
        return wireName;
    }
}
