package dev.relay.loadgen;

import dev.relay.codecs.Rfc4571Framing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;

/**
 * The one thing a {@link ClientTransport} does differently over UDP and over ICE-TCP: how its
 * packets (STUN, DTLS, SRTP, SRTCP, demultiplexed per RFC 7983 either way) reach the server and
 * come back. {@link UdpPacketSocket}: one datagram per packet. {@link TcpPacketSocket}: an active
 * ICE-TCP candidate (RFC 6544) on one connection to the server's passive candidate, each packet
 * framed per RFC 4571. Everything above (ICE, DTLS, SRTP, media) is the same code.
 *
 * <p>Threads: everything runs on the transport's {@link IoLoop} except
 * {@link #sendFromHandshake}, which the DTLS handshake thread calls.
 */
interface PacketSocket {

    /** What the socket hands up: each received packet, and the end of the path. */
    interface Listener extends Rfc4571Framing.PacketHandler {
        /** The path is gone (connection refused, closed or reset by the server); loop thread. */
        void onSocketFailed(String reason);
    }

    /** "udp" or "tcp", as the candidate line writes it (RFC 8839 §5.1). */
    String protocol();

    /** The port our SDP's host candidate announces (RFC 6544 §4.5: 9 for an active TCP candidate). */
    int candidatePort();

    /** The server's candidate this socket can use, or null if its SDP offers none of our kind. */
    InetSocketAddress remoteCandidate(Sdp.Remote remote);

    /** Joins the loop's selector, with this socket as the key's attachment. */
    void register(IoLoop loop) throws IOException;

    /** Points the socket at the server's candidate (TCP: starts connecting); loop thread. */
    void connect(InetSocketAddress remote) throws IOException;

    /** The selector reported {@code key} ready: reads (and for TCP connects or flushes). */
    void onReady(SelectionKey key);

    /** Sends one packet from the loop thread; false (counted by the caller) if it was dropped. */
    boolean send(byte[] buf, int off, int len);

    /** Sends one DTLS record from the handshake thread; a failure is the handshake's to retry. */
    void sendFromHandshake(byte[] buf, int off, int len);

    /** Closes the socket and leaves the selector; loop thread. Idempotent. */
    void close();
}
