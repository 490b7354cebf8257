package dev.relay.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.signaling.RelayConfig;
import dev.relay.signaling.RelayServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a test with a Chromium participant in a network namespace of its own needs
 * ({@link PeerNamespace}: loss, rate limits): the namespace for the class (skipped without
 * Chromium, root, ip or nft), the browsers a test launched, closed after it, and their
 * diagnostics printed when it fails. Each test starts its own relay, bound where the namespace
 * reaches it.
 */
abstract class NamespaceChromiumTest {
    static PeerNamespace ns;

    private final List<ChromiumPeer> peers = new ArrayList<>();

    /** Runs before {@code @AfterEach}, while the browsers are still open. */
    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted();
            System.out.println("##### " + context.getDisplayName() + " failed - browser diagnostics follow");
            peers.forEach(ChromiumPeer::dumpDiagnostics);
        }
    };

    @BeforeAll
    static void createNamespace() {
        assumeTrue(ChromiumPeer.chromiumInstalled(),
                "skipped: " + ChromiumPeer.CHROMIUM + " is not installed (apt-get install -y chromium "
                        + "chromium-driver)");
        ns = PeerNamespace.create();
    }

    @AfterAll
    static void removeNamespace() {
        if (ns != null) {
            ns.close();
            ns = null;
        }
    }

    @AfterEach
    void closeBrowsers() {
        closePeers();
    }

    /** {@code peer}, closed after the test (or by {@link #closePeers}). */
    ChromiumPeer keep(ChromiumPeer peer) {
        peers.add(peer);
        return peer;
    }

    void closePeers() {
        peers.forEach(ChromiumPeer::close);
        peers.clear();
    }

    /** A relay config bound to, and advertising, the host end of the namespace's link. */
    static RelayConfig namespaceRelayConfig() {
        return Relays.loopbackConfig()
                .withBindAddress(ns.hostAddress())
                .withAdvertisedAddresses(List.of(ns.hostAddress()));
    }

    /**
     * Two participants in one new room of {@code relay}: {@code host} on the host, {@code inside}
     * in the namespace (launched with {@code insideFlags} too), each decoding the other's video.
     */
    Call call(RelayServer relay, String roomPrefix, List<String> insideFlags, Duration ready, Duration media)
            throws IOException {
        URI base = URI.create("http://" + ns.hostAddress() + ":" + relay.httpPort());
        // getUserMedia needs a secure context; plain http is one only on loopback, or by this flag.
        List<String> secure = List.of("--unsafely-treat-insecure-origin-as-secure=" + base);
        List<String> inside = new ArrayList<>(secure);
        inside.addAll(insideFlags);
        ChromiumPeer host = keep(ChromiumPeer.launch("host-" + roomPrefix, secure));
        ChromiumPeer peer = keep(ChromiumPeer.launchIn(ns, "inside-" + roomPrefix, inside));
        String room = Relays.uniqueRoom(roomPrefix);
        host.open(base, room);
        peer.open(base, room);
        String h = host.awaitReady(ready);
        String i = peer.awaitReady(ready);
        host.awaitStats("the namespace participant's video", media, s -> s.framesDecodedFrom(i) > 30);
        peer.awaitStats("the host participant's video", media, s -> s.framesDecodedFrom(h) > 30);
        return new Call(host, peer, h, i, room);
    }

    /** {@link #call}'s participants: browsers and participantIds. */
    record Call(ChromiumPeer host, ChromiumPeer inside, String hostId, String insideId, String room) {
    }
}
