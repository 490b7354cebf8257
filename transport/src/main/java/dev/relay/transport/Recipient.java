package dev.relay.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A peer's address in the form sendmmsg(2) takes it through {@link NativeSendmmsg}: 16 address
 * bytes (IPv6, or IPv4-mapped: RFC 4291 §2.5.5.2), the IPv6 scope id and the port. Made once when
 * ICE selects a path, so the media worker's sends allocate nothing per packet. Immutable.
 */
record Recipient(byte[] address, int scopeId, int port) {

    static Recipient of(InetSocketAddress remote) {
        InetAddress address = remote.getAddress();
        byte[] raw = address.getAddress();
        byte[] mapped = new byte[NativeSendmmsg.ADDRESS_BYTES];
        int scopeId = 0;
        if (address instanceof Inet6Address v6) {
            System.arraycopy(raw, 0, mapped, 0, mapped.length);
            scopeId = v6.getScopeId();
        } else {
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
        }
        return new Recipient(mapped, scopeId, remote.getPort());
    }
}
