package dev.relay.sfu;

import dev.relay.transport.Transport;

/**
 * What a Router needs from the thread it is pinned to: {@link MediaWorker} in the relay, an
 * inline host in tests and benchmarks (commands run at once on the caller, a fake clock, recording
 * senders).
 */
interface RouterHost {
    /** Runs {@code command} on the owning thread; false (nothing run) if the queue is full. Any thread. */
    boolean submit(Runnable command);

    /** The clocks, counters and scratch shared by the Routers of this thread. */
    MediaContext context();

    /** How packets leave through {@code transport}. Owning thread. */
    RtpSender senderFor(Transport transport);

    /** From now on the Transport's SRTP/SRTCP is handed to {@code routed}. Owning thread. */
    void bind(RouterTransport routed);

    /** The Transport's packets are dropped from now on. Owning thread. */
    void unbind(RouterTransport routed);
}
