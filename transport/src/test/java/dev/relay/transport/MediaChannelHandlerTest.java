package dev.relay.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UDP demultiplexer in an EmbeddedChannel: what it answers, forwards, drops and counts. */
class MediaChannelHandlerTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 10000);
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 50000);

    private TransportRegistry registry;
    private DropCounters drops;
    private EmbeddedChannel channel;
    private Transport transport;
    private RingInbox inbox;
    private ManyToOneRingBuffer ring;

    @BeforeEach
    void setUp() {
        drops = new DropCounters();
        registry = new TransportRegistry(drops);
        channel = new EmbeddedChannel(new MediaChannelHandler(registry, drops, 0));
        transport = registry.create();
        inbox = new RingInbox();
        ring = inbox.ring;
        transport.inbox(inbox);
    }

    private void receive(byte[] bytes, InetSocketAddress from) {
        channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(bytes), LOCAL, from));
    }

    private byte[] bindingRequest(String username, byte[] key, boolean useCandidate) {
        byte[] out = new byte[512];
        byte[] tx = "0123456789ab".getBytes(StandardCharsets.US_ASCII);
        int len = new StunMessageWriter().writeBindingRequest(out, 0, tx, username, key, 0x6e7f00ffL, true, 42L,
                useCandidate);
        return java.util.Arrays.copyOf(out, len);
    }

    @Test
    void shouldAnswerValidBindingRequestAndSelectTheAddress() {
        String username = transport.localCredentials().ufrag() + ":browser";
        receive(bindingRequest(username, transport.ice().integrityKey(), true), PEER);

        DatagramPacket response = channel.readOutbound();
        assertNotNull(response, "a binding success response");
        assertEquals(PEER, response.recipient());
        ByteBuf content = response.content();
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        response.release();
        StunMessage stun = new StunMessage();
        assertTrue(stun.wrap(bytes, 0, bytes.length));
        assertTrue(stun.isBindingSuccessResponse());
        assertTrue(stun.checkMessageIntegrity(transport.ice().integrityKey()));
        assertTrue(stun.checkFingerprint());
        assertEquals(PEER.getPort(), stun.mappedPort());
        assertEquals(PEER, transport.ice().selectedAddress());
        assertTrue(transport.ice().isNominated());
        assertEquals(0, drops.total());
    }

    @Test
    void shouldDropAndCountBadIntegrityWithoutAnswering() {
        String username = transport.localCredentials().ufrag() + ":browser";
        receive(bindingRequest(username, "not-the-password".getBytes(StandardCharsets.US_ASCII), true), PEER);

        assertNull(channel.readOutbound());
        assertNull(transport.ice().selectedAddress(), "an unverified address is never selected");
        assertEquals(1, drops.get(DropReason.STUN_BAD_INTEGRITY));
    }

    @Test
    void shouldDropAndCountUnknownUsername() {
        receive(bindingRequest("nobody:browser", transport.ice().integrityKey(), false), PEER);
        assertNull(channel.readOutbound());
        assertEquals(1, drops.get(DropReason.STUN_UNKNOWN_USERNAME));
    }

    @Test
    void shouldDropAndCountJunkDatagrams() {
        receive(new byte[] {(byte) 0xFF, 1, 2, 3}, PEER);
        receive(new byte[0], PEER);
        receive(new byte[] {0, 1, 0, 0}, PEER);
        assertNull(channel.readOutbound());
        // Too short for any RFC 7983 kind: all three are unknown.
        assertEquals(3, drops.get(DropReason.UNKNOWN_KIND));
        assertTrue(channel.isActive(), "the socket keeps running");
    }

    @Test
    void shouldDropMediaFromUnvalidatedAddressAndForwardFromValidatedOne() {
        byte[] rtp = new byte[100];
        rtp[0] = (byte) 0x80;
        rtp[1] = 96;
        receive(rtp, PEER);
        assertEquals(1, drops.get(DropReason.UNVALIDATED_ADDRESS));
        assertEquals(0, ring.size());

        receive(bindingRequest(transport.localCredentials().ufrag() + ":browser", transport.ice().integrityKey(),
                false), PEER);
        ((DatagramPacket) channel.readOutbound()).release();
        receive(rtp, PEER);
        int[] seen = new int[2];
        ring.read((type, buffer, index, length) -> {
            seen[0] = buffer.getInt(index + InboundRecord.TRANSPORT_ID_OFFSET);
            seen[1] = length - InboundRecord.DATAGRAM_OFFSET;
        });
        assertEquals(transport.id(), seen[0]);
        assertEquals(100, seen[1]);
        assertEquals(1, inbox.signals, "the worker is woken once the read batch completes");
    }

    @Test
    void shouldCountRingFullInsteadOfBlocking() {
        receive(bindingRequest(transport.localCredentials().ufrag() + ":browser", transport.ice().integrityKey(),
                false), PEER);
        ((DatagramPacket) channel.readOutbound()).release();
        byte[] rtp = new byte[1200];
        rtp[0] = (byte) 0x80;
        rtp[1] = 96;
        for (int i = 0; i < 100; i++) {
            receive(rtp, PEER);
        }
        assertTrue(drops.get(DropReason.RING_FULL) > 0, "64 KiB ring holds ~50 records, the rest are counted");
    }

    private MediaChannelHandler handler() {
        return (MediaChannelHandler) channel.pipeline().first();
    }

    private void check(Transport t, InetSocketAddress from) {
        receive(bindingRequest(t.localCredentials().ufrag() + ":browser", t.ice().integrityKey(), false), from);
        DatagramPacket response = channel.readOutbound();
        if (response != null) {
            response.release();
        }
    }

    @Test
    void shouldLetGoOfAClosedTransportsAddressesAndEgressEntry() {
        check(transport, PEER);
        check(transport, new InetSocketAddress("127.0.0.1", 40001));
        assertEquals(2, handler().validatedAddresses());
        assertEquals(1, handler().egress().registered());

        transport.close();
        channel.runPendingTasks();

        assertEquals(0, handler().validatedAddresses(), "the socket holds nothing of a closed Transport");
        assertEquals(0, handler().egress().registered());
    }

    @Test
    void shouldCapTheAddressesOneTransportMayValidate() {
        for (int port = 0; port < Transport.MAX_ADDRESSES; port++) {
            check(transport, new InetSocketAddress("127.0.0.1", 41000 + port));
        }
        assertEquals(0, drops.get(DropReason.ICE_ADDRESS_LIMIT));
        receive(bindingRequest(transport.localCredentials().ufrag() + ":browser", transport.ice().integrityKey(),
                false), new InetSocketAddress("127.0.0.1", 42000));

        assertNull(channel.readOutbound(), "one address too many is not answered");
        assertEquals(1, drops.get(DropReason.ICE_ADDRESS_LIMIT));
        assertEquals(Transport.MAX_ADDRESSES, handler().validatedAddresses());
        check(transport, new InetSocketAddress("127.0.0.1", 41000));
        assertEquals(1, drops.get(DropReason.ICE_ADDRESS_LIMIT), "a known address keeps passing its checks");
    }

    @Test
    void shouldMoveAnAddressToTheTransportThatLastPassedACheckFromIt() {
        Transport other = registry.create();
        check(transport, PEER);
        check(other, PEER);
        assertEquals(1, handler().validatedAddresses());
        for (int port = 0; port < Transport.MAX_ADDRESSES; port++) {
            check(transport, new InetSocketAddress("127.0.0.1", 43000 + port));
        }
        assertEquals(0, drops.get(DropReason.ICE_ADDRESS_LIMIT), "the moved address no longer counts for its old owner");
        transport.close();
        channel.runPendingTasks();
        assertEquals(1, handler().validatedAddresses(), "closing the old owner leaves the new owner's entry");
    }

    /**
     * RFC 8445 §9: after an ICE restart only the new credentials authenticate, and the restart's
     * first valid check moves media to its address (the peer's new path) even without nomination.
     */
    @Test
    void shouldTakeOnlyNewCredentialsAfterIceRestartAndMoveToTheirPath() {
        String oldUfrag = transport.localCredentials().ufrag();
        byte[] oldKey = transport.ice().integrityKey();
        receive(bindingRequest(oldUfrag + ":browser", oldKey, true), PEER);
        drainOutbound();
        assertEquals(PEER, transport.selectedRemote());

        var fresh = registry.restartIce(transport);
        assertTrue(!fresh.ufrag().equals(oldUfrag), "a new ufrag");
        assertEquals(fresh, transport.localCredentials());
        assertNull(registry.byUfrag(oldUfrag), "the old ufrag is forgotten");
        assertEquals(transport, registry.byUfrag(fresh.ufrag()));
        assertEquals(PEER, transport.selectedRemote(), "media stays on the old path until a new check");

        receive(bindingRequest(oldUfrag + ":browser", oldKey, true), PEER);
        assertNull(channel.readOutbound(), "old credentials get no answer");
        assertEquals(1, drops.get(DropReason.STUN_UNKNOWN_USERNAME));

        InetSocketAddress moved = new InetSocketAddress("127.0.0.1", 50002);
        receive(bindingRequest(fresh.ufrag() + ":browser2", transport.ice().integrityKey(), false), moved);
        assertNotNull(channel.readOutbound(), "the new credentials are answered");
        assertEquals(moved, transport.selectedRemote(), "the first check after the restart selects its path");
        assertEquals(1, transport.ice().restarts());
    }

    private void drainOutbound() {
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            io.netty.util.ReferenceCountUtil.release(o);
        }
    }
}
