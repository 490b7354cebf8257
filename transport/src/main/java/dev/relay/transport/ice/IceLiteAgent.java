package dev.relay.transport.ice;

import java.net.InetSocketAddress;

/**
 * The ICE-lite side of one Transport (RFC 8445 §2.5): we never send checks, we answer the
 * controlling browser's binding requests and follow its nomination.
 *
 * <p>Media only ever goes to an address a request with a valid MESSAGE-INTEGRITY came from.
 * Until the browser nominates a pair (USE-CANDIDATE, §7.3.1.5) the first validated address
 * is used so the DTLS handshake can start; a nominated address then replaces it.
 *
 * <p>An ICE restart (RFC 8445 §9, RFC 8839 §4.4.1.1.1) replaces the local credentials; the
 * selected address stays in use until a check with the new credentials picks a path, so media
 * keeps flowing if the old path still works, and the first valid check after the restart takes
 * over if it does not (the peer's network changed).
 */
public final class IceLiteAgent {
    /** Replaced whole by {@link #restart}, so a reader never pairs one ufrag with another's pwd. */
    private volatile Credentials local;
    private volatile InetSocketAddress selectedAddress;
    private volatile boolean nominated;
    private volatile boolean restarted;
    private volatile long lastRequestNanos;
    private volatile int restarts;

    private record Credentials(IceCredentials credentials, byte[] pwd) {
    }

    public IceLiteAgent(IceCredentials local) {
        this.local = new Credentials(local, local.pwdBytes());
    }

    public IceCredentials local() {
        return local.credentials();
    }

    /** The short-term credential key for MESSAGE-INTEGRITY (RFC 8489 §9.1.1: the password). */
    public byte[] integrityKey() {
        return local.pwd();
    }

    /**
     * ICE restart: from now on only checks with {@code fresh} authenticate. The selected address
     * is kept until the next valid check, which selects its address whether or not it nominates.
     * Control thread; checks on the I/O threads see either the old or the new credentials whole.
     */
    public synchronized void restart(IceCredentials fresh) {
        local = new Credentials(fresh, fresh.pwdBytes());
        nominated = false;
        restarted = true;
        restarts++;
    }

    /** How many times {@link #restart} ran. */
    public int restarts() {
        return restarts;
    }

    /**
     * Records a binding request that passed integrity checks; true when {@code from} became the
     * selected address. Called by the I/O thread that received it; checks from two addresses can
     * reach two sockets (two threads), so the decision is made under the agent's lock (a few
     * checks per second per peer, never media).
     */
    public synchronized boolean onValidatedRequest(InetSocketAddress from, boolean useCandidate, long nowNanos) {
        lastRequestNanos = nowNanos;
        if (restarted) {
            // RFC 8445 §9: the restart's first valid check shows a path that works now.
            restarted = false;
            nominated = useCandidate;
            if (!from.equals(selectedAddress)) {
                selectedAddress = from;
                return true;
            }
            return false;
        }
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
