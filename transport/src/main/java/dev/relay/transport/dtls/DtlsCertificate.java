package dev.relay.transport.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * The relay's DTLS identity: an ECDSA P-256 self-signed X.509 certificate and its key.
 *
 * <p>WebRTC peers authenticate each other by the certificate fingerprint carried in SDP
 * (RFC 8827 §6.5), so no CA is involved; ECDSA P-256 is what browsers generate themselves and
 * the cheapest signature in the handshake. Making a certificate costs tens to hundreds of
 * milliseconds, so {@link #generate()} makes one per process and every Transport
 * shares it; the key never leaves this object.
 */
public final class DtlsCertificate {
    /*
     * Chromium's own WebRTC certificates last 30 days; peers check only the fingerprint, not the
     * validity period, but a relay process can run longer than that, so give it a year.
     */
    private static final Duration VALIDITY = Duration.ofDays(365);
    /** Back-dated so a peer whose clock runs behind ours does not see "not yet valid". */
    private static final Duration CLOCK_SKEW = Duration.ofDays(1);
    private static final String SUBJECT = "CN=relay";

    private final X509CertificateHolder certificate;
    private final byte[] encoded;
    private final AsymmetricKeyParameter privateKey;
    private final String fingerprintSha256;

    private DtlsCertificate(X509CertificateHolder certificate, AsymmetricKeyParameter privateKey) {
        this.certificate = certificate;
        try {
            this.encoded = certificate.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.privateKey = privateKey;
        this.fingerprintSha256 = CertificateFingerprint.format(CertificateFingerprint.digest("SHA-256", encoded));
    }

    /** Lazy holder: the JVM makes the process certificate once, on first use, thread-safely. */
    private static final class ProcessCertificate {
        static final DtlsCertificate INSTANCE = createSelfSigned();
    }

    /**
     * The process-wide certificate, made on the first call (ECDSA P-256, self-signed). Every
     * call returns the same instance, so SDP can advertise one fingerprint for all Transports.
     */
    public static DtlsCertificate generate() {
        return ProcessCertificate.INSTANCE;
    }

    /** A fresh certificate and key pair; for tests and key rotation, not per session. */
    public static DtlsCertificate createSelfSigned() {
        SecureRandom random = new SecureRandom();
        X9ECParameters curve = ECNamedCurveTable.getByName("P-256");
        // Named-curve parameters so the SubjectPublicKeyInfo carries the secp256r1 OID:
        // BoringSSL rejects certificates with explicit curve parameters.
        ECNamedDomainParameters domain = new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, curve);
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(domain, random));
        AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();

        Instant now = Instant.now();
        X500Name name = new X500Name(SUBJECT);
        // RFC 5280 §4.1.2.2: positive, at most 20 octets.
        BigInteger serial = new BigInteger(64, random).add(BigInteger.ONE);
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(VALIDITY)), name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic()));
            AlgorithmIdentifier signatureAlgorithm =
                    new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digestAlgorithm =
                    new DefaultDigestAlgorithmIdentifierFinder().find(signatureAlgorithm);
            ContentSigner signer = new BcECContentSignerBuilder(signatureAlgorithm, digestAlgorithm)
                    .build(keyPair.getPrivate());
            return new DtlsCertificate(builder.build(signer), keyPair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the DTLS certificate", e);
        }
    }

    /** SDP form of the SHA-256 fingerprint: upper-case hex pairs joined by colons (RFC 8122 §5). */
    public String fingerprintSha256() {
        return fingerprintSha256;
    }

    /** The certificate, for inspection (subject, validity). */
    public X509CertificateHolder certificateHolder() {
        return certificate;
    }

    /** DER encoding of the certificate (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The ECDSA private key, as Bouncy Castle's TLS signer wants it. */
    public AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** The one-element chain the DTLS handshake sends, bound to the session's crypto provider. */
    public Certificate tlsCertificate(TlsCrypto crypto) throws IOException {
        TlsCertificate tlsCertificate = crypto.createCertificate(encoded);
        return new Certificate(new TlsCertificate[] {tlsCertificate});
    }

    @Override
    public String toString() {
        return "DtlsCertificate[sha-256 " + fingerprintSha256 + "]";
    }
}
