package dev.relay.transport;

import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Authenticates one STUN binding request of an ICE check (RFC 8445 §7.2.2, RFC 8489 §9.1) and
 * writes its success response; shared by the UDP socket and every ICE-TCP connection, which
 * differ only in how the bytes arrive and leave. One instance per socket or connection: its
 * scratch state belongs to that one event-loop thread.
 */
final class IceCheck {
    /** A binding indication (RFC 8489 §3): keepalive, needs no answer. */
    private static final int BINDING_INDICATION = 0x0011;

    private final TransportRegistry registry;
    private final DropCounters drops;
    private final StunMessage stun = new StunMessage();
    private final StunMessageWriter writer = new StunMessageWriter();
    private byte[] request;
    private Transport transport;

    IceCheck(TransportRegistry registry, DropCounters drops) {
        this.registry = registry;
        this.drops = drops;
    }

    /**
     * The Transport a binding request in {@code buf[0..len)} authenticates for, or null (counted:
     * malformed, not a request, unknown ufrag, bad integrity; an indication is silently taken).
     * On success {@link #useCandidate} and {@link #writeSuccess} refer to this request.
     */
    Transport authenticate(byte[] buf, int len) {
        request = buf;
        transport = null;
        if (!stun.wrap(buf, 0, len)) {
            drops.increment(DropReason.STUN_MALFORMED);
            return null;
        }
        if (!stun.isBindingRequest()) {
            if (stun.messageType() != BINDING_INDICATION) {
                drops.increment(DropReason.STUN_UNEXPECTED);
            }
            return null;
        }
        int usernameOffset = stun.usernameOffset();
        if (usernameOffset < 0) {
            drops.increment(DropReason.STUN_UNKNOWN_USERNAME);
            return null;
        }
        int usernameLength = stun.usernameLength();
        int colon = -1;
        for (int i = 0; i < usernameLength; i++) {
            if (buf[usernameOffset + i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            drops.increment(DropReason.STUN_UNKNOWN_USERNAME);
            return null;
        }
        // RFC 8445 §7.2.2: the first part of USERNAME is our ufrag. A String here is fine: checks
        // are a few per second per peer, media never takes this branch.
        Transport found = registry.byUfrag(new String(buf, usernameOffset, colon, StandardCharsets.US_ASCII));
        if (found == null || found.isClosed()) {
            drops.increment(DropReason.STUN_UNKNOWN_USERNAME);
            return null;
        }
        if (!stun.checkFingerprint() || !stun.checkMessageIntegrity(found.ice().integrityKey())) {
            drops.increment(DropReason.STUN_BAD_INTEGRITY);
            return null;
        }
        transport = found;
        return found;
    }

    /** The last authenticated request carried USE-CANDIDATE (RFC 8445 §7.3.1.5). */
    boolean useCandidate() {
        return stun.useCandidate();
    }

    /**
     * Writes the success response to the last authenticated request into {@code out} at
     * {@code off}, with {@code sender} as XOR-MAPPED-ADDRESS; returns its length.
     */
    int writeSuccess(byte[] out, int off, InetSocketAddress sender) {
        byte[] ip = sender.getAddress().getAddress();
        return writer.writeBindingSuccess(out, off, request, stun.transactionIdOffset(), ip, sender.getPort(),
                transport.ice().integrityKey());
    }
}
