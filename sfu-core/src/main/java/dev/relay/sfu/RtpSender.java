package dev.relay.sfu;

/**
 * Where the media graph's packets leave: one subscriber's or publisher's Transport. The real one
 * ({@link TransportSender}) protects with SRTP and queues on the selected socket; tests put a
 * recording sender here and read what the graph sent, without sockets, rings or keys.
 *
 * <p>Worker thread only. The buffer is scratch the caller owns: a sender may change it in place
 * (SRTP appends its tag after {@code off + len}, so callers leave 32 bytes free) and must copy
 * whatever it keeps.
 */
public interface RtpSender {
    /** True once packets can go out (the DTLS handshake finished, SRTP keys are installed). */
    boolean isReady();

    /** Sends one RTP packet; returns the bytes put on the wire, or -1 if it was not sent. */
    int sendRtp(byte[] buf, int off, int len);

    /** Sends one (compound) RTCP packet; returns the bytes put on the wire, or -1 if not sent. */
    int sendRtcp(byte[] buf, int off, int len);
}
