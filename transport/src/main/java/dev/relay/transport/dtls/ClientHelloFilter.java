package dev.relay.transport.dtls;

/**
 * Recognises the first datagram of a DTLS handshake (RFC 6347, DTLS 1.2) by its record and
 * handshake headers alone, so that a server session waiting for its peer queues nothing else.
 */
final class ClientHelloFilter {
    /*
     * RFC 6347 §4.1 record header and §4.2.2 handshake header, as far as isClientHello reads:
     *   0       1-2      3-4    5-10       11-12    | 13        14-16    17-18        19-21        22-24
     *   type    version  epoch  sequence   length   | msg_type  length   message_seq  frag_offset  frag_length
     */
    private static final int CONTENT_TYPE_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int VERSION_MAJOR_OFFSET = 1;
    private static final int DTLS_VERSION_MAJOR = 0xFE;
    private static final int EPOCH_OFFSET = 3;
    private static final int RECORD_HEADER_LENGTH = 13;
    private static final int HANDSHAKE_HEADER_LENGTH = 12;

    private ClientHelloFilter() {
    }

    /**
     * True if the datagram starts with an epoch-0 DTLS handshake record carrying (a fragment of)
     * a ClientHello, the only thing a DTLS server reads before its handshake.
     */
    static boolean isClientHello(byte[] buf, int off, int len) {
        return len >= RECORD_HEADER_LENGTH + HANDSHAKE_HEADER_LENGTH
                && (buf[off] & 0xFF) == CONTENT_TYPE_HANDSHAKE
                && (buf[off + VERSION_MAJOR_OFFSET] & 0xFF) == DTLS_VERSION_MAJOR
                && buf[off + EPOCH_OFFSET] == 0 && buf[off + EPOCH_OFFSET + 1] == 0
                && (buf[off + RECORD_HEADER_LENGTH] & 0xFF) == HANDSHAKE_CLIENT_HELLO;
    }
}
