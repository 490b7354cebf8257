package dev.relay.transport.dtls;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cached thread pool for handshakes whose threads record any exception that escapes a task,
 * so a test can assert that no thread died silently.
 */
final class DtlsTestExecutor implements AutoCloseable {
    final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    final ExecutorService executor;

    DtlsTestExecutor() {
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "dtls-test-" + ids.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
            return thread;
        };
        this.executor = Executors.newCachedThreadPool(factory);
    }

    /** Shuts down and reports whether every task finished within the timeout. */
    boolean shutdownAndAwait(long millis) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
