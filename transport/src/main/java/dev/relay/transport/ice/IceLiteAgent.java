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
    /** The local socket or ICE-TCP connection of the selected path; written with selectedAddress. */
    private Object selectedVia;
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

    /** As {@link #onValidatedRequest(InetSocketAddress, Object, boolean, long)} on the one local socket there is. */
    public boolean onValidatedRequest(InetSocketAddress from, boolean useCandidate, long nowNanos) {
        return onValidatedRequest(from, null, useCandidate, nowNanos);
    }

    /**
     * Records a binding request that passed integrity checks; true when its path became the
     * selected one. A path is the remote address plus {@code via}, the local socket or ICE-TCP
     * connection it came through (compared by identity): a peer's UDP and TCP candidates may
     * share an address and port. Called by the I/O thread that received it; checks from two
     * paths can reach two threads, so the decision is made under the agent's lock (a few checks
     * per second per peer, never media).
     */
    public synchronized boolean onValidatedRequest(InetSocketAddress from, Object via, boolean useCandidate,
                                                   long nowNanos) {
        lastRequestNanos = nowNanos;
        boolean same = from.equals(selectedAddress) && via == selectedVia;
        if (restarted) {
            // RFC 8445 §9: the restart's first valid check shows a path that works now.
            restarted = false;
            nominated = useCandidate;
            return select(from, via, same);
        }
        if (useCandidate) {
            if (!nominated || !same) {
                nominated = true;
                return select(from, via, false);
            }
        } else if (selectedAddress == null) {
            return select(from, via, false);
        }
        return false;
    }

    /**
     * The selected path is gone (its ICE-TCP connection closed): nothing is selected until the
     * next valid check, which selects its path whether or not it nominates. I/O thread.
     */
    public synchronized void pathLost(InetSocketAddress from, Object via) {
        if (from.equals(selectedAddress) && via == selectedVia) {
            selectedAddress = null;
            selectedVia = null;
            nominated = false;
        }
    }

    private boolean select(InetSocketAddress from, Object via, boolean same) {
        selectedAddress = from;
        selectedVia = via;
        return !same;
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
