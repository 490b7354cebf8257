package dev.relay.sfu;

import dev.relay.transport.DropCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/** The pool of media worker threads; new Routers are spread over them round-robin. */
public final class MediaWorkers implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MediaWorkers.class);
    private final List<MediaWorker> workers = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    public MediaWorkers(int count, DropCounters drops) {
        for (int i = 0; i < count; i++) {
            MediaWorker worker = new MediaWorker(i, drops, System::nanoTime, System::currentTimeMillis);
            IdleStrategy idle = worker.idleStrategy();
            // A duty cycle that throws is logged and the agent keeps running (Aeron's AgentRunner
            // contract); per-packet code never throws, so this is a bug report, not flow control.
            AgentRunner runner = new AgentRunner(idle,
                    error -> LOG.error("{} duty cycle failed", worker.roleName(), error), null, worker);
            workers.add(worker);
            runners.add(runner);
            AgentRunner.startOnThread(runner);
        }
    }

    public Router newRouter() {
        MediaWorker worker = workers.get(Math.floorMod(next.getAndIncrement(), workers.size()));
        return new Router(worker);
    }

    public List<MediaWorker> workers() {
        return workers;
    }

    @Override
    public void close() {
        for (AgentRunner runner : runners) {
            runner.close();
        }
    }
}
