package dev.relay.loadgen;

import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import java.nio.charset.StandardCharsets;

/**
 * Answers a full-ICE server's connectivity checks on our candidate (RFC 8445 §7.3). The ICE-lite
 * relay never sends any; Janus (libnice) does, and it uses a pair only once its own check
 * succeeded. A check is ours when USERNAME starts with our ufrag and a colon (RFC 8445 §7.2.2)
 * and MESSAGE-INTEGRITY is keyed with our password; the response carries XOR-MAPPED-ADDRESS,
 * MESSAGE-INTEGRITY with that password, and FINGERPRINT (RFC 8489 §14). Pure: no socket, no
 * clock; owned by the transport's I/O loop.
 */
final class IceCheckResponder {
    /** What a datagram that looked like STUN turned out to be. */
    enum Outcome { NOT_A_REQUEST, REJECTED, ANSWERED }

    private final byte[] usernamePrefix;
    private final byte[] password;
    private boolean nominated;
    private long answered;
    private long rejected;
    private int responseLength;

    IceCheckResponder(String localUfrag, String localPwd) {
        this.usernamePrefix = (localUfrag + ":").getBytes(StandardCharsets.UTF_8);
        this.password = localPwd.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes the success response to {@code request} into {@code out} at 0 when it is a valid
     * check for us; {@link #responseLength} holds its length after {@link Outcome#ANSWERED}.
     *
     * @param sourceIp   the request's source address (4 or 16 bytes), reflected back
     * @param sourcePort its source port
     */
    Outcome onRequest(StunMessage request, byte[] sourceIp, int sourcePort, byte[] out, StunMessageWriter writer) {
        responseLength = 0;
        if (!request.isBindingRequest()) {
            return Outcome.NOT_A_REQUEST;
        }
        if (!request.checkFingerprint() || !request.usernameStartsWith(usernamePrefix)
                || !request.checkMessageIntegrity(password)) {
            // RFC 8445 §7.3: a check that fails authentication is dropped or answered 401; we drop.
            rejected++;
            return Outcome.REJECTED;
        }
        int len = writer.writeBindingSuccess(out, 0, request.buffer(), request.transactionIdOffset(), sourceIp,
                sourcePort, password);
        if (len <= 0) {
            rejected++;
            return Outcome.REJECTED;
        }
        if (request.useCandidate()) {
            nominated = true;
        }
        answered++;
        responseLength = len;
        return Outcome.ANSWERED;
    }

    int responseLength() {
        return responseLength;
    }

    /** True once a valid check carried USE-CANDIDATE: the controlling server chose our pair (RFC 8445 §7.3.1.5). */
    boolean nominated() {
        return nominated;
    }

    long answered() {
        return answered;
    }

    long rejected() {
        return rejected;
    }
}
