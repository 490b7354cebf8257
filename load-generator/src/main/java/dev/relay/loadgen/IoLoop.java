package dev.relay.loadgen;

import dev.relay.codecs.rtcp.FirPacket;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.RtcpCompoundIterator;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns a share of the load generator's transports: a selector over their
 * sockets (UDP, or ICE-TCP connections), the media pacer of the publishing ones, and their ICE/RTCP timers. A few of these
 * serve hundreds of transports (one writer per state: nothing a transport holds is
 * touched by another thread; the orchestrator talks to a loop through {@link #execute}).
 *
 * <p>Media is paced by deadlines, not by spinning: the loop sleeps in {@code select} until the
 * next frame or packet is due (millisecond resolution, the selector's).
 */
final class IoLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    private static final long HOUSEKEEPING_NANOS = 10_000_000L;
    /** Room for a 1,200-byte datagram and more; SRTP grows packets by at most 20 bytes. */
    static final int BUFFER_BYTES = 2048;
    /** One read of an ICE-TCP stream: many RFC 4571 frames per system call. */
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;

    final int index;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final List<ClientTransport> transports = new ArrayList<>();
    private final List<ClientTransport> senders = new ArrayList<>();
    private final Consumer<SelectionKey> onReady = IoLoop::onReady;
    private volatile boolean running = true;
    private long nextHousekeepingNanos;

    // Scratch state shared by this loop's transports (single thread).
    final byte[] rx = new byte[BUFFER_BYTES];
    final ByteBuffer rxBuffer = ByteBuffer.wrap(rx);
    final byte[] tx = new byte[BUFFER_BYTES];
    final ByteBuffer txBuffer = ByteBuffer.wrap(tx);
    final byte[] streamRx = new byte[STREAM_BUFFER_BYTES];
    final ByteBuffer streamRxBuffer = ByteBuffer.wrap(streamRx);
    final StunMessage stun = new StunMessage();
    final StunMessageWriter stunWriter = new StunMessageWriter();
    final RtpPacket rtp = new RtpPacket();
    final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
    final SenderReport senderReport = new SenderReport();
    final PliPacket pli = new PliPacket();
    final FirPacket fir = new FirPacket();
    final LatencyHistogram audioLatency = new LatencyHistogram();
    final LatencyHistogram videoLatency = new LatencyHistogram();
    /** True inside the measurement window: latencies are recorded. */
    boolean measuring;
    long readErrors;
    long unknownDatagrams;
    /** Time spent working (not waiting in select), for the saturation figure of the report. */
    long busyNanos;
    long windowBusyStartNanos;
    long windowStartNanos;

    IoLoop(int index) {
        this.index = index;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = new Thread(this, "loadgen-io-" + index);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    /** Runs {@code command} on the loop thread; any thread. */
    void execute(Runnable command) {
        commands.add(command);
        selector.wakeup();
    }

    /** Runs {@code task} on the loop thread and completes with its result. */
    <T> CompletableFuture<T> call(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Adds a transport: its socket joins the selector, its media (if any) the pacer. Loop thread. */
    void add(ClientTransport transport) throws IOException {
        transport.register();
        transports.add(transport);
        if (transport.role == ClientTransport.Role.PUBLISH) {
            senders.add(transport);
        }
    }

    List<ClientTransport> transports() {
        return transports;
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    @Override
    public void run() {
        long cycleStart = System.nanoTime();
        try {
            while (running) {
                Runnable command;
                while ((command = commands.poll()) != null) {
                    try {
                        command.run();
                    } catch (RuntimeException e) {
                        LOG.error("load generator loop command failed", e);
                    }
                }
                long now = System.nanoTime();
                if (now - nextHousekeepingNanos >= 0) {
                    nextHousekeepingNanos = now + HOUSEKEEPING_NANOS;
                    for (int i = 0; i < transports.size(); i++) {
                        transports.get(i).housekeeping(now);
                    }
                }
                long next = nextHousekeepingNanos;
                for (int i = 0; i < senders.size(); i++) {
                    long due = senders.get(i).sendDue(now);
                    if (due - next < 0) {
                        next = due;
                    }
                }
                long beforeSelect = System.nanoTime();
                busyNanos += beforeSelect - cycleStart;
                long waitNanos = next - beforeSelect;
                if (waitNanos <= 0 || !commands.isEmpty()) {
                    selector.selectNow();
                } else {
                    selector.select(Math.max(1, (waitNanos + 999_999) / 1_000_000));
                }
                cycleStart = System.nanoTime();
                // Reading counts as work; only the wait inside select is idle.
                selector.selectedKeys().forEach(onReady);
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("load generator loop {} died", index, e);
        } finally {
            for (ClientTransport transport : transports) {
                transport.close();
            }
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("selector close failed", e);
            }
        }
    }

    private static void onReady(SelectionKey key) {
        ((PacketSocket) key.attachment()).onReady(key);
    }
}
