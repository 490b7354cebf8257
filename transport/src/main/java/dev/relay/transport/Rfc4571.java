package dev.relay.transport;

import io.netty.buffer.ByteBuf;

/**
 * Splits one TCP byte stream into the packets it carries (RFC 4571 §2: each packet preceded by
 * its length as 16 bits, network order), as ICE-TCP requires for STUN, DTLS and SRTP alike
 * (RFC 6544 §3). Packets are reassembled into one buffer this class owns, whatever the stream's
 * segmentation; a length above {@code maxPacket} ends the stream (RFC 4571 allows 65,535, a
 * WebRTC peer never sends more than a datagram's worth). Pure: no I/O, one thread, nothing
 * allocated after construction.
 */
final class Rfc4571 {
    /** The length field before each packet. */
    static final int HEADER = 2;

    /** Receives each complete packet; {@code buf} is reused for the next one. */
    interface PacketHandler {
        void onPacket(byte[] buf, int len);
    }

    private final byte[] packet;
    private int headerHave;
    private int length;
    private int have;
    private boolean broken;

    Rfc4571(int maxPacket) {
        this.packet = new byte[maxPacket];
    }

    /**
     * Consumes every readable byte of {@code in}, calling {@code handler} once per complete
     * packet, in order. Returns false (now and for every later call) once a length above the
     * maximum arrived: the stream cannot be resynchronised and must be closed.
     */
    boolean feed(ByteBuf in, PacketHandler handler) {
        while (!broken && in.isReadable()) {
            if (headerHave < HEADER) {
                length = (length << 8) | in.readUnsignedByte();
                headerHave++;
                if (headerHave == HEADER) {
                    if (length > packet.length) {
                        broken = true;
                        break;
                    }
                    have = 0;
                    if (length == 0) {
                        nextPacket();
                    }
                }
                continue;
            }
            int take = Math.min(length - have, in.readableBytes());
            in.readBytes(packet, have, take);
            have += take;
            if (have == length) {
                int len = length;
                nextPacket();
                handler.onPacket(packet, len);
            }
        }
        return !broken;
    }

    /** Bytes of an unfinished packet (or length field) held; 0 between packets. */
    int pending() {
        return headerHave < HEADER ? headerHave : HEADER + have;
    }

    private void nextPacket() {
        headerHave = 0;
        length = 0;
        have = 0;
    }
}
