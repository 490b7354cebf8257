package dev.relay.transport.srtp;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SRTP keys for a media pipe between two relay nodes (plain SRTP over UDP, no DTLS), agreed over a
 * control channel that is authenticated by a shared cluster secret but not confidential.
 *
 * <p>Each side makes an ephemeral X25519 key pair (RFC 7748 §6.1) and sends an offer: its raw
 * 32-byte public key, the UDP address its media will come from, and an HMAC-SHA256 tag over
 * {@code label | pipeId | role | publicKey | address} keyed with the cluster secret. Once the peer's
 * tag is verified, both sides compute the X25519 shared secret and derive the SRTP master keys
 * and salts with HKDF-SHA256 (RFC 5869): salt = SHA-256 of both offers (the initiator's first),
 * info = {@code "relay-pipe-srtp"}. The output is laid out as RFC 5764 §4.2 keying material, with
 * the initiator in the DTLS client role. The cluster secret only authenticates: a recorded
 * exchange does not reveal the keys even if the secret leaks later (forward secrecy).
 *
 * <p>One instance per pipe; it holds the private key and is not meant to be reused.
 */
public final class PipeKeyExchange {
    /** The protection profile of every pipe. */
    public static final SrtpProfile PROFILE = SrtpProfile.AES_CM_128_HMAC_SHA1_80;

    /** X25519 public keys and shared secrets are 32 bytes, RFC 7748 §5. */
    static final int KEY_LENGTH = 32;

    private static final byte[] TAG_LABEL = "relay-pipe-offer".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO = "relay-pipe-srtp".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTROL_INFO = "relay-pipe-control".getBytes(StandardCharsets.US_ASCII);
    private static final String HMAC = "HmacSHA256";

    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private PipeKeyExchange(PrivateKey privateKey, byte[] publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A fresh ephemeral key pair for one pipe. */
    public static PipeKeyExchange start() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            return new PipeKeyExchange(pair.getPrivate(), rawPublicKey((XECPublicKey) pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Our raw 32-byte X25519 public key (RFC 7748), to send to the peer. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * The tag to send with our offer: HMAC-SHA256(secret, label | pipeId | role | publicKey | address), each field length-prefixed,
     * role "initiator" or "acceptor"; address is the UDP address (e.g. "10.0.0.1:40000") media will come from.
     */
    public static byte[] tag(byte[] clusterSecret, String pipeId, boolean initiator, byte[] publicKey, String address) {
        return hmac(clusterSecret, offer(pipeId, initiator, publicKey, address));
    }

    /** Constant-time check of a peer's tag (MessageDigest.isEqual). */
    public static boolean verify(byte[] clusterSecret, String pipeId, boolean initiator, byte[] publicKey, String address,
            byte[] tag) {
        return tag != null && MessageDigest.isEqual(tag(clusterSecret, pipeId, initiator, publicKey, address), tag);
    }

    /**
     * Our SRTP keys once the peer's public key and address are known (its tag verified by the
     * caller); see {@link #agree}.
     */
    public SrtpKeys keys(String pipeId, boolean initiator, String ownAddress, byte[] peerPublicKey, String peerAddress) {
        return agree(pipeId, initiator, ownAddress, peerPublicKey, peerAddress).srtp();
    }

    /**
     * What both ends derive from the X25519 shared secret (RFC 7748 §6.1) with HKDF-SHA256
     * (RFC 5869), salted with SHA-256 of both offers (the initiator's first): the SRTP keys of
     * each direction (laid out as RFC 5764 §4.2's keying material, the initiator in the DTLS
     * client's place) and an HMAC key per direction for the control messages that follow.
     *
     * @throws IllegalArgumentException if {@code peerPublicKey} is not 32 bytes or yields an
     *         all-zero shared secret (RFC 7748 §6.1)
     */
    public Agreement agree(String pipeId, boolean initiator, String ownAddress, byte[] peerPublicKey,
                           String peerAddress) {
        byte[] shared = sharedSecret(privateKey, peerPublicKey);
        byte[] own = offer(pipeId, initiator, publicKey, ownAddress);
        byte[] peer = offer(pipeId, !initiator, peerPublicKey, peerAddress);
        byte[] salt = sha256(initiator ? concat(own, peer) : concat(peer, own));
        byte[] material = hkdf(salt, shared, INFO, PROFILE.keyingMaterialLength());
        byte[] control = hkdf(salt, shared, CONTROL_INFO, 2 * KEY_LENGTH);
        Arrays.fill(shared, (byte) 0);
        SrtpKeys keys = SrtpKeys.fromKeyingMaterial(PROFILE, material, initiator);
        Arrays.fill(material, (byte) 0);
        byte[] fromInitiator = Arrays.copyOfRange(control, 0, KEY_LENGTH);
        byte[] fromAcceptor = Arrays.copyOfRange(control, KEY_LENGTH, 2 * KEY_LENGTH);
        Arrays.fill(control, (byte) 0);
        return initiator ? new Agreement(keys, fromInitiator, fromAcceptor)
                : new Agreement(keys, fromAcceptor, fromInitiator);
    }

    /**
     * One end's share of an agreement: its SRTP keys, the HMAC-SHA256 key it signs its control
     * messages with and the one it checks the other end's with. The arrays are owned by the record.
     */
    public record Agreement(SrtpKeys srtp, byte[] sendMacKey, byte[] receiveMacKey) {
        @Override
        public String toString() {
            return "Agreement[" + srtp + "]";
        }
    }

    /**
     * X25519(privateKey, peerRaw), RFC 7748 §5 and §6.1.
     * @throws IllegalArgumentException if peerRaw is not 32 bytes or the result is all zeros
     */
    static byte[] sharedSecret(PrivateKey privateKey, byte[] peerRaw) {
        PublicKey peer = publicKeyFromRaw(peerRaw);
        byte[] shared;
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            try {
                agreement.doPhase(peer, true);
            } catch (InvalidKeyException e) {
                // The JDK refuses small-order points itself: their shared secret is all zeros.
                throw new IllegalArgumentException("peer public key yields an all-zero shared secret", e);
            }
            shared = agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        if (MessageDigest.isEqual(shared, new byte[KEY_LENGTH])) {
            throw new IllegalArgumentException("peer public key yields an all-zero shared secret");
        }
        return shared;
    }

    /**
     * Decodes a raw u-coordinate (little-endian, RFC 7748 §5), masking its most significant bit as
     * that section requires of X25519 receivers.
     */
    static PublicKey publicKeyFromRaw(byte[] raw) {
        if (raw == null || raw.length != KEY_LENGTH) {
            throw new IllegalArgumentException("X25519 public key must be " + KEY_LENGTH + " bytes");
        }
        byte[] bigEndian = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            bigEndian[i] = raw[KEY_LENGTH - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        try {
            return KeyFactory.getInstance("X25519")
                    .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("invalid X25519 public key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw 32-byte little-endian u-coordinate of a public key, RFC 7748 §5. */
    static byte[] rawPublicKey(XECPublicKey key) {
        byte[] bigEndian = key.getU().toByteArray();
        byte[] raw = new byte[KEY_LENGTH];
        // getU() is reduced mod p < 2^255: its minimal big-endian form fits 32 bytes, reverse it.
        for (int i = 0; i < KEY_LENGTH && i < bigEndian.length; i++) {
            raw[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return raw;
    }

    /** HKDF-SHA256 extract then expand, RFC 5869 §2.2 and §2.3. */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length < 0 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF-SHA256 output must be at most 8160 bytes");
        }
        byte[] prk = hmac(salt, ikm);
        byte[] okm = new byte[length];
        byte[] block = new byte[0];
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(prk, HMAC));
            for (int offset = 0, i = 1; offset < length; offset += block.length, i++) {
                mac.update(block);
                mac.update(info);
                mac.update((byte) i);
                block = mac.doFinal();
                System.arraycopy(block, 0, okm, offset, Math.min(block.length, length - offset));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(block, (byte) 0);
        }
        return okm;
    }

    /** label | pipeId | role | publicKey | address, each prefixed with its 4-byte big-endian length. */
    private static byte[] offer(String pipeId, boolean initiator, byte[] publicKey, String address) {
        Objects.requireNonNull(publicKey, "publicKey");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, TAG_LABEL);
        field(out, pipeId.getBytes(StandardCharsets.UTF_8));
        field(out, (initiator ? "initiator" : "acceptor").getBytes(StandardCharsets.US_ASCII));
        field(out, publicKey);
        field(out, address.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, byte[] value) {
        int n = value.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(value);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
