package dev.relay.signaling;

import dev.relay.signaling.sdp.RemoteTransportInfo;
import dev.relay.transport.Transport;
import dev.relay.transport.dtls.DtlsCertificate;
import dev.relay.transport.dtls.DtlsHandshakes;
import dev.relay.transport.dtls.DtlsSession;
import dev.relay.transport.srtp.SrtpKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the relay's DTLS server on a Transport once the browser's certificate fingerprint is
 * known from its SDP (RFC 5763 §5), and hands the SRTP keys to the Room's Router when the
 * handshake completes (RFC 5764 §4.2). The handshake itself runs when the browser's ClientHello
 * arrives after its ICE check, on the relay's {@link DtlsHandshakes} pool and within its caps.
 */
final class DtlsStarter {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsStarter.class);
    /** Peers cause these: at most one line per 10 s and reason, with a count of the rest. */
    private static final LogThrottle WARNINGS = new LogThrottle(LOG, 10_000_000_000L, System::nanoTime);

    private final DtlsCertificate certificate;
    private final DtlsHandshakes handshakes;

    DtlsStarter(DtlsCertificate certificate, DtlsHandshakes handshakes) {
        this.certificate = certificate;
        this.handshakes = handshakes;
    }

    /**
     * @throws SignalingException {@code bad_sdp} if the fingerprint cannot be used; the SDP parser
     *         checks it first (RemoteTransportInfo), so this only guards against the two
     *         disagreeing. The Transport is unchanged then and a later offer may start DTLS.
     */
    void start(Participant participant, Transport transport, RemoteTransportInfo remote) throws SignalingException {
        Room room = participant.room();
        DtlsSession.Listener listener = new DtlsSession.Listener() {
            @Override
            public void onHandshakeComplete(SrtpKeys keys) {
                LOG.info("{} DTLS established for {} ({})", transport, participant.id(), keys.profile());
                room.router().transportConnected(transport, keys);
            }

            @Override
            public void onFailure(String reason, Throwable cause) {
                WARNINGS.warn("dtls", "{} DTLS failed for {}: {}", transport, participant.id(), reason);
            }

            /** A peer closing its PeerConnection sends close_notify (Firefox does): a normal end. */
            @Override
            public void onClosedByPeer() {
                LOG.info("{} DTLS closed by {} (close_notify)", transport, participant.id());
            }
        };
        try {
            transport.startDtls(certificate, remote.fingerprintAlgorithm(), remote.fingerprint(), handshakes,
                    listener);
        } catch (IllegalArgumentException e) {
            throw new SignalingException("bad_sdp", "a=fingerprint: " + e.getMessage());
        }
    }
}
