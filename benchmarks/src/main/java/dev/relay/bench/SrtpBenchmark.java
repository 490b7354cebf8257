package dev.relay.bench;

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

/** SRTP protect of a 1,100-byte video packet, per profile (jitsi-srtp with OpenSSL here). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class SrtpBenchmark {
    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public SrtpProfile profile;

    private final byte[] packet = new byte[1300];
    private SrtpSession session;
    private int length;
    private int seq;

    @Setup
    public void setUp() {
        byte[] key = new byte[profile.keyLength()];
        byte[] salt = new byte[profile.saltLength()];
        session = new SrtpSession(new SrtpKeys(profile, key, salt, key.clone(), salt.clone()));
        length = Packets.vp8Packet(packet, 1100, false);
    }

    @Benchmark
    public int protect() {
        // A fresh sequence number each time: SRTP refuses to reuse an index (it would reuse a nonce).
        seq = (seq + 1) & 0xFFFF;
        packet[2] = (byte) (seq >> 8);
        packet[3] = (byte) seq;
        return session.protectRtp(packet, 0, length);
    }
}
