package dev.relay.transport.dtls;

import dev.relay.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * Bouncy Castle server peer for a WebRTC DTLS-SRTP association: DTLS 1.2 only, ECDHE-ECDSA
 * with AES-GCM, a mandatory client certificate checked against the SDP fingerprint, and the
 * use_srtp extension (RFC 5764).
 *
 * <p>DTLS 1.3 offers (Chromium 156 sends supported_versions {DTLS 1.3, 1.2} and an ML-KEM
 * hybrid key share) are answered with 1.2: Bouncy Castle 1.84 has no DTLS 1.3 server, ignores
 * the key_share extension below 1.3, and skips named groups it cannot use for ECDHE.
 */
final class DtlsServerPeer extends DefaultTlsServer {
    private final HandshakeContext handshake;

    DtlsServerPeer(HandshakeContext handshake) {
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

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshake.backstopTimeoutMillis();
    }

    @Override
    public int getHandshakeResendTimeMillis() {
        return HandshakeContext.INITIAL_RESEND_MILLIS;
    }

    /**
     * Always ask for the client's certificate: its fingerprint is the only thing that ties this
     * handshake to the peer that signaled (RFC 5763 §5). RSA is allowed because browsers let
     * applications pick RSA certificates (RTCPeerConnection.generateCertificate).
     */
    @Override
    public CertificateRequest getCertificateRequest() throws IOException {
        short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
        return new CertificateRequest(types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        handshake.verifyPeerCertificate(clientCertificate);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        handshake.selectProfile(TlsSRTPUtils.getUseSRTPExtension(clientExtensions));
    }

    /** RFC 5764 §4.1.1: the server echoes exactly one profile and an empty MKI. */
    @Override
    @SuppressWarnings("rawtypes")
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        SrtpProfile selected = handshake.selectedProfile();
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {selected.id()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return handshake.signerCredentials(context, context.getSecurityParametersHandshake().getClientSigAlgs());
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
