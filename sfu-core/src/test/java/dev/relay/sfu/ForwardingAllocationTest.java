package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.DropCounters;
import dev.relay.transport.DropReason;
import dev.relay.transport.MediaServer;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.srtp.SrtpSession;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The steady-state forwarding path (receive -> SRTP unprotect -> route -> rewrite -> SRTP
 * protect -> the worker's sendmmsg) over real loopback sockets, measured with the JVM's
 * per-thread allocation counters. The relay's own code must add nothing per packet: the worker
 * may allocate only what jitsi-srtp allocates inside protect/unprotect (measured here on the same
 * machine), the I/O thread only Netty's per-datagram envelope objects of what it receives.
 */
class ForwardingAllocationTest {
    private static final int SUBSCRIBERS = 3;
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 15_000;
    /**
     * Measured rounds of MEASURED packets each. A JIT deoptimisation or a lazily initialised JDK
     * structure charges a one-off to whichever round it lands in, so the quietest round is judged;
     * an allocation per packet shows in every round.
     */
    private static final int ROUNDS = 4;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void shouldForwardWithoutAllocatingBeyondSrtpLibrary() throws Exception {
        DropCounters drops = new DropCounters();
        TransportRegistry registry = new TransportRegistry(drops);
        MediaServer media = MediaServer.start("127.0.0.1", 0, 1, registry, drops);
        MediaWorkers workers = new MediaWorkers(1, drops);
        InetSocketAddress relay = new InetSocketAddress("127.0.0.1", media.port());
        List<LoopbackPeer> peers = new ArrayList<>();
        try {
            Router router = workers.newRouter();
            LoopbackPeer publisher = new LoopbackPeer(relay);
            peers.add(publisher);
            Transport publishTransport = connect(router, registry, publisher);
            router.createProducer(1, publishTransport, Codec.OPUS, 0x1111, 111);
            List<LoopbackPeer> subscribers = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                LoopbackPeer subscriber = new LoopbackPeer(relay);
                peers.add(subscriber);
                subscribers.add(subscriber);
                Transport t = connect(router, registry, subscriber);
                router.createConsumer(10 + i, 1, t, 0x2000 + i, 111);
            }
            int[] seq = {0};
            awaitForwarding(publisher, subscribers, seq);
            long received = forward(publisher, subscribers, WARMUP, seq);
            assertTrue(received > WARMUP * SUBSCRIBERS * 0.95, "warm-up forwarded: " + received);
            // The relay's first SRTCP to each peer (its RR and SRs, once a second) derives that SSRC's
            // SRTCP context, a one-off allocation: warm up until every subscriber has had an SR.
            long srDeadline = System.nanoTime() + 5_000_000_000L;
            while (subscribers.stream().anyMatch(s -> s.rtcpReceived == 0) && System.nanoTime() < srDeadline) {
                forward(publisher, subscribers, 50, seq);
            }
            assertTrue(subscribers.stream().allMatch(s -> s.rtcpReceived > 0), "every subscriber got a Sender Report");

            long[] workerIds = threadIds("media-worker-");
            long[] ioIds = threadIds("media-io-");
            long forwarded = 0;
            long staleBefore = stale(drops);
            double workerPerPacket = Double.MAX_VALUE;
            double ioPerDatagram = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                long workerBefore = allocated(workerIds);
                long ioBefore = allocated(ioIds);
                long roundForwarded = forward(publisher, subscribers, MEASURED, seq);
                long workerBytes = allocated(workerIds) - workerBefore;
                long ioBytes = allocated(ioIds) - ioBefore;
                forwarded += roundForwarded;
                workerPerPacket = Math.min(workerPerPacket, (double) workerBytes / Math.max(1, roundForwarded));
                ioPerDatagram = Math.min(ioPerDatagram, (double) ioBytes / (MEASURED + roundForwarded));
            }
            // ICE consent (docs/security.md): the publisher's authenticated SRTP keeps its Transport live.
            long lastAuthenticated = publishTransport.lastAuthenticatedNanos();
            assertTrue(lastAuthenticated != 0 && System.nanoTime() - lastAuthenticated < 5_000_000_000L,
                    "the publisher's media refreshes its consent");

            // Per forwarded packet the worker protects once and unprotects 1/SUBSCRIBERS times.
            double[] srtpCost = srtpBytesPerOperation();
            double srtpPerForward = srtpCost[0] + srtpCost[1] / SUBSCRIBERS;
            System.out.printf("forwarded %d packets in %d rounds; quietest round: worker %.1f B/packet (jitsi-srtp "
                    + "share %.1f), I/O %.1f B/datagram; drops %d%n", forwarded, ROUNDS, workerPerPacket,
                    srtpPerForward, ioPerDatagram, drops.total());
            // Media older than 50 ms is dropped, not sent late (docs/operations.md "Sizing"): on a
            // shared machine a stalled thread may cost a burst, counted; nothing else is lost.
            long staleMeasured = stale(drops) - staleBefore;
            assertEquals(ROUNDS * MEASURED * SUBSCRIBERS, forwarded + staleMeasured,
                    "every packet reached every subscriber on loopback, or was counted stale: " + staleMeasured);
            assertTrue(forwarded >= ROUNDS * MEASURED * SUBSCRIBERS * 0.9, "forwarded " + forwarded);
            assertTrue(workerPerPacket <= srtpPerForward + 4,
                    "worker allocates only inside jitsi-srtp: " + workerPerPacket + " B/packet vs " + srtpPerForward);
            assertEquals(0, drops.total() - drops.get(DropReason.INBOUND_STALE) - drops.get(DropReason.EGRESS_STALE),
                    "no drops but stale ones on loopback");
            // Netty allocates a DatagramPacket (+ sender InetSocketAddress on receive) per datagram.
            assertTrue(ioPerDatagram < 160, "I/O thread: " + ioPerDatagram + " B/datagram");
        } finally {
            for (LoopbackPeer peer : peers) {
                peer.close();
            }
            workers.close();
            media.close();
        }
    }

    private static Transport connect(Router router, TransportRegistry registry, LoopbackPeer peer) throws Exception {
        Transport transport = registry.create();
        router.attachTransport(transport);
        peer.connectIce(transport);
        router.transportConnected(transport, peer.relayKeys);
        return transport;
    }

    /**
     * The commands above run on the worker asynchronously: send one packet at a time until every
     * subscriber has received one (the graph is in place), rather than sleeping a guessed time.
     */
    private static void awaitForwarding(LoopbackPeer publisher, List<LoopbackPeer> subscribers, int[] seq)
            throws Exception {
        boolean[] reached = new boolean[subscribers.size()];
        long deadline = System.nanoTime() + 10_000_000_000L;
        int reachedCount = 0;
        while (reachedCount < reached.length && System.nanoTime() < deadline) {
            publisher.sendRtp(111, seq[0] & 0xFFFF, seq[0] * 960L, 0x1111, 160, false);
            seq[0]++;
            Thread.sleep(1);
            for (int i = 0; i < reached.length; i++) {
                if (subscribers.get(i).drainRtp() > 0 && !reached[i]) {
                    reached[i] = true;
                    reachedCount++;
                }
            }
        }
        assertEquals(reached.length, reachedCount, "every subscriber receives before the measurement");
        drainUntilQuiet(subscribers);
    }

    /**
     * Sends count packets in bursts of 50, each burst once the previous one has reached every
     * subscriber (or 1 s passed): the sender is clocked by the receivers, so no socket buffer
     * overflows however slow a shared machine makes the relay, and a lost packet stays lost (on
     * a starved machine the relay drops media older than 50 ms: docs/operations.md "Sizing").
     */
    private static long forward(LoopbackPeer publisher, List<LoopbackPeer> subscribers, int count, int[] seq)
            throws Exception {
        long received = 0;
        long expected = 0;
        for (int sent = 0; sent < count; ) {
            for (int i = 0; i < 50 && sent < count; i++, sent++) {
                publisher.sendRtp(111, seq[0] & 0xFFFF, seq[0] * 960L, 0x1111, 160, false);
                seq[0]++;
                expected += subscribers.size();
            }
            long deadline = System.nanoTime() + 1_000_000_000L;
            do {
                for (LoopbackPeer subscriber : subscribers) {
                    received += subscriber.drainRtp();
                }
                if (received < expected) {
                    // Park, not spin: a spinning reader starves the relay's threads on a small machine.
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            } while (received < expected && System.nanoTime() < deadline);
        }
        return received + drainUntilQuiet(subscribers);
    }

    /** Egress packets lost to the age limit: a stale inbound packet is one for every subscriber. */
    private static long stale(DropCounters drops) {
        return drops.get(DropReason.EGRESS_STALE) + drops.get(DropReason.INBOUND_STALE) * SUBSCRIBERS;
    }

    /** Reads until nothing arrives for 200 ms, so no packet of one phase is counted in the next. */
    private static long drainUntilQuiet(List<LoopbackPeer> subscribers) throws Exception {
        long received = 0;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 200_000_000L) {
            long got = 0;
            for (LoopbackPeer subscriber : subscribers) {
                got += subscriber.drainRtp();
            }
            if (got > 0) {
                received += got;
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(1);
            }
        }
        return received;
    }

    /** Bytes jitsi-srtp allocates per protect and per unprotect of this packet size, on this thread. */
    private static double[] srtpBytesPerOperation() throws Exception {
        try (LoopbackPeer a = new LoopbackPeer(new InetSocketAddress("127.0.0.1", 9))) {
            SrtpSession sender = a.srtp;
            SrtpSession receiver = new SrtpSession(a.relayKeys);
            byte[] packet = new byte[2048];
            long self = Thread.currentThread().getId();
            long protectBytes = 0;
            long unprotectBytes = 0;
            int rounds = 20_000;
            for (int i = 0; i < 2 * rounds; i++) {
                int len = RtpPacket.writeHeader(packet, 0, false, 111, i & 0xFFFF, i * 960L, 5);
                long t0 = THREADS.getThreadAllocatedBytes(self);
                len = sender.protectRtp(packet, 0, len + 160);
                long t1 = THREADS.getThreadAllocatedBytes(self);
                receiver.unprotectRtp(packet, 0, len);
                long t2 = THREADS.getThreadAllocatedBytes(self);
                if (i >= rounds) {
                    protectBytes += t1 - t0;
                    unprotectBytes += t2 - t1;
                }
            }
            return new double[] {(double) protectBytes / rounds, (double) unprotectBytes / rounds};
        }
    }

    private static long[] threadIds(String prefix) {
        List<Long> ids = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix)) {
                ids.add(thread.getId());
            }
        }
        assertTrue(!ids.isEmpty(), "threads named " + prefix);
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static long allocated(long[] ids) {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(ids)) {
            sum += b;
        }
        return sum;
    }
}
