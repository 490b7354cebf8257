package dev.relay.sfu;

import dev.relay.transport.ChannelEgress;
import dev.relay.transport.DropCounters;
import dev.relay.transport.DropReason;
import dev.relay.transport.EgressBatch;
import dev.relay.transport.InboundRecord;
import dev.relay.transport.Transport;
import dev.relay.transport.WorkerInbox;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One media worker thread's duty cycle: run control commands, drain the inbound ring (each
 * record to {@link Router#onSrtp}: unprotect by its Transport, then route),
 * run the timers (held keyframe requests, periodic RTCP), then wake the sockets written to.
 * Every Router pinned here, and everything in it, is touched by this thread only; the packet
 * logic itself lives in the graph (Router, Producer, Consumer), not here.
 */
public final class MediaWorker implements Agent, MessageHandler, WorkerInbox, RouterHost {
    /** 16 MiB of records: ~13,000 full-size datagrams of slack between I/O and this thread. */
    private static final int INBOX_BYTES = 16 << 20;
    private static final int COMMAND_CAPACITY = 4096;
    private static final int READ_LIMIT = 256;
    private static final int SPINS_BEFORE_SLEEP = 200;
    /** Longest sleep without a signal: bounds the lateness of RTCP timers and keyframe requests. */
    private static final long MAX_SLEEP_NANOS = 5_000_000L;
    /**
     * The sleep of a worker with no Router: it has no timers, so it waits for a signal (the
     * bound is only a safety net). Waking every 5 ms instead cost an idle worker about 3 % of a
     * core (docs/benchmarks.md "Where P2.1 stands").
     */
    private static final long IDLE_WORKER_SLEEP_NANOS = 1_000_000_000L;
    /** RFC 3550 §6.2 would allow less; 1 s is what browsers and SFUs use with rtcp-rsize. */
    private static final long RTCP_INTERVAL_NANOS = 1_000_000_000L;
    /** Transport-cc feedback: libwebrtc sends it every 50-250 ms depending on its rate; 50 ms is its fastest. */
    private static final long TRANSPORT_CC_INTERVAL_NANOS = 50_000_000L;
    /** How often NACKs to publishers are considered: below the first NACK's reorder delay (10 ms). */
    private static final long NACK_INTERVAL_NANOS = 5_000_000L;
    /**
     * How often every subscriber's downlink (allocation, probe pacing) is looked at. Probes are
     * metered by elapsed time, so 1 ms steps lose nothing; polling on every loop instead walked
     * every subscriber on each idle spin, which at 1 -> 200 was most of the worker's CPU
     * (docs/benchmarks.md "Where P2.1 stands").
     */
    private static final long DOWNLINK_INTERVAL_NANOS = 1_000_000L;
    /**
     * A record that waited longer than this in the inbound ring means the worker is behind: its
     * UDP sends then go to the sockets' event loops, so the kernel's share of them runs on other
     * cores (EgressBatch.handOff). A worker that keeps up takes a record within tens of
     * microseconds of its arrival.
     */
    private static final long HAND_OFF_AFTER_NANOS = 2_000_000L;
    /** SRTP/SRTCP adds at most a 16-byte tag plus the 4-byte SRTCP index. */
    private static final int SRTP_OVERHEAD = 32;

    private final int index;
    private final MediaContext context;
    private final ManyToOneRingBuffer inbox;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands =
            new ManyToOneConcurrentArrayQueue<>(COMMAND_CAPACITY);
    private final Consumer<Runnable> runCommand = Runnable::run;
    private final Int2ObjectHashMap<RouterTransport> transports = new Int2ObjectHashMap<>();
    private final List<Router> routers = new ArrayList<>();
    private final EgressBatch egress = new EgressBatch();
    /** When the current duty cycle started (its inbound records' age is measured against it). */
    private long cycleNanos;
    private final byte[] in = new byte[MediaContext.SCRATCH_BYTES];
    private long nextRtcpNanos;
    private long nextTransportCcNanos;
    private long nextNackNanos;
    private long nextDownlinkNanos;
    private long nextSpeakersNanos;
    private volatile boolean sleeping;
    private volatile Thread thread;

    // The context's plain counters, published once per duty cycle with a release store so the
    // scrape thread reads a recent, untorn value without a per-packet volatile write
    // (docs/architecture.md "Conventions").
    private final AtomicLong publishedPacketsIn = new AtomicLong();
    private final AtomicLong publishedPacketsOut = new AtomicLong();
    private final AtomicLongArray publishedEvents = new AtomicLongArray(MediaEvent.values().length);
    private final AtomicLong publishedBytesOut = new AtomicLong();
    private final AtomicLong publishedBytesIn = new AtomicLong();

    MediaWorker(int index, DropCounters drops, LongSupplier nanoClock, LongSupplier epochMillisClock) {
        this.index = index;
        this.context = new MediaContext(drops, nanoClock, epochMillisClock);
        int capacity = INBOX_BYTES + RingBufferDescriptor.TRAILER_LENGTH;
        this.inbox = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
    }

    @Override
    public String roleName() {
        return "media-worker-" + index;
    }

    @Override
    public RingBuffer ring() {
        return inbox;
    }

    @Override
    public void signal() {
        // Dekker-style pairing with idle(): the caller's ring commit (a release store) must be
        // visible before it reads 'sleeping', and idle() sets 'sleeping' before re-checking the
        // ring. Without the full fence both could miss each other and a batch would wait for
        // the park timeout.
        VarHandle.fullFence();
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public boolean submit(Runnable command) {
        if (!commands.offer(command)) {
            return false;
        }
        signal();
        return true;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    /**
     * The worker's idle strategy: spin briefly after work, then sleep until a producer signals
     * (or {@link #MAX_SLEEP_NANOS} passes, for timers). A busy-polling worker would burn a core
     * per worker on an idle relay; this one costs nothing when idle and one unpark per batch.
     */
    IdleStrategy idleStrategy() {
        return new IdleStrategy() {
            private int spins;

            @Override
            public void idle(int workCount) {
                if (workCount > 0) {
                    spins = 0;
                    return;
                }
                idle();
            }

            @Override
            public void idle() {
                if (++spins < SPINS_BEFORE_SLEEP) {
                    Thread.onSpinWait();
                    return;
                }
                spins = 0;
                sleeping = true;
                if (inbox.size() == 0 && commands.isEmpty()) {
                    LockSupport.parkNanos(this, routers.isEmpty() ? IDLE_WORKER_SLEEP_NANOS : MAX_SLEEP_NANOS);
                }
                sleeping = false;
            }

            @Override
            public void reset() {
                spins = 0;
            }
        };
    }

    // ---- RouterHost: called on this thread by the Routers pinned here ----

    @Override
    public MediaContext context() {
        return context;
    }

    @Override
    public RtpSender senderFor(Transport transport) {
        return new TransportSender(transport, egress);
    }

    @Override
    public void bind(RouterTransport routed) {
        routed.transport().inbox(this);
        transports.put(routed.transport().id(), routed);
        if (!routers.contains(routed.router())) {
            routers.add(routed.router());
        }
    }

    @Override
    public void unbind(RouterTransport routed) {
        transports.remove(routed.transport().id());
        // Nothing of this Transport is in flight on this thread any more: its keys can go.
        routed.transport().releaseSrtp();
        if (!routed.router().hasTransports()) {
            routers.remove(routed.router());
        }
    }

    // ---- the duty cycle ----

    @Override
    public int doWork() {
        cycleNanos = context.nanoTime();
        egress.stamp(cycleNanos);
        int work = commands.drain(runCommand);
        work += inbox.read(this, READ_LIMIT);
        // What timers send next is not late: it goes out directly unless older sends still wait.
        egress.handOff(false);
        long now = context.nanoTime();
        egress.stamp(now);
        if (context.takeKeyframeRequestsPending()) {
            for (int r = 0; r < routers.size(); r++) {
                work += routers.get(r).sendHeldKeyframeRequests(now);
            }
        }
        if (now - nextTransportCcNanos >= 0) {
            nextTransportCcNanos = now + TRANSPORT_CC_INTERVAL_NANOS;
            for (int r = 0; r < routers.size(); r++) {
                work += routers.get(r).sendTransportCcFeedback();
            }
        }
        if (now - nextNackNanos >= 0) {
            nextNackNanos = now + NACK_INTERVAL_NANOS;
            for (int r = 0; r < routers.size(); r++) {
                work += routers.get(r).sendNacks(now);
            }
        }
        if (now - nextDownlinkNanos >= 0) {
            nextDownlinkNanos = now + DOWNLINK_INTERVAL_NANOS;
            for (int r = 0; r < routers.size(); r++) {
                work += routers.get(r).pollDownlinks(now);
            }
        }
        if (now - nextSpeakersNanos >= 0) {
            nextSpeakersNanos = now + ActiveSpeakers.EVALUATE_INTERVAL_NANOS;
            for (int r = 0; r < routers.size(); r++) {
                routers.get(r).evaluateSpeakers(now);
            }
        }
        if (now - nextRtcpNanos >= 0) {
            nextRtcpNanos = now + RTCP_INTERVAL_NANOS;
            for (int r = 0; r < routers.size(); r++) {
                work += routers.get(r).sendReports(now);
            }
        }
        egress.flush();
        if (work > 0) {
            publishedPacketsIn.lazySet(context.packetsIn());
            publishedPacketsOut.lazySet(context.packetsOut());
            publishedBytesOut.lazySet(context.bytesOut());
            publishedBytesIn.lazySet(context.bytesIn());
            for (int i = 0; i < publishedEvents.length(); i++) {
                publishedEvents.lazySet(i, context.count(i));
            }
        }
        return work;
    }

    /** One inbound record: {@link InboundRecord} layout. */
    @Override
    public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        int datagramLength = length - InboundRecord.DATAGRAM_OFFSET;
        RouterTransport routed = transports.get(buffer.getInt(index + InboundRecord.TRANSPORT_ID_OFFSET));
        if (routed == null || datagramLength <= 0 || datagramLength > in.length - SRTP_OVERHEAD) {
            context.drop(DropReason.UNVALIDATED_ADDRESS);
            return;
        }
        long receiveNanos = buffer.getLong(index + InboundRecord.RECEIVE_NANOS_OFFSET);
        if (cycleNanos - receiveNanos > ChannelEgress.MAX_QUEUE_AGE_NANOS) {
            // Behind: late media is dropped, not queued (NACK and PLI repair what matters).
            context.drop(DropReason.INBOUND_STALE);
            return;
        }
        egress.handOff(context.nanoTime() - receiveNanos > HAND_OFF_AFTER_NANOS);
        buffer.getBytes(index + InboundRecord.DATAGRAM_OFFSET, in, 0, datagramLength);
        // What this packet makes counts its age from its arrival (ChannelEgress drops it when late).
        egress.stamp(receiveNanos);
        routed.router().onSrtp(routed, msgTypeId == InboundRecord.MSG_SRTCP, in, 0, datagramLength, receiveNanos);
        egress.stamp(cycleNanos);
    }

    public long packetsIn() {
        return publishedPacketsIn.get();
    }

    public long packetsOut() {
        return publishedPacketsOut.get();
    }

    public long bytesOut() {
        return publishedBytesOut.get();
    }

    /** Decrypted RTP bytes (header and payload) routed to a Producer. */
    public long bytesIn() {
        return publishedBytesIn.get();
    }

    /**
     * Bytes waiting in the inbound ring; any thread. Agrona reads the producer and consumer
     * positions with volatile loads, so a scrape costs the I/O threads and this worker nothing.
     */
    public long inboxUsedBytes() {
        return inbox.size();
    }

    public long inboxCapacityBytes() {
        return inbox.capacity();
    }

    /** The worker's thread, or null before it started (for its CPU time in metrics). */
    public Thread thread() {
        return thread;
    }

    /** How often {@code event} happened on this worker (published once per duty cycle). */
    public long count(MediaEvent event) {
        return publishedEvents.get(event.ordinal());
    }
}
