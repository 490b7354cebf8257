package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;
import dev.relay.codecs.rtp.SeqNum;

/**
 * Flyweight over a Generic NACK, a transport-layer feedback message listing lost RTP packets.
 */
public final class NackPacket
{
    /*
     * RFC 4585 §6.2.1 https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1
     * Common header in FeedbackHeader, then one or more FCI entries:
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |            PID                |             BLP               |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     *
     * PID is a lost sequence number; bit i (LSB = 0) of BLP reports PID + i + 1 lost too.
     */
    static final int PID_OFFSET = 0;
    static final int BLP_OFFSET = 2;
    public static final int FCI_LENGTH = 4;
    public static final int FMT = 1;
    static final int BLP_BITS = 16;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;
    private int fciCount;

    /**
     * @return false unless this is an RTPFB message with FMT=1 and at least one FCI entry.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || !FeedbackHeader.matches(header, RtcpHeader.PT_RTPFB, FMT))
        {
            return false;
        }
        final int entries = (header.lengthInBytes() - FeedbackHeader.LENGTH) / FCI_LENGTH;
        if (entries < 1)
        {
            return false;
        }
        buffer = buf;
        offset = off;
        fciCount = entries;
        return true;
    }

    public byte[] buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return header.lengthInBytes();
    }

    public int senderSsrc()
    {
        return FeedbackHeader.senderSsrc(buffer, offset);
    }

    public int mediaSsrc()
    {
        return FeedbackHeader.mediaSsrc(buffer, offset);
    }

    public int fciCount()
    {
        return fciCount;
    }

    public int pid(final int i)
    {
        return Bytes.uint16(buffer, fciOffset(i) + PID_OFFSET);
    }

    public int blp(final int i)
    {
        return Bytes.uint16(buffer, fciOffset(i) + BLP_OFFSET);
    }

    /** @return how many sequence numbers the packet reports lost: the array size {@link #lostSequenceNumbers} needs. */
    public int lostCount()
    {
        int count = 0;
        for (int i = 0; i < fciCount; i++)
        {
            count += 1 + Integer.bitCount(blp(i));
        }
        return count;
    }

    /**
     * Expands the FCI entries into sequence numbers, in packet order, without allocating.
     *
     * @param out receives up to {@code out.length} sequence numbers; the rest are dropped.
     * @return how many were written.
     */
    public int lostSequenceNumbers(final int[] out)
    {
        int count = 0;
        for (int i = 0; i < fciCount && count < out.length; i++)
        {
            final int pid = pid(i);
            final int blp = blp(i);
            out[count++] = pid;
            for (int bit = 0; bit < BLP_BITS && count < out.length; bit++)
            {
                if ((blp & (1 << bit)) != 0)
                {
                    out[count++] = SeqNum.add(pid, bit + 1);
                }
            }
        }
        return count;
    }

    /** @return the largest packet {@link #write} can produce for {@code count} sequence numbers. */
    public static int maxLength(final int count)
    {
        return FeedbackHeader.LENGTH + Math.max(1, count) * FCI_LENGTH;
    }

    /**
     * Writes a NACK for {@code lost[0..count)}. Each number within 16 after the current entry's
     * PID goes into its BLP, any other starts a new entry; sorted input in sequence-number order
     * therefore packs tightest, but any order is reported correctly.
     *
     * @param count at least 1; {@code dst} needs {@link #maxLength(int)} bytes.
     * @return bytes written, or 0 when {@code count} is less than 1.
     */
    public static int write(
        final byte[] dst, final int off, final int senderSsrc, final int mediaSsrc, final int[] lost, final int count)
    {
        if (count < 1)
        {
            return 0;
        }

        int fci = off + FeedbackHeader.FCI_OFFSET;
        int pid = lost[0] & SeqNum.MASK;
        int blp = 0;
        for (int i = 1; i < count; i++)
        {
            final int seq = lost[i] & SeqNum.MASK;
            final int distance = SeqNum.diff(seq, pid);
            if (distance >= 1 && distance <= BLP_BITS)
            {
                blp |= 1 << (distance - 1);
            }
            else
            {
                fci += writeFci(dst, fci, pid, blp);
                pid = seq;
                blp = 0;
            }
        }
        fci += writeFci(dst, fci, pid, blp);

        final int length = fci - off;
        FeedbackHeader.write(dst, off, FMT, RtcpHeader.PT_RTPFB, length, senderSsrc, mediaSsrc);
        return length;
    }

    private static int writeFci(final byte[] dst, final int off, final int pid, final int blp)
    {
        Bytes.putUint16(dst, off + PID_OFFSET, pid);
        Bytes.putUint16(dst, off + BLP_OFFSET, blp);
        return FCI_LENGTH;
    }

    private int fciOffset(final int i)
    {
        return offset + FeedbackHeader.FCI_OFFSET + i * FCI_LENGTH;
    }
}
