package dev.relay.sfu;

import dev.relay.codecs.Bytes;
import dev.relay.codecs.rtp.SeqNum;
import java.util.Arrays;

/**
 * The last {@code capacity} RTP packets of one incoming stream, copied into slots allocated up
 * front, so that a NACK (RFC 4585 §6.2.1) can be answered with a retransmission (RFC 4588)
 * without allocating. One per Producer stream; worker thread only.
 *
 * <p>Packets are keyed by extended sequence number: slot {@code ext & (capacity - 1)} holds at
 * most one of them, the newest put. A packet is therefore found only while it is among the last
 * {@code capacity} sequence numbers and younger than the age limit; after that the subscriber is
 * better served by a keyframe than by a packet it can no longer play out in time.
 *
 * <p>{@link #get} answers with the packet's absolute offset in {@link #buffer()} and its length in
 * {@link #lastLength()}, or a negative reason. The bytes are the cache's: read them (or copy them
 * to a scratch buffer to rewrite) before the next {@link #put}, never write them.
 */
final class PacketCache {
    static final int DEFAULT_CAPACITY = 512;
    /** An Ethernet MTU: libwebrtc keeps RTP packets at 1200 bytes, so real ones fit with room. */
    static final int DEFAULT_MAX_PACKET_BYTES = 1500;
    /** Older than this a retransmission arrives too late to be played; ask for a keyframe instead. */
    static final long DEFAULT_MAX_AGE_NANOS = 1_000_000_000L;

    /** Never put: lost on the way in, not yet arrived, or newer than anything put. */
    static final int NOT_RECEIVED = -1;
    /** Further back than {@code capacity} sequence numbers: its slot holds a newer packet. */
    static final int OVERWRITTEN = -2;
    /** Put longer ago than the age limit. */
    static final int EXPIRED = -3;
    /** Received, but longer than a slot, so not kept. */
    static final int TOO_LARGE = -4;

    /** No extended sequence number is negative: marks a slot never used. */
    private static final long EMPTY = -1;

    private final int mask;
    private final int slotBytes;
    private final long maxAgeNanos;
    private final byte[] slots;
    private final long[] slotSeq;
    private final int[] slotLength;
    private final long[] slotNanos;
    private final SequenceExtender seqs = new SequenceExtender();
    /** RFC 3550 A.1 bad_seq: the number that would confirm a restart far behind; -1 for none. */
    private int badSeq = -1;
    private int lastLength = -1;

    private long stored;
    private long duplicates;
    private long tooLarge;
    private long tooOld;
    private long restarts;

    PacketCache() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_PACKET_BYTES, DEFAULT_MAX_AGE_NANOS);
    }

    /**
     * @param capacity packets kept, a power of two (the slot is the sequence number's low bits).
     * @param maxPacketBytes the longest packet kept, header included; the cache holds
     *     {@code capacity * maxPacketBytes} bytes from the start.
     * @param maxAgeNanos how long after its {@link #put} a packet is still handed out.
     */
    PacketCache(int capacity, int maxPacketBytes, long maxAgeNanos) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1 || capacity > 1 << 15) {
            throw new IllegalArgumentException("capacity must be a power of two up to 32768: " + capacity);
        }
        if (maxPacketBytes <= 0 || (long) capacity * maxPacketBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max packet bytes: " + maxPacketBytes);
        }
        if (maxAgeNanos <= 0) {
            throw new IllegalArgumentException("max age: " + maxAgeNanos);
        }
        this.mask = capacity - 1;
        this.slotBytes = maxPacketBytes;
        this.maxAgeNanos = maxAgeNanos;
        this.slots = new byte[capacity * maxPacketBytes];
        this.slotSeq = new long[capacity];
        this.slotLength = new int[capacity];
        this.slotNanos = new long[capacity];
        Arrays.fill(slotSeq, EMPTY);
    }

    /**
     * Copies the packet {@code buf[off, off + len)} with RTP sequence number {@code seq}, received
     * at {@code nowNanos}. A packet already held is kept as first put (an RTX-recovered copy of a
     * packet that arrived after all changes nothing).
     *
     * @return true if it was stored; false if it was a duplicate, too large, further behind the
     *     newest than the cache reaches, or the range lies outside {@code buf}.
     */
    boolean put(byte[] buf, int off, int len, int seq, long nowNanos) {
        if (len <= 0 || !Bytes.inBounds(buf, off, len)) {
            return false;
        }
        long extended;
        if (!seqs.started()) {
            extended = seqs.update(seq);
        } else {
            int behind = -SeqNum.diff(seq, (int) seqs.highest());
            if (behind > mask) {
                // Out of reach behind the newest: a stray late packet, or (RFC 3550 A.1) the sender
                // restarted its sequence, which the next packet in order confirms.
                if ((seq & SeqNum.MASK) != badSeq) {
                    badSeq = SeqNum.add(seq, 1);
                    tooOld++;
                    return false;
                }
                seqs.restart(seq);
                restarts++;
                extended = seqs.highest();
            } else {
                extended = seqs.update(seq);
            }
            badSeq = -1;
        }

        int slot = (int) extended & mask;
        if (slotSeq[slot] == extended) {
            duplicates++;
            return false;
        }
        slotSeq[slot] = extended;
        slotNanos[slot] = nowNanos;
        if (len > slotBytes) {
            slotLength[slot] = -1;
            tooLarge++;
            return false;
        }
        slotLength[slot] = len;
        System.arraycopy(buf, off, slots, slot * slotBytes, len);
        stored++;
        return true;
    }

    /**
     * Looks up the packet with RTP sequence number {@code seq} as of {@code nowNanos}.
     *
     * @return its absolute offset in {@link #buffer()}, its length then in {@link #lastLength()};
     *     or {@link #NOT_RECEIVED}, {@link #OVERWRITTEN}, {@link #EXPIRED}, {@link #TOO_LARGE}.
     */
    int get(int seq, long nowNanos) {
        lastLength = -1;
        if (!seqs.started()) {
            return NOT_RECEIVED;
        }
        long extended = seqs.extend(seq);
        long behind = seqs.highest() - extended;
        if (behind < 0) {
            return NOT_RECEIVED;
        }
        if (behind > mask) {
            return OVERWRITTEN;
        }
        int slot = (int) extended & mask;
        if (slotSeq[slot] != extended) {
            return NOT_RECEIVED;
        }
        if (nowNanos - slotNanos[slot] > maxAgeNanos) {
            return EXPIRED;
        }
        if (slotLength[slot] < 0) {
            return TOO_LARGE;
        }
        lastLength = slotLength[slot];
        return slot * slotBytes;
    }

    /** The bytes {@link #get} offsets point into; read only. */
    byte[] buffer() {
        return slots;
    }

    /** Length of the packet last found by {@link #get}, -1 after a miss. */
    int lastLength() {
        return lastLength;
    }

    int capacity() {
        return mask + 1;
    }

    int maxPacketBytes() {
        return slotBytes;
    }

    /** Packets copied in. */
    long stored() {
        return stored;
    }

    /** Packets put again while held (retransmitted or duplicated on the way). */
    long duplicates() {
        return duplicates;
    }

    /** Packets longer than a slot, not kept. */
    long tooLarge() {
        return tooLarge;
    }

    /** Packets too far behind the newest to be kept. */
    long tooOld() {
        return tooOld;
    }

    /** Sequence restarts of the sender (RFC 3550 A.1): everything held before is forgotten. */
    long restarts() {
        return restarts;
    }
}
