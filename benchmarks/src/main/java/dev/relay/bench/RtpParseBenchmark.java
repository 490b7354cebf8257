package dev.relay.bench;

import dev.relay.codecs.Demux;
import dev.relay.codecs.PacketKind;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Demux + RTP header (with a one-byte extension block) + VP8 descriptor, as the worker parses. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RtpParseBenchmark {
    private final byte[] packet = new byte[1200];
    private final RtpPacket rtp = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private int length;

    @Setup
    public void setUp() {
        length = Packets.vp8Packet(packet, 1100, true);
    }

    @Benchmark
    public int parse() {
        if (Demux.classify(packet, 0, length) != PacketKind.RTP || !rtp.wrap(packet, 0, length)) {
            return -1;
        }
        int mid = rtp.findExtension(Packets.MID_EXTENSION_ID);
        boolean keyframe = vp8.wrap(packet, rtp.payloadOffset(), rtp.payloadLength()) && vp8.isKeyframe();
        return rtp.ssrc() + rtp.sequenceNumber() + mid + (keyframe ? 1 : 0);
    }
}
