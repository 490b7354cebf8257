package dev.relay.signaling.sdp;

/** An SDP that cannot be parsed or negotiated; the message is shown to the client. */
public final class SdpException extends Exception {
    public SdpException(String message) {
        super(message);
    }
}
