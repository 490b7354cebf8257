package dev.relay.transport.dtls;

import java.io.InterruptedIOException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * Why a DTLS handshake or association failed: the metric kind and the reason for the listener,
 * from what an abort and our own checks recorded, else from Bouncy Castle's exception. The two
 * methods mirror each other.
 */
final class DtlsFailureDescriber {
    private DtlsFailureDescriber() {
    }

    /**
     * The metric reason of a handshake that threw {@code e}; mirrors {@link #describe}.
     *
     * @param abortedAs the kind an abort (eviction) gave the handshake, or null if not aborted
     */
    static DtlsFailure classify(Throwable e, DtlsFailure abortedAs, HandshakeContext handshake) {
        if (abortedAs != null) {
            return abortedAs;
        }
        DtlsFailure recorded = handshake.failureKind();
        if (recorded != null) {
            return recorded;
        }
        if (e instanceof TlsFatalAlertReceived || handshake.fatalAlertReceived() >= 0) {
            return DtlsFailure.ALERT;
        }
        if (e instanceof TlsTimeoutException) {
            return DtlsFailure.TIMEOUT;
        }
        if (e instanceof RuntimeException || e instanceof InterruptedIOException) {
            // A bug, or the pool interrupting its threads at shutdown.
            return DtlsFailure.INTERNAL_ERROR;
        }
        return DtlsFailure.PROTOCOL_ERROR;
    }

    /**
     * The first reason recorded by our own checks, else one read off Bouncy Castle's exception.
     *
     * @param abortedAs the kind an abort (eviction) gave the handshake, or null if not aborted
     * @param abortReason the reason that abort gave; used only when {@code abortedAs} is set
     */
    static String describe(Throwable e, DtlsFailure abortedAs, String abortReason, HandshakeContext handshake) {
        if (abortedAs != null) {
            return abortReason;
        }
        String recorded = handshake.failureReason();
        if (recorded != null) {
            return recorded;
        }
        short peerAlert = handshake.fatalAlertReceived();
        if (e instanceof TlsFatalAlertReceived received) {
            return "peer sent fatal alert " + AlertDescription.getText(received.getAlertDescription());
        }
        if (peerAlert >= 0) {
            return "peer sent fatal alert " + AlertDescription.getText(peerAlert);
        }
        if (e instanceof TlsTimeoutException) {
            return "DTLS handshake timed out after " + handshake.handshakeTimeoutMillis + " ms";
        }
        if (e instanceof TlsFatalAlert alert) {
            String message = alert.getMessage();
            return "DTLS handshake failed with " + AlertDescription.getText(alert.getAlertDescription())
                    + (message != null ? ": " + message : "");
        }
        return "DTLS failed: " + e;
    }
}
