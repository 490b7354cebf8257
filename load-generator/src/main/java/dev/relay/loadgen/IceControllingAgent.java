package dev.relay.loadgen;

import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The browser's side of ICE against an ICE-lite relay (RFC 8445 §2.5): we are the controlling
 * agent with one candidate pair, so ICE reduces to sending Binding requests with USE-CANDIDATE
 * (aggressive nomination) until one succeeds, then consent checks (RFC 7675) every couple of
 * seconds. Owned by the transport's I/O loop.
 *
 * <p>Against a full-ICE server that made the offer (Janus's subscriber PeerConnections) the
 * offerer controls (RFC 8445 §6.1.1): {@link #start} with {@code controlling = false} sends the
 * same checks with ICE-CONTROLLED and without USE-CANDIDATE; the server's own checks are
 * answered by {@link IceCheckResponder}.
 */
final class IceControllingAgent {
    /** RFC 8445 §14.2 paces checks at Ta = 50 ms; after 20 tries slow down so a dead relay costs little. */
    static final long CHECK_INTERVAL_NANOS = 50_000_000L;
    static final long SLOW_CHECK_INTERVAL_NANOS = 500_000_000L;
    static final long TIMEOUT_NANOS = 15_000_000_000L;
    /** RFC 7675 §5.1: consent checks every 5 s on average at most; browsers send one about every 2 s. */
    static final long CONSENT_INTERVAL_NANOS = 2_000_000_000L;
    /** Peer-reflexive priority a browser puts in its checks (RFC 8445 §5.1.2.1, type preference 110). */
    private static final long PRFLX_PRIORITY = (110L << 24) | (65535L << 8) | 255L;
    /** Responses to any of the last few requests count: a slow answer is still an answer. */
    private static final int PENDING_TRANSACTIONS = 8;

    private final long tieBreaker = ThreadLocalRandom.current().nextLong();
    private final byte[][] pending = new byte[PENDING_TRANSACTIONS][StunMessage.TRANSACTION_ID_LENGTH];
    private int nextPending;
    private String username;
    private byte[] remotePassword;
    private boolean controlling = true;
    private boolean succeeded;
    private int checksSent;
    private long nextCheckNanos;
    private long deadlineNanos;

    /**
     * Starts checking. RFC 8445 §7.2.2: USERNAME is the remote (relay) ufrag, a colon and ours;
     * MESSAGE-INTEGRITY is keyed with the relay's password.
     */
    void start(String remoteUfrag, String remotePwd, String localUfrag, long now) {
        start(remoteUfrag, remotePwd, localUfrag, true, now);
    }

    /** @param controlling false when the server offered: then it nominates, not we */
    void start(String remoteUfrag, String remotePwd, String localUfrag, boolean controlling, long now) {
        this.controlling = controlling;
        username = remoteUfrag + ":" + localUfrag;
        remotePassword = remotePwd.getBytes(StandardCharsets.UTF_8);
        nextCheckNanos = now;
        deadlineNanos = now + TIMEOUT_NANOS;
    }

    boolean succeeded() {
        return succeeded;
    }

    /** True when no check succeeded before the deadline. */
    boolean timedOut(long now) {
        return !succeeded && now - deadlineNanos >= 0;
    }

    /**
     * Writes the check that is due now into {@code buf} (nominating until a check succeeded,
     * a consent check after), or returns 0 when none is due.
     */
    int writeCheckIfDue(long now, byte[] buf, StunMessageWriter writer) {
        if (username == null || now - nextCheckNanos < 0) {
            return 0;
        }
        nextCheckNanos = now + (succeeded ? CONSENT_INTERVAL_NANOS
                : checksSent < 20 ? CHECK_INTERVAL_NANOS : SLOW_CHECK_INTERVAL_NANOS);
        byte[] transaction = pending[nextPending];
        nextPending = (nextPending + 1) % PENDING_TRANSACTIONS;
        ThreadLocalRandom.current().nextBytes(transaction);
        int len = writer.writeBindingRequest(buf, 0, transaction, username, remotePassword, PRFLX_PRIORITY,
                controlling, tieBreaker, controlling && !succeeded);
        if (len > 0) {
            checksSent++;
        }
        return Math.max(len, 0);
    }

    /**
     * Accepts a Binding success response to one of our pending requests that carries a valid
     * FINGERPRINT and MESSAGE-INTEGRITY (RFC 8489 §10.1.3). Returns true for the first success.
     *
     * @param stun a wrapped STUN message
     */
    boolean onResponse(StunMessage stun, long now) {
        if (remotePassword == null || !stun.isBindingSuccessResponse() || !isPending(stun)
                || !stun.checkFingerprint() || !stun.checkMessageIntegrity(remotePassword)) {
            return false;
        }
        if (succeeded) {
            return false;
        }
        succeeded = true;
        nextCheckNanos = now + CONSENT_INTERVAL_NANOS;
        return true;
    }

    private boolean isPending(StunMessage stun) {
        for (byte[] transaction : pending) {
            if (stun.transactionIdEquals(transaction, 0)) {
                return true;
            }
        }
        return false;
    }
}
