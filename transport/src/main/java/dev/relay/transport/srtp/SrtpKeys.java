package dev.relay.transport.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * SRTP master keys and salts for both directions, as one side of a DTLS association sees them:
 * {@code local*} protects what this side sends, {@code remote*} unprotects what it receives.
 *
 * <p>The arrays are owned by this record once built; callers must not modify them.
 */
public record SrtpKeys(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {

    public SrtpKeys {
        Objects.requireNonNull(profile, "profile");
        checkLength("localKey", localKey, profile.keyLength());
        checkLength("localSalt", localSalt, profile.saltLength());
        checkLength("remoteKey", remoteKey, profile.keyLength());
        checkLength("remoteSalt", remoteSalt, profile.saltLength());
    }

    private static void checkLength(String name, byte[] value, int expected) {
        if (value == null || value.length != expected) {
            throw new IllegalArgumentException(name + " must be " + expected + " bytes");
        }
    }

    /**
     * Splits exported keying material (label "EXTRACTOR-dtls_srtp", no context) per RFC 5764
     * §4.2:
     * <pre>
     * client_write_SRTP_master_key[keyLen] | server_write_SRTP_master_key[keyLen]
     * | client_write_SRTP_master_salt[saltLen] | server_write_SRTP_master_salt[saltLen]
     * </pre>
     * The DTLS client sends with the client_write key and salt, the server with the server_write
     * ones.
     */
    public static SrtpKeys fromKeyingMaterial(SrtpProfile profile, byte[] material, boolean dtlsClient) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        if (material == null || material.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException("keying material must be " + profile.keyingMaterialLength() + " bytes");
        }
        byte[] clientKey = Arrays.copyOfRange(material, 0, k);
        byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
        return dtlsClient
                ? new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
                : new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    /** Content equality: the record default would compare array identities. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SrtpKeys other
                && profile == other.profile
                && Arrays.equals(localKey, other.localKey)
                && Arrays.equals(localSalt, other.localSalt)
                && Arrays.equals(remoteKey, other.remoteKey)
                && Arrays.equals(remoteSalt, other.remoteSalt);
    }

    @Override
    public int hashCode() {
        return 31 * profile.hashCode() + Arrays.hashCode(localKey);
    }

    /** Never prints key material: this record ends up in logs next to failures. */
    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]";
    }
}
