package dev.relay.transport.ice;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Local ICE credentials. RFC 8839 §5.4: ufrag at least 24 bits and pwd at least 128 bits of
 * randomness from the ice-char set; we use 8 and 24 characters of base64url-like symbols.
 */
public record IceCredentials(String ufrag, String pwd) {
    private static final char[] ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public static IceCredentials random() {
        return new IceCredentials(randomString(8), randomString(24));
    }

    public byte[] pwdBytes() {
        return pwd.getBytes(StandardCharsets.UTF_8);
    }

    private static String randomString(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ICE_CHARS[RANDOM.nextInt(ICE_CHARS.length)];
        }
        return new String(out);
    }
}
