package dev.relay.loadgen;

/** Where a synthetic source's RTP packets go: a transport protects and sends them; a test keeps them. */
interface RtpSink {
    /**
     * Takes the RTP packet in {@code buf[0, len)}; may transform {@code buf} in place (SRTP).
     *
     * @return false if the packet was dropped
     */
    boolean sendRtp(byte[] buf, int len);
}
