package dev.relay.bench;

import dev.relay.codecs.rtp.RtpPacket;

/** Realistic packets for the benchmarks: what Chromium sends for VP8 video and Opus audio. */
public final class Packets {
    public static final int MID_EXTENSION_ID = 4;

    private Packets() {
    }

    /**
     * A VP8 RTP packet: 12-byte header, a one-byte-header extension block (RFC 8285) with a MID
     * and an abs-send-time element, the VP8 descriptor (X, S, 15-bit PictureID) and payload.
     * Returns the packet length.
     */
    public static int vp8Packet(byte[] buf, int payloadLength, boolean keyframe) {
        int off = RtpPacket.writeHeader(buf, 0, false, 96, 1000, 90000, 0x12345678);
        buf[0] |= 0x10;
        buf[off++] = (byte) 0xBE;
        buf[off++] = (byte) 0xDE;
        buf[off++] = 0;
        buf[off++] = 2;
        buf[off++] = (byte) ((MID_EXTENSION_ID << 4) | 0);
        buf[off++] = '1';
        buf[off++] = (byte) ((2 << 4) | 2);
        buf[off++] = 1;
        buf[off++] = 2;
        buf[off++] = 3;
        buf[off++] = 0;
        buf[off++] = 0;
        buf[off++] = (byte) 0x90;
        buf[off++] = (byte) 0x80;
        buf[off++] = (byte) 0x81;
        buf[off++] = 0x23;
        buf[off++] = (byte) (keyframe ? 0x10 : 0x11);
        for (int i = 1; i < payloadLength; i++) {
            buf[off++] = (byte) i;
        }
        return off;
    }
}
