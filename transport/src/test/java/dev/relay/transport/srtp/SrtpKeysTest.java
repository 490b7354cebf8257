package dev.relay.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 5764 §4.2 layout: client key | server key | client salt | server salt. */
class SrtpKeysTest {
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldSplitKeyingMaterialByRole(SrtpProfile profile) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] material = new byte[profile.keyingMaterialLength()];
        for (int i = 0; i < material.length; i++) {
            material[i] = (byte) i;
        }
        byte[] clientKey = Arrays.copyOfRange(material, 0, k);
        byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);

        SrtpKeys client = SrtpKeys.fromKeyingMaterial(profile, material, true);
        SrtpKeys server = SrtpKeys.fromKeyingMaterial(profile, material, false);

        assertArrayEquals(clientKey, client.localKey());
        assertArrayEquals(clientSalt, client.localSalt());
        assertArrayEquals(serverKey, client.remoteKey());
        assertArrayEquals(serverSalt, client.remoteSalt());
        assertArrayEquals(serverKey, server.localKey());
        assertArrayEquals(serverSalt, server.localSalt());
        assertArrayEquals(clientKey, server.remoteKey());
        assertArrayEquals(clientSalt, server.remoteSalt());
        assertEquals(profile == SrtpProfile.AEAD_AES_128_GCM ? 56 : 60, material.length);
        assertEquals("SrtpKeys[" + profile + "]", client.toString(), "no key bytes in logs");
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldRejectWrongLengths(SrtpProfile profile) {
        assertThrows(IllegalArgumentException.class, () -> SrtpKeys.fromKeyingMaterial(profile,
                new byte[profile.keyingMaterialLength() - 1], false));
        assertThrows(IllegalArgumentException.class, () -> new SrtpKeys(profile, new byte[15],
                new byte[profile.saltLength()], new byte[16], new byte[profile.saltLength()]));
    }
}
