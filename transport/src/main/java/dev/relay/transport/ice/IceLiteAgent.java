package dev.relay.transport.ice;

import dev.relay.transport.ChannelEgress;
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
    private volatile ChannelEgress selectedEgress;
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
     * Records a binding request that passed integrity checks. Called by the I/O thread that
     * received it.
     */
    public void onValidatedRequest(ChannelEgress egress, InetSocketAddress from, boolean useCandidate, long nowNanos) {
        lastRequestNanos = nowNanos;
        if (useCandidate) {
            if (!nominated || !from.equals(selectedAddress)) {
                selectedEgress = egress;
                selectedAddress = from;
                nominated = true;
            }
        } else if (selectedAddress == null) {
            selectedEgress = egress;
            selectedAddress = from;
        }
    }

    /** The socket (and its outbound ring) of the selected pair, or null before any valid check. */
    public ChannelEgress selectedEgress() {
        return selectedEgress;
    }

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
