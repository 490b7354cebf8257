package dev.relay.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Pipe SRTP key agreement: X25519 (RFC 7748), HKDF-SHA256 (RFC 5869), RFC 5764 §4.2 layout. */
class PipeKeyExchangeTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SECRET = "cluster-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final String PIPE = "pipe-7";
    private static final String INITIATOR_ADDRESS = "10.0.0.1:40000";
    private static final String ACCEPTOR_ADDRESS = "10.0.0.2:40002";

    @Test
    void shouldDeriveMirroredKeys() {
        PipeKeyExchange a = PipeKeyExchange.start();
        PipeKeyExchange b = PipeKeyExchange.start();
        byte[] tagA = PipeKeyExchange.tag(SECRET, PIPE, true, a.publicKey(), INITIATOR_ADDRESS);
        byte[] tagB = PipeKeyExchange.tag(SECRET, PIPE, false, b.publicKey(), ACCEPTOR_ADDRESS);
        assertTrue(PipeKeyExchange.verify(SECRET, PIPE, true, a.publicKey(), INITIATOR_ADDRESS, tagA));
        assertTrue(PipeKeyExchange.verify(SECRET, PIPE, false, b.publicKey(), ACCEPTOR_ADDRESS, tagB));

        SrtpKeys initiator = a.keys(PIPE, true, INITIATOR_ADDRESS, b.publicKey(), ACCEPTOR_ADDRESS);
        SrtpKeys acceptor = b.keys(PIPE, false, ACCEPTOR_ADDRESS, a.publicKey(), INITIATOR_ADDRESS);

        assertEquals(PipeKeyExchange.PROFILE, initiator.profile());
        assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, PipeKeyExchange.PROFILE);
        assertArrayEquals(initiator.localKey(), acceptor.remoteKey());
        assertArrayEquals(initiator.localSalt(), acceptor.remoteSalt());
        assertArrayEquals(initiator.remoteKey(), acceptor.localKey());
        assertArrayEquals(initiator.remoteSalt(), acceptor.localSalt());
        assertFalse(Arrays.equals(initiator.localKey(), initiator.remoteKey()));
        assertFalse(Arrays.equals(initiator.localSalt(), initiator.remoteSalt()));
        assertEquals(32, a.publicKey().length);
    }

    @Test
    void shouldBindKeysToTheTranscript() {
        PipeKeyExchange a = PipeKeyExchange.start();
        PipeKeyExchange b = PipeKeyExchange.start();
        SrtpKeys initiator = a.keys(PIPE, true, INITIATOR_ADDRESS, b.publicKey(), ACCEPTOR_ADDRESS);

        SrtpKeys otherAddress = b.keys(PIPE, false, ACCEPTOR_ADDRESS, a.publicKey(), "10.0.0.9:40000");
        SrtpKeys otherPipe = b.keys("pipe-8", false, ACCEPTOR_ADDRESS, a.publicKey(), INITIATOR_ADDRESS);

        assertFalse(Arrays.equals(initiator.localKey(), otherAddress.remoteKey()));
        assertFalse(Arrays.equals(initiator.localKey(), otherPipe.remoteKey()));
    }

    @Test
    void shouldMatchRfc7748DiffieHellmanVector() throws Exception {
        // RFC 7748 §6.1.
        PrivateKey alice = privateKey("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        PrivateKey bob = privateKey("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePublic = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        byte[] bobPublic = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] shared = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        byte[] basePoint = new byte[32];
        basePoint[0] = 9;

        assertArrayEquals(alicePublic, PipeKeyExchange.sharedSecret(alice, basePoint));
        assertArrayEquals(bobPublic, PipeKeyExchange.sharedSecret(bob, basePoint));
        assertArrayEquals(shared, PipeKeyExchange.sharedSecret(alice, bobPublic));
        assertArrayEquals(shared, PipeKeyExchange.sharedSecret(bob, alicePublic));
        assertArrayEquals(alicePublic, PipeKeyExchange.rawPublicKey(
                (XECPublicKey) PipeKeyExchange.publicKeyFromRaw(alicePublic)));
    }

    @Test
    void shouldMaskTheTopBitOfTheUCoordinate() throws Exception {
        // RFC 7748 §5.2, second vector: the input u-coordinate has its most significant bit set.
        PrivateKey scalar = privateKey("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
        byte[] u = HEX.parseHex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
        byte[] expected = HEX.parseHex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");

        assertArrayEquals(expected, PipeKeyExchange.sharedSecret(scalar, u));
    }

    @Test
    void shouldRoundTripGeneratedPublicKeys() {
        byte[] raw = PipeKeyExchange.start().publicKey();

        assertArrayEquals(raw, PipeKeyExchange.rawPublicKey((XECPublicKey) PipeKeyExchange.publicKeyFromRaw(raw)));
    }

    @Test
    void shouldMatchRfc5869HkdfVector() {
        // RFC 5869 Appendix A.1.
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
        byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
        byte[] okm = HEX.parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

        assertArrayEquals(okm, PipeKeyExchange.hkdf(salt, ikm, info, 42));
    }

    @Test
    void shouldRejectTagsForAnyChangedField() {
        byte[] publicKey = PipeKeyExchange.start().publicKey();
        byte[] tag = PipeKeyExchange.tag(SECRET, PIPE, true, publicKey, INITIATOR_ADDRESS);
        byte[] otherKey = PipeKeyExchange.start().publicKey();
        byte[] otherSecret = "another-cluster-secret".getBytes(StandardCharsets.UTF_8);

        assertEquals(32, tag.length);
        assertTrue(PipeKeyExchange.verify(SECRET, PIPE, true, publicKey, INITIATOR_ADDRESS, tag));
        assertFalse(PipeKeyExchange.verify(SECRET, PIPE, true, otherKey, INITIATOR_ADDRESS, tag), "public key");
        assertFalse(PipeKeyExchange.verify(SECRET, PIPE, true, publicKey, "10.0.0.1:40001", tag), "address");
        assertFalse(PipeKeyExchange.verify(SECRET, "pipe-8", true, publicKey, INITIATOR_ADDRESS, tag), "pipe id");
        assertFalse(PipeKeyExchange.verify(SECRET, PIPE, false, publicKey, INITIATOR_ADDRESS, tag), "role");
        assertFalse(PipeKeyExchange.verify(otherSecret, PIPE, true, publicKey, INITIATOR_ADDRESS, tag), "secret");
        assertFalse(PipeKeyExchange.verify(SECRET, PIPE, true, publicKey, INITIATOR_ADDRESS,
                Arrays.copyOf(tag, 31)), "truncated tag");
        assertFalse(PipeKeyExchange.verify(SECRET, PIPE, true, publicKey, INITIATOR_ADDRESS, null), "no tag");
        // Length prefixes keep field boundaries: moving a character across them changes the tag.
        assertFalse(Arrays.equals(PipeKeyExchange.tag(SECRET, "ab", true, publicKey, "c"),
                PipeKeyExchange.tag(SECRET, "a", true, publicKey, "bc")));
    }

    @Test
    void shouldRejectBadPeerPublicKeys() {
        PipeKeyExchange exchange = PipeKeyExchange.start();
        byte[] one = new byte[32];
        one[0] = 1;

        assertThrows(IllegalArgumentException.class,
                () -> exchange.keys(PIPE, true, INITIATOR_ADDRESS, new byte[31], ACCEPTOR_ADDRESS));
        assertThrows(IllegalArgumentException.class,
                () -> exchange.keys(PIPE, true, INITIATOR_ADDRESS, new byte[33], ACCEPTOR_ADDRESS));
        assertThrows(IllegalArgumentException.class,
                () -> exchange.keys(PIPE, true, INITIATOR_ADDRESS, new byte[32], ACCEPTOR_ADDRESS));
        assertThrows(IllegalArgumentException.class,
                () -> exchange.keys(PIPE, true, INITIATOR_ADDRESS, one, ACCEPTOR_ADDRESS));
    }

    @Test
    void shouldUseFreshKeysForEachExchange() {
        PipeKeyExchange a1 = PipeKeyExchange.start();
        PipeKeyExchange b1 = PipeKeyExchange.start();
        PipeKeyExchange a2 = PipeKeyExchange.start();
        PipeKeyExchange b2 = PipeKeyExchange.start();

        SrtpKeys first = a1.keys(PIPE, true, INITIATOR_ADDRESS, b1.publicKey(), ACCEPTOR_ADDRESS);
        SrtpKeys second = a2.keys(PIPE, true, INITIATOR_ADDRESS, b2.publicKey(), ACCEPTOR_ADDRESS);

        assertFalse(Arrays.equals(a1.publicKey(), a2.publicKey()));
        assertNotEquals(first, second);
        assertFalse(Arrays.equals(first.localKey(), second.localKey()));
        assertFalse(Arrays.equals(first.remoteKey(), second.remoteKey()));
    }

    @Test
    void shouldNotExposeInternalPublicKey() {
        PipeKeyExchange exchange = PipeKeyExchange.start();
        byte[] copy = exchange.publicKey();
        copy[0] ^= 1;

        assertFalse(Arrays.equals(copy, exchange.publicKey()));
    }

    private static PrivateKey privateKey(String hex) throws Exception {
        return KeyFactory.getInstance("X25519")
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, HEX.parseHex(hex)));
    }

    @Test
    void shouldGiveEachDirectionItsOwnControlKeyBothEndsAgreeOn() {
        PipeKeyExchange initiator = PipeKeyExchange.start();
        PipeKeyExchange acceptor = PipeKeyExchange.start();
        PipeKeyExchange.Agreement a = initiator.agree("id", true, "a:1", acceptor.publicKey(), "b:2");
        PipeKeyExchange.Agreement b = acceptor.agree("id", false, "b:2", initiator.publicKey(), "a:1");
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.sendMacKey(), b.receiveMacKey());
        org.junit.jupiter.api.Assertions.assertArrayEquals(b.sendMacKey(), a.receiveMacKey());
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a.sendMacKey(), a.receiveMacKey()));
        org.junit.jupiter.api.Assertions.assertEquals(a.srtp(), initiator.keys("id", true, "a:1",
                acceptor.publicKey(), "b:2"), "the same SRTP keys as keys() gives");
    }
}
