package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.transport.DropCounters;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The control -> worker hand-off: commands submitted from several threads run exactly once,
 * on the worker thread, in each submitter's order; a full queue refuses (never blocks).
 */
class MediaWorkerCommandTest {
    private static final int SUBMITTERS = 4;
    private static final int COMMANDS = 20_000;

    @Test
    void shouldRunEveryAcceptedCommandOnceInSubmitterOrderOnTheWorker() throws Exception {
        try (MediaWorkers workers = new MediaWorkers(1, new DropCounters())) {
            MediaWorker worker = workers.workers().get(0);
            long[] next = new long[SUBMITTERS];
            long[] ran = {0};
            long[] wrongThreadOrOrder = {0};
            AtomicLong refused = new AtomicLong();
            Thread[] submitters = new Thread[SUBMITTERS];
            for (int s = 0; s < SUBMITTERS; s++) {
                int submitter = s;
                submitters[s] = new Thread(() -> {
                    for (long i = 0; i < COMMANDS; i++) {
                        long seq = i;
                        // Fields of the worker are touched only by the worker: no lock needed.
                        boolean accepted = worker.submit(() -> {
                            if (!Thread.currentThread().getName().startsWith("media-worker-")
                                    || seq < next[submitter]) {
                                wrongThreadOrOrder[0]++;
                            }
                            next[submitter] = seq + 1;
                            ran[0]++;
                        });
                        if (!accepted) {
                            refused.incrementAndGet();
                        }
                    }
                });
                submitters[s].start();
            }
            for (Thread t : submitters) {
                t.join();
            }
            CountDownLatch drained = new CountDownLatch(1);
            while (!worker.submit(drained::countDown)) {
                Thread.onSpinWait();
            }
            assertTrue(drained.await(10, TimeUnit.SECONDS));
            long[] result = new long[2];
            CountDownLatch read = new CountDownLatch(1);
            worker.submit(() -> {
                result[0] = ran[0];
                result[1] = wrongThreadOrOrder[0];
                read.countDown();
            });
            assertTrue(read.await(10, TimeUnit.SECONDS));
            assertEquals(0, result[1], "commands run on the worker, in order");
            assertEquals((long) SUBMITTERS * COMMANDS, result[0] + refused.get(), "run + refused == submitted");
        }
    }
}
