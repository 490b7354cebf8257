package dev.relay.sfu;

import dev.relay.bench.Packets;
import dev.relay.transport.DropCounters;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpProfile;
import dev.relay.transport.srtp.SrtpSession;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The real media graph without sockets or rings: {@code fanOut} hands one decrypted VP8 packet to
 * {@link Router#onRtp}, which routes it to its Producer and on to N SimpleConsumers, each of
 * which rewrites it and SRTP-protects it (AES-GCM) into its subscriber's {@link RtpSender}; the
 * sender here stops after the protect, where the relay's would copy into the egress ring. Times
 * are per inbound packet; divide by N for the cost per egress packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ForwardingBenchmark {
    private static final int SSRC = 0x12345678;

    @Param({"1", "10", "100"})
    public int consumers;

    private final byte[] in = new byte[1400];
    private BenchmarkHost host;
    private Router router;
    private RouterTransport source;
    private int length;
    private int seq;

    /** Runs commands inline on the benchmark thread; each Transport's sender protects and drops. */
    private static final class BenchmarkHost implements RouterHost {
        private final MediaContext context = new MediaContext(new DropCounters(), System::nanoTime,
                System::currentTimeMillis);
        private RouterTransport lastBound;

        @Override
        public boolean submit(Runnable command) {
            command.run();
            return true;
        }

        @Override
        public MediaContext context() {
            return context;
        }

        @Override
        public RtpSender senderFor(Transport transport) {
            SrtpProfile profile = SrtpProfile.AEAD_AES_128_GCM;
            byte[] key = new byte[profile.keyLength()];
            key[0] = (byte) transport.id();
            byte[] salt = new byte[profile.saltLength()];
            SrtpSession srtp = new SrtpSession(new SrtpKeys(profile, key, salt, key.clone(), salt.clone()));
            return new RtpSender() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public int sendRtp(byte[] buf, int off, int len) {
                    return srtp.protectRtp(buf, off, len);
                }

                @Override
                public int sendRtcp(byte[] buf, int off, int len) {
                    return srtp.protectRtcp(buf, off, len);
                }
            };
        }

        @Override
        public void bind(RouterTransport routed) {
            lastBound = routed;
        }

        @Override
        public void unbind(RouterTransport routed) {
        }
    }

    @Setup
    public void setUp() {
        host = new BenchmarkHost();
        TransportRegistry registry = new TransportRegistry(new DropCounters());
        router = new Router(host);
        Transport publisher = registry.create();
        router.attachTransport(publisher);
        source = host.lastBound;
        router.createProducer(1, publisher, Codec.VP8, SSRC, 96);
        for (int i = 0; i < consumers; i++) {
            Transport subscriber = registry.create();
            router.attachTransport(subscriber);
            router.createConsumer(10 + i, 1, subscriber, 0x1000 + i, 96);
        }
        // The first packet is a keyframe, so every Consumer starts; the rest are forwarded as is.
        length = Packets.vp8Packet(in, 1100, true);
        router.onRtp(source, in, 0, length, System.nanoTime());
    }

    @Benchmark
    public long fanOut() {
        seq = (seq + 1) & 0xFFFF;
        in[2] = (byte) (seq >> 8);
        in[3] = (byte) seq;
        router.onRtp(source, in, 0, length, 0);
        return host.context.packetsOut();
    }
}
