package dev.relay.signaling;

import dev.relay.signaling.sdp.RemoteTransportInfo;
import dev.relay.transport.Transport;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsSession;
import dev.relay.transport.srtp.SrtpKeys;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the relay's DTLS server on a Transport once the browser's certificate fingerprint is
 * known from its SDP (RFC 5763 §5), and hands the SRTP keys to the Room's Router when the
 * handshake completes (RFC 5764 §4.2). The handshake runs on the DTLS executor.
 */
final class DtlsStarter {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsStarter.class);

    private final DtlsCertificate certificate;
    private final ExecutorService executor;

    DtlsStarter(DtlsCertificate certificate, ExecutorService executor) {
        this.certificate = certificate;
        this.executor = executor;
    }

    void start(Participant participant, Transport transport, RemoteTransportInfo remote) {
        Room room = participant.room();
        transport.startDtls(certificate, remote.fingerprintAlgorithm(), remote.fingerprint(), executor,
                new DtlsSession.Listener() {
                    @Override
                    public void onHandshakeComplete(SrtpKeys keys) {
                        LOG.info("{} DTLS established for {} ({})", transport, participant.id(), keys.profile());
                        room.router().transportConnected(transport, keys);
                    }

                    @Override
                    public void onFailure(String reason, Throwable cause) {
                        LOG.warn("{} DTLS failed for {}: {}", transport, participant.id(), reason);
                    }
                });
    }
}
