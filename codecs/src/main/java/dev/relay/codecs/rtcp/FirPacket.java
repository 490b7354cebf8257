package dev.relay.codecs.rtcp;

import dev.relay.codecs.Bytes;

/**
 * Flyweight over a Full Intra Request, a payload-specific feedback message carrying one FCI
 * entry per media sender asked for a decoder refresh.
 */
public final class FirPacket
{
    /*
     * RFC 5104 §4.3.1.1 https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1.1
     * Common header in FeedbackHeader; "SSRC of media source" is unused and SHALL be 0 (§4.3.1.2).
     *
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                              SSRC                             |  FCI entry,
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  repeated
     * | Seq nr.       |    Reserved                                   |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     */
    static final int ENTRY_SSRC_OFFSET = 0;
    static final int ENTRY_SEQ_NR_OFFSET = 4;
    public static final int ENTRY_LENGTH = 8;
    public static final int FMT = 4;
    /** Common feedback header plus one entry. */
    public static final int LENGTH_ONE_ENTRY = FeedbackHeader.LENGTH + ENTRY_LENGTH;

    private final RtcpHeader header = new RtcpHeader();
    private byte[] buffer;
    private int offset;
    private int entryCount;

    /**
     * @return false unless this is a PSFB message with FMT=4 carrying at least one whole entry.
     *     Trailing bytes shorter than an entry are ignored.
     */
    public boolean wrap(final byte[] buf, final int off, final int len)
    {
        buffer = null;
        if (!header.wrap(buf, off, len) || !FeedbackHeader.matches(header, RtcpHeader.PT_PSFB, FMT))
        {
            return false;
        }
        final int entries = (header.lengthInBytes() - FeedbackHeader.LENGTH) / ENTRY_LENGTH;
        if (entries < 1)
        {
            return false;
        }
        buffer = buf;
        offset = off;
        entryCount = entries;
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

    public int entryCount()
    {
        return entryCount;
    }

    /** @return SSRC of the media sender entry {@code i} asks to refresh. */
    public int ssrc(final int i)
    {
        return Bytes.int32(buffer, entryOffset(i) + ENTRY_SSRC_OFFSET);
    }

    /** @return the command sequence number; a repeat of the last one is a retransmission. */
    public int seqNr(final int i)
    {
        return buffer[entryOffset(i) + ENTRY_SEQ_NR_OFFSET] & 0xFF;
    }

    /**
     * Writes a FIR with one entry.
     *
     * @return bytes written, {@link #LENGTH_ONE_ENTRY}.
     */
    public static int write(final byte[] dst, final int off, final int senderSsrc, final int ssrc, final int seqNr)
    {
        FeedbackHeader.write(dst, off, FMT, RtcpHeader.PT_PSFB, LENGTH_ONE_ENTRY, senderSsrc, 0);
        final int entry = off + FeedbackHeader.FCI_OFFSET;
        Bytes.putInt32(dst, entry + ENTRY_SSRC_OFFSET, ssrc);
        // Seq nr. in the first byte, 24 reserved bits that MUST be 0.
        Bytes.putInt32(dst, entry + ENTRY_SEQ_NR_OFFSET, (seqNr & 0xFF) << 24);
        return LENGTH_ONE_ENTRY;
    }

    private int entryOffset(final int i)
    {
        return offset + FeedbackHeader.FCI_OFFSET + i * ENTRY_LENGTH;
    }
}
