package dev.relay.transport.srtp;

import javax.crypto.Cipher;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins jitsi-srtp's AES implementation before the first SRTP context is made.
 *
 * <p>Left alone, jitsi-srtp's {@code Aes} benchmarks every provider it knows (OpenSSL, SunJCE,
 * Bouncy Castle, PKCS#11) on first use, 11,000 warm-up rounds each, and keeps the fastest per
 * transformation. A noisy measurement can elect Bouncy Castle, whose AES is 8-20x slower here
 * in our measurements. {@code Aes.setFactoryClassName} puts one factory first and makes jitsi-srtp return
 * it as soon as it proves it works, without a benchmark. We choose OpenSSL when its native
 * library loads (it also backs HMAC-SHA1, which jitsi-srtp picks separately, OpenSSL first),
 * SunJCE otherwise: SunJCE uses the CPU's AES and CLMUL instructions and is as fast here.
 *
 * <p>The choice is per process and final: jitsi-srtp caches it per transformation.
 */
final class AesImplementation {
    private static final Logger LOG = LoggerFactory.getLogger(AesImplementation.class);

    /** The transformations SRTP uses (the key derivation too, RFC 3711 §4.3.3, runs AES-CTR). */
    private static final String[] TRANSFORMATIONS = {"AES/CTR/NoPadding", "AES/GCM/NoPadding"};

    private static final String PROVIDER = select();

    private AesImplementation() {
    }

    /** Name of the JCA provider behind SRTP's AES, e.g. "JitsiOpenSslProvider" or "SunJCE". */
    static String provider() {
        return PROVIDER;
    }

    private static String select() {
        Class<?> factory = JitsiOpenSslProvider.isLoaded() ? Aes.OpenSSLCipherFactory.class : Aes.SunJCECipherFactory.class;
        Aes.setFactoryClassName(factory.getName());
        String provider = null;
        for (String transformation : TRANSFORMATIONS) {
            Cipher cipher = Aes.createCipher(transformation);
            String name = cipher.getProvider().getName();
            if ("BC".equals(name)) {
                // Only possible if both OpenSSL and SunJCE failed their self-test; SRTP works,
                // slowly. Say so loudly rather than let throughput drop unexplained.
                LOG.error("jitsi-srtp fell back to Bouncy Castle AES for {}: expect 8-20x slower SRTP", transformation);
            }
            provider = provider == null ? name : provider.equals(name) ? provider : provider + "," + name;
        }
        LOG.info("SRTP AES implementation: {}", provider);
        return provider;
    }
}
