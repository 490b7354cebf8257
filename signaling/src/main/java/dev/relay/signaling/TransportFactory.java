package dev.relay.signaling;

import dev.relay.sfu.Router;
import dev.relay.signaling.sdp.LocalTransportInfo;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.dtls.DtlsCertificate;
import java.util.List;

/** Opens a participant's Transports in its Room's Router, describes them for SDP, and closes them. */
final class TransportFactory {
    private final TransportRegistry registry;
    private final DtlsCertificate certificate;
    private final List<String> advertisedAddresses;
    private final int mediaPort;
    private final int mediaTcpPort;
    private final SessionStats stats;

    TransportFactory(TransportRegistry registry, DtlsCertificate certificate, List<String> advertisedAddresses,
                     int mediaPort) {
        this(registry, certificate, advertisedAddresses, mediaPort, -1, new SessionStats());
    }

    /**
     * @param mediaTcpPort the ICE-TCP port offered as passive candidates, or -1 for none
     * @param stats        where ICE restarts are counted
     */
    TransportFactory(TransportRegistry registry, DtlsCertificate certificate, List<String> advertisedAddresses,
                     int mediaPort, int mediaTcpPort, SessionStats stats) {
        this.mediaTcpPort = mediaTcpPort;
        this.stats = stats;
        this.registry = registry;
        this.certificate = certificate;
        this.advertisedAddresses = List.copyOf(advertisedAddresses);
        this.mediaPort = mediaPort;
    }

    /** A new Transport (fresh ICE credentials) whose media goes to {@code router}. */
    Transport open(Router router) {
        Transport transport = registry.create();
        router.attachTransport(transport);
        return transport;
    }

    /** Detaches a Transport, if there is one, and closes it. */
    void close(Router router, Transport transport) {
        if (transport != null) {
            router.detachTransport(transport);
            transport.close();
        }
    }

    /** ICE restart (RFC 8445 §9): new local credentials on the same Transport; DTLS and SRTP stay. */
    void restartIce(Transport transport, boolean publish) {
        registry.restartIce(transport);
        stats.iceRestarted(publish);
    }

    /** What the relay's SDP says about {@code transport}: ICE credentials, fingerprint, host candidates. */
    LocalTransportInfo describe(Transport transport) {
        return new LocalTransportInfo(transport.localCredentials().ufrag(), transport.localCredentials().pwd(),
                certificate.fingerprintSha256(), advertisedAddresses, mediaPort, mediaTcpPort);
    }
}
