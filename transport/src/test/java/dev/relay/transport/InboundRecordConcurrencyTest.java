package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The I/O -> worker hand-off: several socket threads write datagrams into one worker's ring
 * while the worker reads. Every record read is whole (id, time and bytes agree, so no torn
 * record is ever visible), per-writer order holds, and written + counted-full == offered.
 */
class InboundRecordConcurrencyTest {
    private static final int WRITERS = 3;
    private static final int RECORDS = 100_000;

    @RepeatedTest(3)
    void shouldHandOverWholeRecordsInOrderOrCountThemFull() throws Exception {
        ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect((128 * 1024) + RingBufferDescriptor.TRAILER_LENGTH)));
        AtomicLong full = new AtomicLong();
        Thread[] writers = new Thread[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers[w] = new Thread(() -> {
                byte[] datagram = new byte[1200];
                for (int seq = 0; seq < RECORDS; seq++) {
                    int len = 20 + (seq % 1000);
                    for (int i = 0; i < len; i++) {
                        datagram[i] = (byte) (seq + i);
                    }
                    if (!InboundRecord.write(ring, InboundRecord.MSG_SRTP, writer, seq, datagram, 0, len)) {
                        full.incrementAndGet();
                    }
                }
            });
            writers[w].start();
        }
        long[] next = new long[WRITERS];
        long[] read = {0};
        long[] corrupt = {0};
        long[] reordered = {0};
        byte[] copy = new byte[1200];
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = ring.read((type, buffer, index, length) -> {
                int writer = buffer.getInt(index + InboundRecord.TRANSPORT_ID_OFFSET);
                long seq = buffer.getLong(index + InboundRecord.RECEIVE_NANOS_OFFSET);
                int len = length - InboundRecord.DATAGRAM_OFFSET;
                buffer.getBytes(index + InboundRecord.DATAGRAM_OFFSET, copy, 0, len);
                if (len != 20 + (seq % 1000)) {
                    corrupt[0]++;
                }
                for (int i = 0; i < len; i++) {
                    if (copy[i] != (byte) (seq + i)) {
                        corrupt[0]++;
                        break;
                    }
                }
                if (seq < next[writer]) {
                    reordered[0]++;
                }
                next[writer] = seq + 1;
                read[0]++;
            }, 256);
            boolean alive = false;
            for (Thread t : writers) {
                alive |= t.isAlive();
            }
            if (n == 0 && !alive && ring.size() == 0) {
                break;
            }
        }
        assertEquals(0, corrupt[0], "no torn or mixed records");
        assertEquals(0, reordered[0], "per-writer order");
        assertEquals((long) WRITERS * RECORDS, read[0] + full.get(), "read + counted-full == offered");
        assertTrue(read[0] > 0);
    }
}
