package dev.relay.transport.dtls;

import dev.relay.transport.srtp.SrtpKeys;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Captures a {@link DtlsSession}'s callbacks as futures, and how many terminal ones arrived. */
final class RecordingListener implements DtlsSession.Listener {
    final CompletableFuture<SrtpKeys> completed = new CompletableFuture<>();
    final CompletableFuture<String> failed = new CompletableFuture<>();
    final CompletableFuture<Void> closedByPeer = new CompletableFuture<>();
    final AtomicInteger terminalCallbacks = new AtomicInteger();
    volatile Throwable failureCause;

    @Override
    public void onHandshakeComplete(SrtpKeys keys) {
        completed.complete(keys);
    }

    @Override
    public void onFailure(String reason, Throwable cause) {
        terminalCallbacks.incrementAndGet();
        failureCause = cause;
        failed.complete(reason);
    }

    @Override
    public void onClosedByPeer() {
        terminalCallbacks.incrementAndGet();
        closedByPeer.complete(null);
    }

    SrtpKeys awaitKeys() throws Exception {
        try {
            return completed.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("handshake did not complete; failure: " + failed.getNow(null), failureCause);
        }
    }

    String awaitFailure() throws Exception {
        return failed.get(10, TimeUnit.SECONDS);
    }
}
