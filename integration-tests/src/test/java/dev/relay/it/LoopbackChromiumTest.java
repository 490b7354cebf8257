package dev.relay.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.relay.signaling.RelayServer;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a test of Chromium participants against one loopback relay needs: the relay for the
 * class (skipped without Chromium), a browser per participant closed after each test, and their
 * diagnostics printed when a test fails.
 */
abstract class LoopbackChromiumTest {
    static RelayServer relay;
    static URI httpBase;

    final List<ChromiumPeer> peers = new ArrayList<>();

    @RegisterExtension
    final AfterTestExecutionCallback dumpOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            Thread.interrupted(); // a @Timeout interrupt would otherwise abort the dump's WebDriver calls
            System.out.println("##### " + context.getDisplayName() + " failed - browser diagnostics follow");
            peers.forEach(ChromiumPeer::dumpDiagnostics);
        }
    };

    @BeforeAll
    static void startRelay() throws Exception {
        assumeTrue(ChromiumPeer.chromiumInstalled(),
                "skipped: " + ChromiumPeer.CHROMIUM + " is not installed (apt-get install -y chromium chromium-driver)");
        relay = Relays.startLoopback();
        httpBase = Relays.httpBase(relay);
    }

    @AfterAll
    static void stopRelay() {
        if (relay != null) {
            relay.close();
            relay = null;
        }
    }

    @AfterEach
    void closeBrowsers() {
        peers.forEach(ChromiumPeer::close);
        peers.clear();
    }

    /** A Chromium participant, closed after the test. */
    ChromiumPeer launch(String name) throws IOException {
        return launch(name, List.of());
    }

    /** A Chromium participant with extra command-line flags, closed after the test. */
    ChromiumPeer launch(String name, List<String> extraFlags) throws IOException {
        ChromiumPeer peer = ChromiumPeer.launch(name, extraFlags);
        peers.add(peer);
        return peer;
    }
}
