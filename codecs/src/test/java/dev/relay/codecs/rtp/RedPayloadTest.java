package dev.relay.codecs.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedPayloadTest
{
    /** As libwebrtc sends Opus in RED: one redundant frame 20 ms (960 ticks) old, then the primary. */
    static final byte[] ONE_REDUNDANT = Hex.bytes("""
        ef            # F=1, block PT 111
        0f 00 05      # timestamp offset 960 (14 bits), block length 5 (10 bits)
        6f            # F=0, primary PT 111
        a1 a2 a3 a4 a5   # redundant frame
        b1 b2 b3         # primary frame
        """);

    /** Two redundant frames, 40 and 20 ms old, then the primary. */
    static final byte[] TWO_REDUNDANT = Hex.bytes("""
        ef 1e 00 02   # PT 111, offset 1920, length 2
        ef 0f 00 01   # PT 111, offset 960, length 1
        6f            # primary PT 111
        c1 c2
        a1
        b1 b2
        """);

    private final RedPayload red = new RedPayload();

    @Test
    void shouldFindTheRedundantAndThePrimaryBlock()
    {
        assertTrue(red.wrap(ONE_REDUNDANT, 0, ONE_REDUNDANT.length));

        assertEquals(2, red.blockCount());
        assertEquals(1, red.primary());
        assertEquals(111, red.payloadType(0));
        assertEquals(960, red.timestampOffset(0));
        assertEquals(5, red.dataOffset(0));
        assertEquals(5, red.dataLength(0));
        assertEquals(111, red.payloadType(1));
        assertEquals(0, red.timestampOffset(1));
        assertEquals(10, red.dataOffset(1));
        assertEquals(3, red.dataLength(1));
    }

    @Test
    void shouldKeepBlocksOldestFirst()
    {
        assertTrue(red.wrap(TWO_REDUNDANT, 0, TWO_REDUNDANT.length));

        assertEquals(3, red.blockCount());
        assertEquals(1920, red.timestampOffset(0));
        assertEquals(960, red.timestampOffset(1));
        assertEquals(0xc1, TWO_REDUNDANT[red.dataOffset(0)] & 0xFF);
        assertEquals(0xa1, TWO_REDUNDANT[red.dataOffset(1)] & 0xFF);
        assertEquals(0xb1, TWO_REDUNDANT[red.dataOffset(2)] & 0xFF);
        assertEquals(2, red.dataLength(2));
    }

    @Test
    void shouldReadAPrimaryOnlyPayload()
    {
        final byte[] primaryOnly = Hex.bytes("6f b1 b2");

        assertTrue(red.wrap(primaryOnly, 0, primaryOnly.length));

        assertEquals(1, red.blockCount());
        assertEquals(1, red.dataOffset(0));
        assertEquals(2, red.dataLength(0));
    }

    @Test
    void shouldReadWithinAnOffsetRange()
    {
        final byte[] embedded = new byte[ONE_REDUNDANT.length + 20];
        System.arraycopy(ONE_REDUNDANT, 0, embedded, 12, ONE_REDUNDANT.length);

        assertTrue(red.wrap(embedded, 12, ONE_REDUNDANT.length));

        assertEquals(17, red.dataOffset(0));
        assertEquals(22, red.dataOffset(1));
        assertEquals(3, red.dataLength(1));
    }

    @Test
    void shouldRewriteBlockPayloadTypesKeepingTheFollowBit()
    {
        final byte[] packet = ONE_REDUNDANT.clone();
        red.wrap(packet, 0, packet.length);

        red.payloadType(0, 109);
        red.payloadType(1, 109);

        assertEquals((byte)(0x80 | 109), packet[0]);
        assertEquals((byte)109, packet[4]);
        assertTrue(red.wrap(packet, 0, packet.length));
        assertEquals(109, red.payloadType(0));
        assertEquals(Arrays.toString(Arrays.copyOfRange(ONE_REDUNDANT, 1, 4)),
            Arrays.toString(Arrays.copyOfRange(packet, 1, 4)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty                                |",
        "a long header cut short              | ef 0f 00",
        "no primary header after a long one   | ef 0f 00 00",
        "a redundant block longer than left   | ef 0f 00 05 6f a1 a2 a3 a4",
        "nine blocks                          | ef 00 00 00 ef 00 00 00 ef 00 00 00 ef 00 00 00 ef 00 00 00 "
            + "ef 00 00 00 ef 00 00 00 ef 00 00 00 6f",
    })
    void shouldRefuseMalformedPayloads(final String name, final String hex)
    {
        final byte[] payload = hex == null ? new byte[0] : Hex.bytes(hex);

        assertFalse(red.wrap(payload, 0, payload.length), name);
        assertEquals(0, red.blockCount());
    }

    @Test
    void shouldAcceptEightBlocksWithAnEmptyPrimary()
    {
        final byte[] eight = Hex.bytes("""
            ef 00 00 00 ef 00 00 00 ef 00 00 00 ef 00 00 00 ef 00 00 00 ef 00 00 00 ef 00 00 00
            6f
            """);

        assertTrue(red.wrap(eight, 0, eight.length));

        assertEquals(RedPayload.MAX_BLOCKS, red.blockCount());
        assertEquals(0, red.dataLength(red.primary()));
        assertArrayEquals(new byte[0], Arrays.copyOfRange(eight, red.dataOffset(7), eight.length));
    }
}
