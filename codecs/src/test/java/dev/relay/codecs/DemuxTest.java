package dev.relay.codecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemuxTest
{
    /** First bytes of datagrams from chromium-156/chromium-to-chromium-loopback.pcap. */
    static final byte[] CHROMIUM_STUN_BINDING_REQUEST = Hex.bytes("""
        00 01 00 4c   # Binding request, length 76
        21 12 a4 42   # magic cookie
        73 37 34 45 46 68 34 58 57 47 31 72   # transaction id
        """);
    static final byte[] CHROMIUM_DTLS_CLIENT_HELLO = Hex.bytes("""
        16            # content type: handshake
        fe ff         # DTLS 1.0 record version, as ClientHello sends it
        00 00 00 00 00 00 00 00   # epoch 0, sequence number 0
        04 a3         # record length
        01            # handshake type: ClientHello
        """);
    static final byte[] CHROMIUM_RTP_OPUS = Hex.bytes("""
        90 ef 1b 79   # V=2 X=1 | M=1 PT=111 | seq 7033
        24 18 48 8d   # timestamp
        cb 03 2b 69   # SSRC
        """);
    static final byte[] CHROMIUM_SRTCP_SENDER_REPORT = Hex.bytes("""
        80 c8 00 06   # V=2 RC=0 | PT=200 SR | length 6
        e4 30 b1 5b   # SSRC of sender
        """);

    private static PacketKind classify(final byte[] buf)
    {
        return Demux.classify(buf, 0, buf.length);
    }

    @Test
    void shouldClassifyChromiumDatagrams()
    {
        assertEquals(PacketKind.STUN, classify(CHROMIUM_STUN_BINDING_REQUEST));
        assertEquals(PacketKind.DTLS, classify(CHROMIUM_DTLS_CLIENT_HELLO));
        assertEquals(PacketKind.RTP, classify(CHROMIUM_RTP_OPUS));
        assertEquals(PacketKind.RTCP, classify(CHROMIUM_SRTCP_SENDER_REPORT));
    }

    @Test
    void shouldClassifyAtOffsetWithinLargerBuffer()
    {
        final byte[] buf = new byte[3 + CHROMIUM_RTP_OPUS.length];
        System.arraycopy(CHROMIUM_RTP_OPUS, 0, buf, 3, CHROMIUM_RTP_OPUS.length);

        assertEquals(PacketKind.RTP, Demux.classify(buf, 3, CHROMIUM_RTP_OPUS.length));
        assertEquals(PacketKind.UNKNOWN, Demux.classify(buf, 3, 11));
    }

    @ParameterizedTest(name = "first byte {0}, second byte {1}, {2} bytes -> {3}")
    @CsvSource({
        // RFC 7983 §7 first-byte ranges, at their edges.
        "0,   1,   20, STUN",
        "3,   1,   20, STUN",
        "4,   1,   20, UNKNOWN",
        "16,  1,   20, UNKNOWN",     // ZRTP
        "19,  1,   20, UNKNOWN",
        "20,  1,   13, DTLS",
        "63,  1,   13, DTLS",
        "64,  1,   20, UNKNOWN",     // TURN channel
        "127, 1,   20, UNKNOWN",
        "128, 0,   12, RTP",
        "191, 0,   12, RTP",
        "192, 0,   12, UNKNOWN",
        "255, 0,   12, UNKNOWN",
        // RFC 5761 §4: RTCP packet types 192..223 in the second byte.
        "128, 191, 12, RTP",
        "128, 192, 8,  RTCP",
        "128, 200, 8,  RTCP",
        "128, 223, 8,  RTCP",
        "128, 224, 12, RTP",
        "129, 205, 8,  RTCP",
        // Too short for the kind the first byte names.
        "0,   1,   19, UNKNOWN",
        "22,  1,   12, UNKNOWN",
        "128, 96,  11, UNKNOWN",
        "128, 201, 7,  UNKNOWN",
        "128, 0,   1,  UNKNOWN",
    })
    void shouldClassifyByFirstTwoBytesAndLength(
        final int firstByte, final int secondByte, final int length, final PacketKind expected)
    {
        final byte[] buf = new byte[Math.max(length, 2)];
        buf[0] = (byte)firstByte;
        buf[1] = (byte)secondByte;

        assertEquals(expected, Demux.classify(buf, 0, length));
    }

    @Test
    void shouldReportUnknownForRangesOutsideBuffer()
    {
        final byte[] buf = CHROMIUM_STUN_BINDING_REQUEST;

        assertEquals(PacketKind.UNKNOWN, Demux.classify(null, 0, 20));
        assertEquals(PacketKind.UNKNOWN, Demux.classify(buf, 0, 0));
        assertEquals(PacketKind.UNKNOWN, Demux.classify(buf, -1, 20));
        assertEquals(PacketKind.UNKNOWN, Demux.classify(buf, 1, buf.length));
        assertEquals(PacketKind.UNKNOWN, Demux.classify(buf, Integer.MAX_VALUE, 20));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        Fuzz.run(7983, List.of(CHROMIUM_STUN_BINDING_REQUEST, CHROMIUM_DTLS_CLIENT_HELLO, CHROMIUM_RTP_OPUS,
            CHROMIUM_SRTCP_SENDER_REPORT), Demux::classify);
    }
}
