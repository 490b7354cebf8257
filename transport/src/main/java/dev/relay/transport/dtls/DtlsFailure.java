package dev.relay.transport.dtls;

import java.util.Locale;

/**
 * Why a DTLS handshake failed or was not started, the {@code reason} label of
 * {@code relay_dtls_failures_total} (docs/operations.md). A Transport closed by its owner (the
 * participant left) is not a failure and is not counted.
 */
public enum DtlsFailure {
    /** The handshake did not finish within the handshake timeout. */
    TIMEOUT,
    /**
     * A ClientHello arrived while the relay had its maximum of handshakes in flight and none was
     * stalled long enough to be evicted. The datagram is dropped; the peer's retransmission tries
     * again (RFC 6347 §4.2.4), so a refusal is not the end of that Transport.
     */
    REFUSED_CAP,
    /** As {@link #REFUSED_CAP}, for the cap of handshakes in flight per source address. */
    REFUSED_IP_CAP,
    /**
     * The handshake had been in flight longer than the stall limit while the relay was at its
     * cap and a new ClientHello needed the slot; it is ended.
     */
    EVICTED,
    /** The peer presented no certificate, or one that does not hash to its SDP fingerprint. */
    BAD_FINGERPRINT,
    /** The peer sent a fatal alert. */
    ALERT,
    /** The handshake broke a rule of DTLS or DTLS-SRTP (no common profile, bad message, ...). */
    PROTOCOL_ERROR,
    /** A bug, or the relay shutting down (the handshake pool refused the task). */
    INTERNAL_ERROR;

    private static final DtlsFailure[] VALUES = values();

    /** The metric label: the constant in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static int count() {
        return VALUES.length;
    }
}
