package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The worker -> event-loop hand-off under contention: several "worker" threads offer records
 * and wake the egress, as media workers do; the event loop drains into a channel. Every record
 * is either delivered exactly once, in each writer's order, or counted as EGRESS_RING_FULL; and
 * none is stranded in the ring after the writers stop (the wake protocol loses no wake-up).
 * A LocalChannel stands in for the UDP socket: it hands the written DatagramPackets to a peer.
 */
class ChannelEgressConcurrencyTest {
    private static final int WRITERS = 4;
    private static final int RECORDS_PER_WRITER = 50_000;

    @RepeatedTest(3)
    void shouldDeliverOrCountEveryRecordAndStrandNone() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(2);
        long[] lastSeq = new long[WRITERS];
        java.util.Arrays.fill(lastSeq, -1);
        AtomicLong delivered = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        LocalAddress address = new LocalAddress("egress-test-" + System.nanoTime());
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        DatagramPacket packet = (DatagramPacket) msg;
                        ByteBuf content = packet.content();
                        int writer = content.getInt(content.readerIndex());
                        long seq = content.getLong(content.readerIndex() + 4);
                        if (seq <= lastSeq[writer]) {
                            outOfOrder.incrementAndGet();
                        }
                        lastSeq[writer] = seq;
                        delivered.incrementAndGet();
                        packet.release();
                    }
                }).bind(address).sync().channel();
        Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        DropCounters drops = new DropCounters();
        // A small ring so that writers fill it and the full-ring path is exercised.
        DatagramEgress egress = new DatagramEgress(0, client, 256 * 1024, drops);
        Transport transport = new TransportRegistry(drops).create();
        client.eventLoop().submit(() -> {
            egress.register(transport);
            transport.onValidatedRequest(egress, new InetSocketAddress("127.0.0.1", 5000), true, 1);
        }).sync();
        try {
            CountDownLatch start = new CountDownLatch(1);
            Thread[] writers = new Thread[WRITERS];
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers[w] = new Thread(() -> {
                    byte[] record = new byte[200];
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (long seq = 0; seq < RECORDS_PER_WRITER; ) {
                        int batch = 1 + random.nextInt(32);
                        for (int i = 0; i < batch && seq < RECORDS_PER_WRITER; i++, seq++) {
                            putInt(record, 0, writer);
                            putLong(record, 4, seq);
                            egress.offer(transport.id(), ChannelEgress.NO_STAMP, record, 0, 100 + (int) (seq % 100));
                        }
                        egress.wake();
                        // A worker's duty cycle: batches with gaps, so the ring mostly keeps up.
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    }
                }, "writer-" + w);
                writers[w].start();
            }
            start.countDown();
            for (Thread writer : writers) {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
            long offered = (long) WRITERS * RECORDS_PER_WRITER;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivered.get() + drops.get(DropReason.EGRESS_RING_FULL) < offered
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(offered, delivered.get() + drops.get(DropReason.EGRESS_RING_FULL),
                    "every record delivered or counted, none stranded");
            assertEquals(0, outOfOrder.get(), "each writer's records arrive in order, once");
            System.out.printf("egress: %d delivered, %d counted as ring-full%n", delivered.get(),
                    drops.get(DropReason.EGRESS_RING_FULL));
            assertEquals(0, drops.total() - drops.get(DropReason.EGRESS_RING_FULL));
            // Liveness after the storm: a batch that fits the ring is delivered whole. (How much
            // got through during contention depends on the scheduler, not on this class.)
            long before = delivered.get();
            long droppedBefore = drops.get(DropReason.EGRESS_RING_FULL);
            byte[] record = new byte[200];
            for (int i = 0; i < 500; i++) {
                putInt(record, 0, 0);
                putLong(record, 4, RECORDS_PER_WRITER + i);
                assertTrue(egress.offer(transport.id(), ChannelEgress.NO_STAMP, record, 0, 120), "an empty ring takes the batch");
            }
            egress.wake();
            long liveDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivered.get() < before + 500 && System.nanoTime() < liveDeadline) {
                Thread.sleep(5);
            }
            assertEquals(before + 500, delivered.get(), "the event loop still drains after contention");
            assertEquals(droppedBefore, drops.get(DropReason.EGRESS_RING_FULL));
        } finally {
            client.close().sync();
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }
}
