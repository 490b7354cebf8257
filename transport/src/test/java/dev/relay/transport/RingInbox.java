package dev.relay.transport;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/** A worker's inbound ring for tests: 64 KiB, read by the test itself; counts its wake-ups. */
final class RingInbox implements WorkerInbox {
    final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            (64 * 1024) + RingBufferDescriptor.TRAILER_LENGTH)));
    volatile int signals;

    @Override
    public RingBuffer ring() {
        return ring;
    }

    @Override
    public void signal() {
        signals++;
    }
}
