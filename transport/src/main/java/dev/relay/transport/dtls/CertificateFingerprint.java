package dev.relay.transport.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * A certificate fingerprint as SDP carries it: {@code a=fingerprint:sha-256 AB:CD:...}
 * (RFC 8122 §5). WebRTC authenticates the DTLS peer by this value alone, not by a CA chain
 * (RFC 8827 §6.5, RFC 5763 §5): the certificate the peer presents must hash to it.
 */
final class CertificateFingerprint {
    private final String algorithm;
    private final String digestAlgorithm;
    private final byte[] expected;

    private CertificateFingerprint(String algorithm, String digestAlgorithm, byte[] expected) {
        this.algorithm = algorithm;
        this.digestAlgorithm = digestAlgorithm;
        this.expected = expected;
    }

    /**
     * Parses the two tokens of an SDP fingerprint attribute.
     *
     * @throws IllegalArgumentException on an unknown hash function or malformed hex: a signaling
     *         error the caller turns into a clear reply, before any datagram is involved
     */
    static CertificateFingerprint parse(String algorithm, String hex) {
        if (algorithm == null || hex == null) {
            throw new IllegalArgumentException("fingerprint algorithm and value are required");
        }
        String name = algorithm.trim().toLowerCase(Locale.ROOT);
        String digestAlgorithm = digestAlgorithm(name);
        byte[] value = parseHex(hex.trim());
        int expectedLength = digest(digestAlgorithm, new byte[0]).length;
        if (value.length != expectedLength) {
            throw new IllegalArgumentException("fingerprint for " + name + " must be " + expectedLength
                    + " bytes, got " + value.length);
        }
        return new CertificateFingerprint(name, digestAlgorithm, value);
    }

    /** RFC 8122 §5 hash function names; MD2/MD5 are refused (RFC 8122 §5 "MUST NOT"). */
    private static String digestAlgorithm(String sdpName) {
        switch (sdpName) {
            case "sha-1":
            case "sha-224":
            case "sha-256":
            case "sha-384":
            case "sha-512":
                // The JCA standard names are the SDP tokens in upper case.
                return sdpName.toUpperCase(Locale.ROOT);
            default:
                throw new IllegalArgumentException("unsupported fingerprint hash function: " + sdpName);
        }
    }

    String algorithm() {
        return algorithm;
    }

    /** Constant-time comparison of the DER certificate's hash with the expected value. */
    boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(expected, digest(digestAlgorithm, derCertificate));
    }

    /** The fingerprint of a certificate with this instance's hash function, in SDP form. */
    String of(byte[] derCertificate) {
        return format(digest(digestAlgorithm, derCertificate));
    }

    String expected() {
        return format(expected);
    }

    static byte[] digest(String digestAlgorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(digestAlgorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE runtime ships SHA-1 and SHA-2 (MessageDigest javadoc).
            throw new IllegalStateException(digestAlgorithm + " unavailable", e);
        }
    }

    /** Upper-case hex pairs joined by colons, RFC 8122 §5 (the {@code fingerprint} rule). */
    static String format(byte[] digest) {
        StringBuilder out = new StringBuilder(digest.length * 3);
        for (int i = 0; i < digest.length; i++) {
            if (i > 0) {
                out.append(':');
            }
            out.append(Character.toUpperCase(Character.forDigit((digest[i] >> 4) & 0xF, 16)));
            out.append(Character.toUpperCase(Character.forDigit(digest[i] & 0xF, 16)));
        }
        return out.toString();
    }

    /** Accepts either case (RFC 8122 says upper, some stacks send lower) and optional colons. */
    private static byte[] parseHex(String hex) {
        String digits = hex.replace(":", "");
        if (digits.isEmpty() || (digits.length() & 1) != 0) {
            throw new IllegalArgumentException("malformed fingerprint: " + hex);
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(digits.charAt(2 * i), 16);
            int lo = Character.digit(digits.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("malformed fingerprint: " + hex);
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }
}
