package dev.relay.sfu;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.stun.StunMessage;
import dev.relay.codecs.stun.StunMessageWriter;
import dev.relay.transport.Transport;
import dev.relay.transport.srtp.SrtpKeys;
import dev.relay.transport.srtp.SrtpProfile;
import dev.relay.transport.srtp.SrtpSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;

/**
 * A minimal peer on loopback for engine tests: it passes the relay's ICE-lite check with a real
 * STUN request and speaks SRTP with keys shared out of band (the DTLS handshake has its own
 * tests), so a test drives the real UDP sockets, rings and workers.
 */
final class LoopbackPeer implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    final DatagramChannel socket;
    final SrtpKeys relayKeys;
    final SrtpSession srtp;
    private final InetSocketAddress relay;
    private final byte[] buf = new byte[2048];
    private final ByteBuffer bb = ByteBuffer.wrap(buf);

    LoopbackPeer(InetSocketAddress relay) throws IOException {
        this.relay = relay;
        socket = DatagramChannel.open();
        socket.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        socket.connect(relay);
        SrtpProfile profile = SrtpProfile.AEAD_AES_128_GCM;
        byte[] peerKey = random(profile.keyLength());
        byte[] peerSalt = random(profile.saltLength());
        byte[] relayKey = random(profile.keyLength());
        byte[] relaySalt = random(profile.saltLength());
        relayKeys = new SrtpKeys(profile, relayKey, relaySalt, peerKey, peerSalt);
        srtp = new SrtpSession(new SrtpKeys(profile, peerKey, peerSalt, relayKey, relaySalt));
    }

    private static byte[] random(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        return out;
    }

    /** Sends a nominating binding request and waits for the relay's success response. */
    void connectIce(Transport transport) throws IOException {
        byte[] request = new byte[512];
        byte[] tx = random(12);
        int len = new StunMessageWriter().writeBindingRequest(request, 0, tx,
                transport.localCredentials().ufrag() + ":peer", transport.ice().integrityKey(), 1L << 30, true, 7L,
                true);
        socket.write(ByteBuffer.wrap(request, 0, len));
        socket.configureBlocking(true);
        bb.clear();
        int n = socket.read(bb);
        StunMessage response = new StunMessage();
        if (!response.wrap(buf, 0, n) || !response.isBindingSuccessResponse()) {
            throw new IOException("no STUN success response");
        }
        socket.configureBlocking(false);
    }

    /** Protects and sends one RTP packet with {@code payloadLength} bytes of payload. */
    void sendRtp(int pt, int seq, long timestamp, int ssrc, int payloadLength, boolean marker) throws IOException {
        int len = RtpPacket.writeHeader(buf, 0, marker, pt, seq, timestamp, ssrc);
        for (int i = 0; i < payloadLength; i++) {
            buf[len + i] = (byte) i;
        }
        len = srtp.protectRtp(buf, 0, len + payloadLength);
        socket.write(ByteBuffer.wrap(buf, 0, len));
    }

    /** SRTCP datagrams from the relay seen by {@link #drainRtp} (its Sender Reports). */
    int rtcpReceived;

    /** Reads every datagram waiting; returns how many were SRTP that decrypted. */
    int drainRtp() throws IOException {
        int count = 0;
        while (true) {
            bb.clear();
            int n = socket.read(bb);
            if (n <= 0) {
                return count;
            }
            int type = buf[1] & 0xFF;
            boolean rtcp = type >= 192 && type <= 223;
            if (rtcp) {
                rtcpReceived++;
            } else if ((buf[0] & 0xC0) == 0x80 && srtp.unprotectRtp(buf, 0, n) > 0) {
                count++;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
