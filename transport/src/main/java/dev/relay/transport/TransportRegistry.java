package dev.relay.transport;

import dev.relay.transport.ice.IceCredentials;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds a Transport by the local ICE ufrag a STUN check names (RFC 8445 §7.2.2: USERNAME is
 * "localUfrag:remoteUfrag" in requests to us). Control path only: STUN checks are a few per
 * second per peer, media packets are routed by address on the I/O thread instead.
 */
public final class TransportRegistry {
    private final ConcurrentHashMap<String, Transport> byUfrag = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final DropCounters drops;

    /** @param drops where the Transports count the packets they drop (the relay's one set) */
    public TransportRegistry(DropCounters drops) {
        this.drops = drops;
    }

    public Transport create() {
        while (true) {
            IceCredentials credentials = IceCredentials.random();
            Transport transport = new Transport(nextId.getAndIncrement(), credentials, this, drops);
            if (byUfrag.putIfAbsent(credentials.ufrag(), transport) == null) {
                return transport;
            }
        }
    }

    /**
     * ICE restart (RFC 8445 §9): gives {@code transport} new local credentials, unique among the
     * relay's, and forgets the old ufrag, so checks with the old credentials no longer find it.
     * DTLS and SRTP are untouched. Returns the new credentials; control path only.
     */
    public IceCredentials restartIce(Transport transport) {
        while (true) {
            IceCredentials fresh = IceCredentials.random();
            if (byUfrag.putIfAbsent(fresh.ufrag(), transport) == null) {
                String old = transport.localCredentials().ufrag();
                transport.ice().restart(fresh);
                byUfrag.remove(old, transport);
                if (transport.isClosed()) {
                    // Closed meanwhile: close() removed the old ufrag, this one must go too.
                    byUfrag.remove(fresh.ufrag(), transport);
                }
                return fresh;
            }
        }
    }

    /** Open Transports that match {@code test}; scans them all, for metrics scrapes only. */
    public int count(java.util.function.Predicate<Transport> test) {
        int n = 0;
        for (Transport transport : byUfrag.values()) {
            if (!transport.isClosed() && test.test(transport)) {
                n++;
            }
        }
        return n;
    }

    public Transport byUfrag(String ufrag) {
        return byUfrag.get(ufrag);
    }

    void remove(Transport transport) {
        byUfrag.remove(transport.localCredentials().ufrag(), transport);
    }

    public int size() {
        return byUfrag.size();
    }
}
