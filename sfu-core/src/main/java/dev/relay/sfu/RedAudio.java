package dev.relay.sfu;

import dev.relay.codecs.rtp.RedPayload;
import dev.relay.codecs.rtp.RtpPacket;

/**
 * Writes a publisher's redundant audio (RFC 2198, Opus in RED) the way one subscriber takes it:
 * as RED with the block payload types mapped to the subscriber's Opus, or, for a subscriber that
 * declined RED, as the plain Opus frames inside: the primary, and the frames of packets lost
 * before the relay rebuilt from the redundancy that follows them (docs/quality.md "Audio
 * redundancy"). Pure and allocation-free: the caller owns the buffers and the RTP header.
 */
final class RedAudio {
    private RedAudio() {
    }

    /**
     * Copies the RED payload of {@code rtp} to {@code out} at {@code at} and maps every block to
     * {@code opusPayloadType}; returns the bytes written. {@code red} is a scratch flyweight.
     */
    static int copyRed(RedPayload red, RtpPacket rtp, byte[] out, int at, int opusPayloadType) {
        int length = rtp.payloadLength();
        System.arraycopy(rtp.buffer(), rtp.payloadOffset(), out, at, length);
        if (red.wrap(out, at, length)) { // the Producer let through only well-formed RED
            for (int i = 0; i < red.blockCount(); i++) {
                red.payloadType(i, opusPayloadType);
            }
        }
        return length;
    }

    /** Copies the primary block's Opus frame of {@code rtp} to {@code out} at {@code at}; returns its length. */
    static int copyPrimary(RedPayload red, RtpPacket rtp, byte[] out, int at) {
        if (!red.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength())) {
            return 0;
        }
        int primary = red.primary();
        System.arraycopy(rtp.buffer(), red.dataOffset(primary), out, at, red.dataLength(primary));
        return red.dataLength(primary);
    }

    /**
     * The redundant block of {@code rtp} that carries the frame of the packet {@code distance}
     * sequence numbers before it (1 the one just before), or -1 if it has none: libwebrtc's
     * encoder puts the frames of the packets right before, newest last, each one frame per packet.
     * {@code red} must be wrapped on {@code rtp}'s payload.
     */
    static int blockFor(RedPayload red, int distance) {
        int block = red.primary() - distance;
        return block >= 0 && red.timestampOffset(block) > 0 ? block : -1;
    }
}
