package dev.relay.transport.ice;

import java.net.InetSocketAddress;

/**
 * The ICE-lite side of one Transport (RFC 8445 §2.5): we never send checks, we answer the
 * controlling browser's binding requests and follow its nomination.
 *
 * <p>Media only ever goes to an address a request with a valid MESSAGE-INTEGRITY came from.
 * Until the browser nominates a pair (USE-CANDIDATE, §7.3.1.5) the first validated address
 * is used so the DTLS handshake can start; a nominated address then replaces it.
 */
public final class IceLiteAgent {
    private final IceCredentials local;
    private final byte[] localPwd;
    private volatile InetSocketAddress selectedAddress;
    private volatile boolean nominated;
    private volatile long lastRequestNanos;

    public IceLiteAgent(IceCredentials local) {
        this.local = local;
        this.localPwd = local.pwdBytes();
    }

    public IceCredentials local() {
        return local;
    }

    /** The short-term credential key for MESSAGE-INTEGRITY (RFC 8489 §9.1.1: the password). */
    public byte[] integrityKey() {
        return localPwd;
    }

    /**
     * Records a binding request that passed integrity checks; true when {@code from} became the
     * selected address. Called by the I/O thread that received it; checks from two addresses can
     * reach two sockets (two threads), so the decision is made under the agent's lock (a few
     * checks per second per peer, never media).
     */
    public synchronized boolean onValidatedRequest(InetSocketAddress from, boolean useCandidate, long nowNanos) {
        lastRequestNanos = nowNanos;
        if (useCandidate) {
            if (!nominated || !from.equals(selectedAddress)) {
                selectedAddress = from;
                nominated = true;
                return true;
            }
        } else if (selectedAddress == null) {
            selectedAddress = from;
            return true;
        }
        return false;
    }

    /** The remote address of the selected pair, or null before any valid check. */
    public InetSocketAddress selectedAddress() {
        return selectedAddress;
    }

    public boolean isNominated() {
        return nominated;
    }

    /** When the last valid check arrived (System.nanoTime); 0 if never. Consent freshness, RFC 7675. */
    public long lastRequestNanos() {
        return lastRequestNanos;
    }
}
