package dev.relay.transport;

/**
 * Why a datagram or packet was dropped. Every drop on the media path is counted by one of these
 * (docs/architecture.md "Conventions": nothing throws per packet).
 */
public enum DropReason {
    /** First byte matches no RFC 7983 range, or the datagram is too short for its kind. */
    UNKNOWN_KIND,
    /** STUN that does not parse (RFC 8489 §6). */
    STUN_MALFORMED,
    /** STUN binding request whose USERNAME names no Transport we know. */
    STUN_UNKNOWN_USERNAME,
    /** STUN whose MESSAGE-INTEGRITY or FINGERPRINT does not verify. */
    STUN_BAD_INTEGRITY,
    /** STUN that is not a binding request (we are ICE-lite: we never send requests). */
    STUN_UNEXPECTED,
    /** DTLS, RTP or RTCP from an address no STUN check has validated. */
    UNVALIDATED_ADDRESS,
    /** The DTLS session's input queue was full or closed. */
    DTLS_REJECTED,
    /** The media worker's inbound ring was full: counted, never blocked on. */
    RING_FULL,
    /** SRTP/SRTCP before the DTLS handshake finished. */
    NO_SRTP_CONTEXT,
    /** SRTP/SRTCP authentication or replay check failed. */
    SRTP_UNPROTECT_FAILED,
    /** RTP that does not parse after decryption. */
    RTP_MALFORMED,
    /** RTCP that does not parse after decryption. */
    RTCP_MALFORMED,
    /** RTP whose SSRC maps to no Producer of this Transport. */
    RTP_UNKNOWN_SSRC,
    /** A socket's outbound ring was full: counted, never blocked on. */
    EGRESS_RING_FULL,
    /** Outgoing packet dropped because protecting it failed. */
    SRTP_PROTECT_FAILED,
    /**
     * A valid STUN check from one more address than a Transport may have validated
     * ({@code Transport.MAX_ADDRESSES}): not answered, so the address never carries media.
     */
    ICE_ADDRESS_LIMIT,
    /**
     * Waited in a media worker's inbound ring longer than {@link ChannelEgress#MAX_QUEUE_AGE_NANOS}:
     * the worker is behind; late media is dropped rather than queued (docs/operations.md "Drops").
     */
    INBOUND_STALE,
    /**
     * Older than {@link ChannelEgress#MAX_QUEUE_AGE_NANOS} since the relay received what it was
     * made from, when its socket's event loop came to send it: the sender is behind.
     */
    EGRESS_STALE,
    /**
     * An ICE-TCP connection's outbound buffer was above its high-water mark: the peer reads
     * slower than its media arrives; dropped rather than queued behind (RFC 6544, docs/operations.md).
     */
    TCP_SEND_BLOCKED,
    /**
     * An ICE-TCP connection announced a packet longer than a datagram (RFC 4571 length field) or
     * sent something that is not STUN, DTLS, RTP or RTCP before a valid check: the connection is closed.
     */
    TCP_BAD_STREAM,
    /** An ICE-TCP connection refused or closed by a limit: too many connections, or no valid check in time. */
    TCP_CONNECTION_LIMIT,
    /**
     * The kernel refused a datagram a media worker sent with sendmmsg(2) for another reason than
     * a full send buffer (that spills to the socket's event loop, {@link DatagramBatch}): no route,
     * a local filter. Dropped, never retried: the next packet is newer (docs/operations.md "Drops").
     */
    SEND_FAILED;

    private static final DropReason[] VALUES = values();

    public static int count() {
        return VALUES.length;
    }
}
