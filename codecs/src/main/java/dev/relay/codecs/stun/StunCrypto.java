package dev.relay.codecs.stun;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA1 and CRC-32 state for MESSAGE-INTEGRITY and FINGERPRINT, owned by one thread.
 *
 * <p>The key is only re-initialised when it changes: an ICE-lite Transport answers every check
 * with the same password, and {@code Mac.init} is the expensive part. The JDK's {@code Mac}
 * still allocates two 20-byte arrays per {@code doFinal}; STUN runs every few hundred
 * milliseconds per Transport, not per media packet, so that is accepted here.
 */
final class StunCrypto
{
    static final String HMAC_SHA1 = "HmacSHA1";
    static final int HMAC_SHA1_LENGTH = 20;
    /** RFC 8489 §14.7: the CRC is XORed with "STUN" so it differs from other CRCs in the datagram. */
    static final int FINGERPRINT_XOR = 0x5354554E;

    private final Mac mac;
    private final CRC32 crc = new CRC32();
    private final byte[] digest = new byte[HMAC_SHA1_LENGTH];
    private byte[] currentKey;

    StunCrypto()
    {
        try
        {
            mac = Mac.getInstance(HMAC_SHA1);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            // Every Java SE runtime must provide HmacSHA1 (Mac javadoc, "Every implementation
            // of the Java platform is required to support...").
            throw new IllegalStateException(ex);
        }
    }

    /** @return the FINGERPRINT value for {@code buf[off, off + len)}. */
    int fingerprint(final byte[] buf, final int off, final int len)
    {
        crc.reset();
        crc.update(buf, off, len);
        return (int)crc.getValue() ^ FINGERPRINT_XOR;
    }

    /**
     * HMAC-SHA1 of the message from {@code off} to {@code end} with the 16-bit length field taken
     * from {@code lengthField} instead of the buffer, so a received message can be checked
     * without rewriting it (RFC 8489 §14.5).
     *
     * @return a scratch array valid until the next call, or null for a null or empty key.
     */
    byte[] hmac(final byte[] key, final byte[] buf, final int off, final int end, final int lengthField)
    {
        if (key == null || key.length == 0)
        {
            return null;
        }
        try
        {
            if (!Arrays.equals(key, currentKey))
            {
                mac.init(new SecretKeySpec(key, HMAC_SHA1));
                currentKey = key.clone();
            }
            mac.update(buf, off, StunMessage.LENGTH_OFFSET);
            mac.update((byte)(lengthField >>> 8));
            mac.update((byte)lengthField);
            mac.update(buf, off + StunMessage.MAGIC_COOKIE_OFFSET, end - off - StunMessage.MAGIC_COOKIE_OFFSET);
            mac.doFinal(digest, 0);
            return digest;
        }
        catch (final GeneralSecurityException ex)
        {
            // HmacSHA1 accepts any non-empty key and the output array is sized for it.
            throw new IllegalStateException(ex);
        }
    }

    /** Constant-time comparison so the check does not leak how many MAC bytes matched. */
    static boolean equalsConstantTime(final byte[] expected, final byte[] buf, final int off, final int len)
    {
        if (expected == null || len != expected.length)
        {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < len; i++)
        {
            diff |= expected[i] ^ buf[off + i];
        }
        return diff == 0;
    }
}
