package dev.relay.transport.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;

/**
 * Bouncy Castle client peer, for the rare answer where the browser says {@code a=setup:passive}
 * and the relay must connect (RFC 5763 §5: the answerer's a=setup picks the roles). Same profile as
 * {@link DtlsServerPeer}: DTLS 1.2, ECDHE-ECDSA AES-GCM, fingerprint-checked certificate,
 * use_srtp.
 */
final class DtlsClientPeer extends DefaultTlsClient {
    private final HandshakeContext handshake;

    DtlsClientPeer(HandshakeContext handshake) {
        super(handshake.crypto);
        this.handshake = handshake;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return HandshakeContext.CIPHER_SUITES.clone();
    }

    /** X25519 first (cheapest), P-256 for peers without it; both are what browsers accept. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector groups = new Vector();
        groups.add(NamedGroup.x25519);
        groups.add(NamedGroup.secp256r1);
        return groups;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshake.backstopTimeoutMillis();
    }

    @Override
    public int getHandshakeResendTimeMillis() {
        return HandshakeContext.INITIAL_RESEND_MILLIS;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = super.getClientExtensions();
        TlsSRTPUtils.addUseSRTPExtension(extensions, handshake.offer());
        return extensions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        handshake.acceptServerSelection(TlsSRTPUtils.getUseSRTPExtension(serverExtensions));
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                handshake.verifyPeerCertificate(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                return handshake.signerCredentials(context, request.getSupportedSignatureAlgorithms());
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        handshake.deriveKeys(context);
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        handshake.onAlertRaised(alertLevel, alertDescription, message, cause);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        handshake.onAlertReceived(alertLevel, alertDescription);
    }
}
