package dev.relay.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.bc.BcECContentVerifierProviderBuilder;
import org.junit.jupiter.api.Test;

class DtlsCertificateTest {
    @Test
    void shouldMakeOneCertificatePerProcess() {
        assertSame(DtlsCertificate.generate(), DtlsCertificate.generate());
        assertNotEquals(DtlsCertificate.generate().fingerprintSha256(),
                DtlsCertificate.createSelfSigned().fingerprintSha256());
    }

    @Test
    void shouldFormatSha256FingerprintAsSdpWants() throws Exception {
        DtlsCertificate certificate = DtlsCertificate.generate();
        String fingerprint = certificate.fingerprintSha256();

        assertTrue(fingerprint.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fingerprint);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.encoded());
        assertEquals(HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest), fingerprint);
    }

    @Test
    void shouldBeSelfSignedEcdsaP256WithNamedCurve() throws Exception {
        X509CertificateHolder holder = DtlsCertificate.generate().certificateHolder();
        SubjectPublicKeyInfo key = holder.getSubjectPublicKeyInfo();

        assertEquals(X9ObjectIdentifiers.id_ecPublicKey, key.getAlgorithm().getAlgorithm());
        assertEquals(SECObjectIdentifiers.secp256r1, key.getAlgorithm().getParameters());
        assertEquals(X9ObjectIdentifiers.ecdsa_with_SHA256, holder.getSignatureAlgorithm().getAlgorithm());
        assertEquals(holder.getIssuer(), holder.getSubject());
        assertTrue(holder.isValidOn(new Date()));
        assertTrue(holder.isSignatureValid(new BcECContentVerifierProviderBuilder(
                new DefaultDigestAlgorithmIdentifierFinder()).build(PublicKeyFactory.createKey(key))));
    }
}
