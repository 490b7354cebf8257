package dev.relay.codecs;

/**
 * What a datagram on a bundled WebRTC 5-tuple carries, as decided by {@link Demux#classify}.
 */
public enum PacketKind
{
    STUN,
    DTLS,
    RTP,
    RTCP,
    /** Anything else, including datagrams too short to be the kind their first byte claims. */
    UNKNOWN
}
