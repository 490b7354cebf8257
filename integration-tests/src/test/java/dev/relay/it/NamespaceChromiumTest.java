package dev.relay.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
}
