package dev.relay.transport;

import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Where a Transport's SRTP/SRTCP goes: the ring of the media worker that owns its Router, and
 * a way to wake that worker once per batch of writes (it sleeps when it has nothing to do).
 */
public interface WorkerInbox {
    RingBuffer ring();

    /** Wakes the worker if it sleeps; call after a batch of commits, from any thread. */
    void signal();
}
