package dev.relay.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bytes allocated per packet in steady state, read from the thread's allocation counter.
 *
 * <p>{@link SrtpSession} itself allocates nothing per packet: a dropped packet costs 0 bytes.
 * jitsi-srtp allocates inside each transform (per {@code Cipher.init} a new IvParameterSpec or
 * GCMParameterSpec with a cloned IV; per HMAC a new tag array), measured here at 64 B/packet
 * (GCM) and 104 B/packet (CM + HMAC) with its OpenSSL provider; SunJCE, which copies in-place
 * input, is ~1.1-1.4 KB/packet. The bounds catch a regression, not a target.
 */
class SrtpSessionAllocationTest {
    private static final int PACKETS = 20_000;
    private static final int PAYLOAD_PACKET_LENGTH = 1_184;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldAllocateOnlyJitsiSrtpsFewBytesPerProtectedPacket(SrtpProfile profile) {
        SrtpSession session = new SrtpSession(SrtpSessionTest.symmetricKeys(profile));
        byte[] buf = new byte[PAYLOAD_PACKET_LENGTH + SrtpSession.MAX_RTP_OVERHEAD];
        int seq = 0;
        double perPacket = 0;
        for (int round = 0; round < 4; round++) { // the first rounds warm up the JIT
            long before = allocated();
            for (int i = 0; i < PACKETS; i++, seq++) {
                buf[0] = (byte) 0x80;
                buf[2] = (byte) (seq >> 8);
                buf[3] = (byte) seq;
                assertTrue(session.protectRtp(buf, 0, PAYLOAD_PACKET_LENGTH) > 0);
            }
            perPacket = (allocated() - before) / (double) PACKETS;
        }
        long bound = "JitsiOpenSslProvider".equals(SrtpSession.aesProvider()) ? 160 : 2_048;
        assertTrue(perPacket <= bound, profile + ": " + perPacket + " B/packet with " + SrtpSession.aesProvider());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldAllocateNothingForDroppedPackets(SrtpProfile profile) {
        SrtpSession session = new SrtpSession(SrtpSessionTest.symmetricKeys(profile));
        byte[] malformed = new byte[40];
        malformed[0] = 0x40; // RTP version 1
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < 6; round++) { // the first rounds warm up the JIT
            long before = allocated();
            for (int i = 0; i < PACKETS; i++) {
                session.unprotectRtp(malformed, 0, malformed.length);
                session.protectRtcp(malformed, 0, 4);
            }
            fewest = Math.min(fewest, allocated() - before);
        }
        // A JIT compilation or deoptimisation can charge a few dozen one-off bytes to any round;
        // an allocation per packet would charge at least 16 bytes to each of PACKETS packets.
        assertTrue(fewest < PACKETS, profile + ": " + fewest + " B in the quietest round of " + PACKETS);
        assertEquals(2L * 6 * PACKETS, session.otherFailures(), "every dropped packet counted");
    }

    private long allocated() {
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
