package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.NackPacket;
import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.Transport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The graph's own steady state allocates nothing with simulcast and retransmission on: three
 * layers bound by rid, four subscribers on different layers, each NACKing now and then and
 * answered on its RTX stream from the layer caches. Measured on the test thread, which plays the
 * worker here (InlineHost, a counting sender: no sockets, no SRTP; those are
 * {@code ForwardingAllocationTest}'s).
 */
class SimulcastRetransmissionAllocationTest {
    private static final int[] SSRCS = {0x5100_0001, 0x5100_0002, 0x5100_0003};
    private static final String[] RIDS = {"q", "h", "f"};
    private static final int SUBSCRIBERS = 4;
    private static final int FRAMES_PER_ROUND = 600;
    private static final int KEYFRAME_EVERY = 150;
    private static final int ROUNDS = 6;
    /** Under one object per NACK answered (SUBSCRIBERS x FRAMES_PER_ROUND / 20 = 120 a round). */
    private static final long QUIET_BYTES = 1024;
    /** A generous one-off, still well under one object per packet in (3 x FRAMES_PER_ROUND a round). */
    private static final long ONE_OFF_BYTES = 8 * 1024;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport[] subscribers = new Transport[SUBSCRIBERS];
    private final byte[][] packets = new byte[3][];
    private final RtpPacket writer = new RtpPacket();
    private final byte[] nack = new byte[NackPacket.maxLength(1)];
    private final int[] lost = new int[1];
    private int seq;

    @Test
    void shouldForwardAndRetransmitWithoutAllocating() {
        router.createSimulcastProducer(1, publisher, Codec.VP8, "0", List.of(RIDS), 9, 10, true);
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribers[i] = host.connected(router);
            router.createConsumer(10 + i, 1, subscribers[i], 0x7000 + i, 96, 0x7100 + i, 97);
            router.setConsumerLayer(10 + i, Math.min(i, 2));
        }
        for (int layer = 0; layer < 3; layer++) {
            packets[layer] = SimulcastIngestTest.layerPacket(SSRCS[layer], 0, "0", RIDS[layer]);
        }
        host.senders.values().forEach(s -> s.countOnly = true);

        // A one-off can land in any round (JIT deoptimisation, a lazily initialised JDK structure;
        // measured up to 448 B in one round, 0 in the others), so the quietest of six rounds is
        // judged. One object per packet in would cost at least 16 B x 1,800 = 28.8 KB a round and
        // one per NACK answered at least 16 B x 120 = 1.9 KB, above both bounds below.
        long fewest = Long.MAX_VALUE;
        long most = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long bytes = ThreadAllocation.ofSecondRound(r -> forwardRound());
            fewest = Math.min(fewest, bytes);
            most = Math.max(most, bytes);
        }

        long forwarded = 0;
        for (Transport subscriber : subscribers) {
            forwarded += host.sent(subscriber).rtpCount;
        }
        long retransmitted = host.context.count(MediaEvent.RETRANSMISSION_SENT.ordinal());
        System.out.printf("simulcast + RTX: %d packets out (%d retransmitted), %d layer switches; %d-%d B allocated "
                + "per measured round%n", forwarded, retransmitted, host.context.count(MediaEvent.LAYER_SWITCH
                .ordinal()), fewest, most);
        assertTrue(retransmitted > 0, "NACKs were answered");
        assertTrue(host.context.count(MediaEvent.LAYER_SWITCH.ordinal()) >= SUBSCRIBERS, "layers were switched");
        assertTrue(fewest < QUIET_BYTES, "the quietest round of " + FRAMES_PER_ROUND * 3
                + " packets in and their NACKs allocates at most a one-off: " + fewest + " B");
        assertTrue(most < ONE_OFF_BYTES, "no round allocates per packet: " + most + " B");
    }

    /** One frame per layer at a time (each a whole frame: marker set), a NACK from each subscriber every 20. */
    private void forwardRound() {
        for (int frame = 0; frame < FRAMES_PER_ROUND; frame++) {
            seq = (seq + 1) & 0xFFFF;
            boolean keyframe = seq % KEYFRAME_EVERY == 1;
            for (int layer = 0; layer < 3; layer++) {
                byte[] packet = packets[layer];
                writer.wrap(packet, 0, packet.length);
                writer.sequenceNumber(seq);
                writer.timestamp(3000L * seq);
                packet[writer.payloadOffset() + 1] = (byte) (keyframe ? 0x10 : 0x11);
                host.receiveRtp(router, publisher, packet);
            }
            host.nanos += 33_000_000L;
            if (frame % 20 == 19) {
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    RecordingSender sent = host.sent(subscribers[i]);
                    if (sent.lastSeq < 0) {
                        continue;
                    }
                    lost[0] = (sent.lastSeq - 3) & 0xFFFF;
                    NackPacket.write(nack, 0, 0x5555, 0x7000 + i, lost, 1);
                    host.receiveRtcp(router, subscribers[i], nack);
                }
            }
        }
    }
}
