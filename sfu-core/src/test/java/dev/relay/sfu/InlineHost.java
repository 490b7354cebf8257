package dev.relay.sfu;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.transport.DropCounters;
import dev.relay.transport.Transport;
import dev.relay.transport.TransportRegistry;
import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpProfile;
import java.util.HashMap;
import java.util.Map;

/**
 * A Router's thread for unit tests: commands run at once on the test thread, time is a fake
 * clock the test moves, and every Transport's packets land in a {@link RecordingSender}. The
 * test plays the I/O thread by handing decrypted packets to {@link Router#onRtp} / {@link Router#onRtcp}.
 */
final class InlineHost implements RouterHost {
    static final SrtpKeys KEYS = new SrtpKeys(SrtpProfile.AEAD_AES_128_GCM, new byte[16], new byte[12],
            new byte[16], new byte[12]);

    long nanos = 5_000_000_000L;
    long epochMillis = 1_764_000_000_000L;
    final DropCounters drops = new DropCounters();
    final TransportRegistry registry = new TransportRegistry(drops);
    final MediaContext context = new MediaContext(drops, () -> nanos, () -> epochMillis);
    final Map<Integer, RecordingSender> senders = new HashMap<>();
    final Map<Integer, RouterTransport> bound = new HashMap<>();

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
        RecordingSender sender = new RecordingSender(transport);
        senders.put(transport.id(), sender);
        return sender;
    }

    @Override
    public void bind(RouterTransport routed) {
        bound.put(routed.transport().id(), routed);
    }

    @Override
    public void unbind(RouterTransport routed) {
        bound.remove(routed.transport().id());
    }

    Router newRouter() {
        return new Router(this);
    }

    /** A Transport attached to {@code router} whose DTLS has finished. */
    Transport connected(Router router) {
        Transport transport = registry.create();
        router.attachTransport(transport);
        router.transportConnected(transport, KEYS);
        return transport;
    }

    RecordingSender sent(Transport transport) {
        return senders.get(transport.id());
    }

    void advanceMillis(long millis) {
        nanos += millis * 1_000_000L;
        epochMillis += millis;
    }

    /** The publisher on {@code from} sends this RTP packet; it arrives now. */
    void receiveRtp(Router router, Transport from, byte[] packet) {
        router.onRtp(bound.get(from.id()), packet, 0, packet.length, nanos);
    }

    /** A still-protected datagram from the inbound ring. */
    void receiveSrtp(Router router, Transport from, byte[] datagram, boolean rtcp) {
        router.onSrtp(bound.get(from.id()), rtcp, datagram, 0, datagram.length, nanos);
    }

    void receiveRtcp(Router router, Transport from, byte[] packet) {
        router.onRtcp(bound.get(from.id()), packet, 0, packet.length, nanos);
    }

    /** An RTP packet with a payload of {@code payload} bytes 0, 1, 2, ... */
    static byte[] rtp(int ssrc, int pt, int seq, long timestamp, boolean marker, int payload) {
        byte[] out = new byte[12 + payload];
        int off = RtpPacket.writeHeader(out, 0, marker, pt, seq, timestamp, ssrc);
        for (int i = 0; i < payload; i++) {
            out[off + i] = (byte) i;
        }
        return out;
    }

    /** A VP8 packet (RFC 7741 §4.2): start of partition 0; a keyframe has the P bit clear. */
    static byte[] vp8(int ssrc, int seq, long timestamp, boolean keyframe, boolean start) {
        byte[] out = rtp(ssrc, 96, seq, timestamp, false, 20);
        out[12] = (byte) (start ? 0x10 : 0x00);
        out[13] = (byte) (keyframe ? 0x10 : 0x11);
        return out;
    }
}
