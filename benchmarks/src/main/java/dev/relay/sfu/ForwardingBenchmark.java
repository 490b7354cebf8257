package dev.relay.sfu;

import dev.relay.bench.Packets;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
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
 * The worker's per-packet work without the sockets: {@code rewrite} is one Consumer's header
 * rewrite and copy; {@code fanOut} is one inbound packet parsed and then rewritten and SRTP
 * protected for each of N Consumers (what MediaWorker.onRtp does before the egress ring).
 * Times are per inbound packet; divide fanOut by N for the cost per egress packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ForwardingBenchmark {
    @Param({"1", "10", "100"})
    public int consumers;

    private final byte[] in = new byte[1300];
    private final byte[] out = new byte[1400];
    private final RtpPacket rtp = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private SimpleConsumer[] fanOut;
    private SrtpSession[] sessions;
    private int length;
    private int seq;

    @Setup
    public void setUp() {
        TransportRegistry registry = new TransportRegistry();
        RouterTransport source = new RouterTransport(registry.create(), null);
        Producer producer = new Producer(1, Codec.VP8, 0x12345678, 96, source);
        fanOut = new SimpleConsumer[consumers];
        sessions = new SrtpSession[consumers];
        SrtpProfile profile = SrtpProfile.AEAD_AES_128_GCM;
        for (int i = 0; i < consumers; i++) {
            RouterTransport sink = new RouterTransport(registry.create(), null);
            fanOut[i] = new SimpleConsumer(10 + i, producer, sink, 0x1000 + i, 96, i * 100);
            byte[] key = new byte[profile.keyLength()];
            key[0] = (byte) i;
            byte[] salt = new byte[profile.saltLength()];
            sessions[i] = new SrtpSession(new SrtpKeys(profile, key, salt, key.clone(), salt.clone()));
        }
        length = Packets.vp8Packet(in, 1100, true);
    }

    @Benchmark
    public int rewrite() {
        rtp.wrap(in, 0, length);
        return fanOut[0].rewrite(rtp, vp8, out);
    }

    @Benchmark
    public int fanOut() {
        seq = (seq + 1) & 0xFFFF;
        in[2] = (byte) (seq >> 8);
        in[3] = (byte) seq;
        if (!rtp.wrap(in, 0, length)) {
            return -1;
        }
        int sum = 0;
        for (int i = 0; i < fanOut.length; i++) {
            int len = fanOut[i].rewrite(rtp, vp8, out);
            sum += sessions[i].protectRtp(out, 0, len);
        }
        return sum;
    }
}
