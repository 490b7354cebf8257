package dev.relay.transport.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * jitsi-srtp's view of one packet: a flyweight re-pointed at the caller's array for each call,
 * so SRTP transforms the packet in place and nothing is allocated per packet.
 *
 * <p>It never reallocates. jitsi-srtp grows a packet only by the SRTP trailer (SRTCP calls
 * {@link #grow} for index + tag up front; SRTP {@link #append}s the HMAC tag; GCM writes its tag
 * past the length directly), and {@link SrtpSession} checks that room before transforming, so
 * {@link #grow} failing means a bug, reported as an exception the session counts.
 */
final class PacketBuffer implements ByteArrayBuffer {
    private byte[] buf;
    private int off;
    private int len;

    PacketBuffer wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /** Drops the reference so the caller's array is not retained between packets. */
    void clear() {
        buf = null;
        off = 0;
        len = 0;
    }

    @Override
    public byte[] getBuffer() {
        return buf;
    }

    @Override
    public int getOffset() {
        return off;
    }

    @Override
    public int getLength() {
        return len;
    }

    @Override
    public void setLength(int length) {
        if (length < 0 || off + length > buf.length) {
            throw new IllegalArgumentException("length " + length + " out of bounds");
        }
        this.len = length;
    }

    @Override
    public void setOffset(int offset) {
        if (offset < 0 || offset + len > buf.length) {
            throw new IllegalArgumentException("offset " + offset + " out of bounds");
        }
        this.off = offset;
    }

    @Override
    public boolean isInvalid() {
        return buf == null;
    }

    @Override
    public void readRegionToBuff(int position, int length, byte[] dest) {
        System.arraycopy(buf, off + position, dest, 0, length);
    }

    /** Ensures room for {@code howMuch} more bytes; the caller's array cannot be replaced. */
    @Override
    public void grow(int howMuch) {
        if (off + len + howMuch > buf.length) {
            throw new IllegalStateException("no room for " + howMuch + " more bytes");
        }
    }

    @Override
    public void append(byte[] data, int length) {
        grow(length);
        System.arraycopy(data, 0, buf, off + len, length);
        len += length;
    }

    @Override
    public void shrink(int howMuch) {
        len = howMuch >= len ? 0 : len - howMuch;
    }
}
