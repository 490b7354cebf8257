package dev.relay.sfu;

import dev.relay.codecs.rtcp.FirPacket;
import dev.relay.codecs.rtcp.NtpTime;
import dev.relay.codecs.rtp.ReceiveStatistics;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.RtcpCompoundIterator;
import dev.relay.codecs.rtcp.RtcpHeader;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import dev.relay.transport.ChannelEgress;
import dev.relay.transport.DropCounters;
import dev.relay.transport.MediaServer;
import dev.relay.transport.DropReason;
import dev.relay.transport.InboundRecord;
import dev.relay.transport.Transport;
import dev.relay.transport.srtp.SrtpSession;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import dev.relay.transport.WorkerInbox;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.MessageHandler;

/**
 * One media worker thread's duty cycle: run control commands, then drain the inbound ring
 * (SRTP unprotect -> route -> per-Consumer rewrite -> SRTP protect -> send), then periodic
 * RTCP. Every Router pinned here, and everything in it, is touched by this thread only.
 */
public final class MediaWorker implements Agent, MessageHandler, WorkerInbox {
    /** 16 MiB of records: ~13,000 full-size datagrams of slack between I/O and this thread. */
    private static final int INBOX_BYTES = 16 << 20;
    private static final int COMMAND_CAPACITY = 4096;
    private static final int READ_LIMIT = 256;
    private static final int SPINS_BEFORE_SLEEP = 200;
    /** Longest sleep without a signal: bounds the lateness of RTCP timers and keyframe requests. */
    private static final long MAX_SLEEP_NANOS = 5_000_000L;
    /** RFC 3550 §6.2 would allow less; 1 s is what browsers and SFUs use with rtcp-rsize. */
    private static final long RTCP_INTERVAL_NANOS = 1_000_000_000L;
    /** SRTP/SRTCP adds at most a 16-byte tag plus the 4-byte SRTCP index. */
    private static final int SRTP_OVERHEAD = 32;

    private final int index;
    private final DropCounters drops;
    private final LongSupplier nanoClock;
    private final LongSupplier epochMillisClock;
    private final ManyToOneRingBuffer inbox;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands =
            new ManyToOneConcurrentArrayQueue<>(COMMAND_CAPACITY);
    private final Consumer<Runnable> runCommand = Runnable::run;
    private final Int2ObjectHashMap<RouterTransport> transports = new Int2ObjectHashMap<>();
    private final List<Router> routers = new ArrayList<>();
    /** Sockets written to in this duty cycle, woken once at its end (batching for sendmmsg). */
    private final ChannelEgress[] dirty = new ChannelEgress[MediaServer.MAX_SOCKETS];
    private final boolean[] isDirty = new boolean[MediaServer.MAX_SOCKETS];
    private int dirtyCount;

    private final byte[] in = new byte[2048];
    private final byte[] out = new byte[2048];
    private final RtpPacket rtp = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
    private final SenderReport senderReport = new SenderReport();
    private final ReceiverReport receiverReport = new ReceiverReport();
    private final PliPacket pli = new PliPacket();
    private final FirPacket fir = new FirPacket();
    private long nextRtcpNanos;
    private boolean keyframeScanNeeded;
    private volatile boolean sleeping;
    private volatile Thread thread;

    // Plain counters owned by this thread (STYLE.md "Metrics"), published once per duty cycle
    // with a release store so the scrape thread reads a recent, untorn value without a per-packet
    // volatile write.
    private long packetsIn;
    private long packetsOut;
    private long bytesOut;
    private final AtomicLong publishedPacketsIn = new AtomicLong();
    private final AtomicLong publishedPacketsOut = new AtomicLong();
    private final AtomicLong publishedBytesOut = new AtomicLong();

    MediaWorker(int index, DropCounters drops, LongSupplier nanoClock, LongSupplier epochMillisClock) {
        this.index = index;
        this.drops = drops;
        this.nanoClock = nanoClock;
        this.epochMillisClock = epochMillisClock;
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

    /** Enqueues a control command; false (and nothing run) if the queue is full. Any thread. */
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
                    LockSupport.parkNanos(this, MAX_SLEEP_NANOS);
                }
                sleeping = false;
            }

            @Override
            public void reset() {
                spins = 0;
            }
        };
    }

    void bind(int transportId, RouterTransport routed) {
        transports.put(transportId, routed);
        if (!routers.contains(routed.router)) {
            routers.add(routed.router);
        }
    }

    void unbind(int transportId) {
        RouterTransport routed = transports.remove(transportId);
        if (routed != null && routed.router.transports().isEmpty()) {
            routers.remove(routed.router);
        }
    }

    @Override
    public int doWork() {
        int work = commands.drain(runCommand);
        work += inbox.read(this, READ_LIMIT);
        long now = nanoClock.getAsLong();
        work += sendKeyframeRequests(now);
        if (now - nextRtcpNanos >= 0) {
            nextRtcpNanos = now + RTCP_INTERVAL_NANOS;
            work += sendReceiverReports(now);
            work += sendSenderReports(now);
        }
        wakeDirty();
        if (work > 0) {
            publishedPacketsIn.lazySet(packetsIn);
            publishedPacketsOut.lazySet(packetsOut);
            publishedBytesOut.lazySet(bytesOut);
        }
        return work;
    }

    @Override
    public void onMessage(int msgTypeId, org.agrona.MutableDirectBuffer buffer, int index, int length) {
        onRecord(msgTypeId, buffer, index, length);
    }

    private void onRecord(int msgTypeId, DirectBuffer buffer, int index, int length) {
        int datagramLength = length - InboundRecord.DATAGRAM_OFFSET;
        RouterTransport routed = transports.get(buffer.getInt(index + InboundRecord.TRANSPORT_ID_OFFSET));
        if (routed == null || datagramLength <= 0 || datagramLength > in.length - SRTP_OVERHEAD) {
            drops.increment(DropReason.UNVALIDATED_ADDRESS);
            return;
        }
        SrtpSession srtp = routed.transport.srtp();
        if (srtp == null) {
            drops.increment(DropReason.NO_SRTP_CONTEXT);
            return;
        }
        long receiveNanos = buffer.getLong(index + InboundRecord.RECEIVE_NANOS_OFFSET);
        buffer.getBytes(index + InboundRecord.DATAGRAM_OFFSET, in, 0, datagramLength);
        if (msgTypeId == InboundRecord.MSG_SRTP) {
            int len = srtp.unprotectRtp(in, 0, datagramLength);
            if (len < 0) {
                drops.increment(DropReason.SRTP_UNPROTECT_FAILED);
                return;
            }
            onRtp(routed, len, receiveNanos);
        } else {
            int len = srtp.unprotectRtcp(in, 0, datagramLength);
            if (len < 0) {
                drops.increment(DropReason.SRTP_UNPROTECT_FAILED);
                return;
            }
            onRtcp(routed, len, receiveNanos);
        }
    }

    private void onRtp(RouterTransport source, int len, long receiveNanos) {
        if (!rtp.wrap(in, 0, len)) {
            drops.increment(DropReason.RTP_MALFORMED);
            return;
        }
        Producer producer = source.producersBySsrc.get(rtp.ssrc());
        if (producer == null) {
            drops.increment(DropReason.RTP_UNKNOWN_SSRC);
            return;
        }
        packetsIn++;
        producer.packetsReceived++;
        producer.bytesReceived += len;
        producer.stats.onPacket(rtp.sequenceNumber(), rtp.timestamp(), receiveNanos);
        SimpleConsumer[] consumers = producer.consumers;
        for (SimpleConsumer consumer : consumers) {
            Transport sink = consumer.sink.transport;
            SrtpSession srtp = sink.srtp();
            if (srtp == null) {
                continue;
            }
            int outLength = consumer.rewrite(rtp, vp8, out);
            if (outLength < 0) {
                continue;
            }
            int protectedLength = srtp.protectRtp(out, 0, outLength);
            if (protectedLength < 0) {
                drops.increment(DropReason.SRTP_PROTECT_FAILED);
                continue;
            }
            ChannelEgress egress = sink.send(out, 0, protectedLength);
            if (egress != null) {
                markDirty(egress);
                consumer.packetsSent++;
                consumer.bytesSent += protectedLength;
                consumer.payloadBytesSent += rtp.payloadLength();
                consumer.lastSendNanos = receiveNanos;
                packetsOut++;
                bytesOut += protectedLength;
            }
        }
    }

    private void onRtcp(RouterTransport routed, int len, long receiveNanos) {
        if (!rtcp.reset(in, 0, len)) {
            drops.increment(DropReason.RTCP_MALFORMED);
            return;
        }
        while (rtcp.next()) {
            RtcpHeader header = rtcp.header();
            int type = header.packetType();
            int off = rtcp.packetOffset();
            int plen = rtcp.packetLength();
            if (type == RtcpHeader.PT_SR) {
                if (senderReport.wrap(in, off, plen)) {
                    Producer producer = routed.producersBySsrc.get(senderReport.senderSsrc());
                    if (producer != null) {
                        producer.stats.onSenderReport(senderReport.ntpTimestamp(), receiveNanos);
                    }
                }
            } else if (type == RtcpHeader.PT_RR) {
                if (receiverReport.wrap(in, off, plen)) {
                    onReceiverReport(routed);
                }
            } else if (type == RtcpHeader.PT_PSFB && header.count() == 1) {
                // RTCP terminates here (DESIGN-NOTES): a subscriber's PLI becomes our own,
                // throttled request to the publisher.
                if (pli.wrap(in, off, plen)) {
                    requestKeyframeFor(routed, pli.mediaSsrc());
                }
            } else if (type == RtcpHeader.PT_PSFB && header.count() == 4) {
                if (fir.wrap(in, off, plen)) {
                    for (int i = 0; i < fir.entryCount(); i++) {
                        requestKeyframeFor(routed, fir.ssrc(i));
                    }
                }
            }
        }
        if (rtcp.malformed()) {
            drops.increment(DropReason.RTCP_MALFORMED);
        }
    }

    /** A subscriber's report on our streams: loss, jitter and RTT (RFC 3550 §6.4.1). */
    private void onReceiverReport(RouterTransport subscriber) {
        long nowCompactNtp = -1;
        for (int i = 0; i < receiverReport.reportCount(); i++) {
            SimpleConsumer consumer = subscriber.consumersBySsrc.get(receiverReport.blockSsrc(i));
            if (consumer == null) {
                continue;
            }
            consumer.reportedFractionLost = receiverReport.fractionLost(i);
            consumer.reportedCumulativeLost = receiverReport.cumulativeLost(i);
            consumer.reportedJitter = receiverReport.jitter(i);
            long lsr = receiverReport.lsr(i);
            if (lsr != 0) {
                if (nowCompactNtp < 0) {
                    nowCompactNtp = (NtpTime.fromEpochMillis(epochMillisClock.getAsLong()) >>> 16) & 0xFFFFFFFFL;
                }
                long rtt = (nowCompactNtp - lsr - receiverReport.dlsr(i)) & 0xFFFFFFFFL;
                // A negative RTT (clock step, bogus DLSR) wraps to a huge value; ignore those.
                if (rtt < 65536L * 10) {
                    consumer.rttMs = rtt * 1000.0 / 65536.0;
                }
            }
        }
    }

    private void requestKeyframeFor(RouterTransport subscriber, int consumerSsrc) {
        SimpleConsumer consumer = subscriber.consumersBySsrc.get(consumerSsrc);
        if (consumer != null) {
            consumer.producer.requestKeyframe();
        }
    }

    /** A Producer of this worker wants a keyframe: scan on the next duty cycle. Worker thread. */
    void keyframeRequested() {
        keyframeScanNeeded = true;
    }

    /**
     * Sends the PLIs that are due. Scans Producers only while some request is pending, so an
     * ordinary duty cycle does not walk every Producer of every Router.
     */
    private int sendKeyframeRequests(long now) {
        if (!keyframeScanNeeded) {
            return 0;
        }
        keyframeScanNeeded = false;
        int sent = 0;
        for (int r = 0; r < routers.size(); r++) {
            for (Producer producer : routers.get(r).producers().values()) {
                if (!producer.keyframeRequestPending) {
                    continue;
                }
                if (now - producer.lastKeyframeRequestNanos < Producer.KEYFRAME_REQUEST_INTERVAL_NANOS) {
                    keyframeScanNeeded = true;
                } else {
                    producer.keyframeRequestPending = false;
                    producer.lastKeyframeRequestNanos = now;
                    RouterTransport source = producer.source;
                    int len = PliPacket.write(out, 0, source.rtcpSsrc, producer.ssrc);
                    sent += sendRtcp(source, len);
                }
            }
        }
        return sent;
    }

    /** RFC 3550 §6.4.2: one RR per publisher Transport with a block per incoming stream. */
    private int sendReceiverReports(long now) {
        int sent = 0;
        for (int r = 0; r < routers.size(); r++) {
            List<RouterTransport> list = routers.get(r).transports();
            for (int t = 0; t < list.size(); t++) {
                RouterTransport routed = list.get(t);
                int blocks = 0;
                for (Producer producer : routed.producersBySsrc.values()) {
                    if (producer.stats.hasPackets()) {
                        blocks++;
                    }
                }
                if (blocks == 0 || blocks > 31) {
                    continue;
                }
                int len = ReceiverReport.writeHeader(out, 0, routed.rtcpSsrc, blocks);
                for (Producer producer : routed.producersBySsrc.values()) {
                    ReceiveStatistics stats = producer.stats;
                    if (stats.hasPackets()) {
                        len += ReceiverReport.writeBlock(out, len, producer.ssrc, stats.takeFractionLost(),
                                stats.cumulativeLost(), stats.extendedHighestSeq(), stats.jitter(),
                                stats.lastSrNtpMiddle(), stats.delaySinceLastSr(now));
                    }
                }
                sent += sendRtcp(routed, len);
            }
        }
        return sent;
    }

    /**
     * One SR per forwarded stream (RFC 3550 §6.4.1): lets subscribers sync audio and video
     * and, through LSR/DLSR in their RRs, lets us measure RTT to them.
     */
    private int sendSenderReports(long now) {
        int sent = 0;
        long ntp = NtpTime.fromEpochMillis(epochMillisClock.getAsLong());
        for (int r = 0; r < routers.size(); r++) {
            List<RouterTransport> list = routers.get(r).transports();
            for (int t = 0; t < list.size(); t++) {
                RouterTransport routed = list.get(t);
                for (SimpleConsumer consumer : routed.consumersBySsrc.values()) {
                    if (consumer.packetsSent == 0) {
                        continue;
                    }
                    long elapsedTicks = (now - consumer.lastSendNanos) * consumer.producer.codec.clockRate()
                            / 1_000_000_000L;
                    long rtpTime = (consumer.lastRtpTimestamp + elapsedTicks) & 0xFFFFFFFFL;
                    int len = SenderReport.write(out, 0, consumer.ssrc, ntp, rtpTime, consumer.packetsSent,
                            consumer.payloadBytesSent);
                    sent += sendRtcp(routed, len);
                }
            }
        }
        return sent;
    }

    private int sendRtcp(RouterTransport routed, int len) {
        SrtpSession srtp = routed.transport.srtp();
        if (srtp == null) {
            return 0;
        }
        int protectedLength = srtp.protectRtcp(out, 0, len);
        if (protectedLength < 0) {
            drops.increment(DropReason.SRTP_PROTECT_FAILED);
            return 0;
        }
        ChannelEgress egress = routed.transport.send(out, 0, protectedLength);
        if (egress != null) {
            markDirty(egress);
            return 1;
        }
        return 0;
    }

    private void markDirty(ChannelEgress egress) {
        int i = egress.index();
        if (!isDirty[i]) {
            isDirty[i] = true;
            dirty[dirtyCount++] = egress;
        }
    }

    private void wakeDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            ChannelEgress egress = dirty[i];
            isDirty[egress.index()] = false;
            dirty[i] = null;
            egress.wake();
        }
        dirtyCount = 0;
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
}
