package dev.relay.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

class UdpPacketSocketTest extends PacketSocketTest {

    @Override
    ServerEnd openServer() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.socket().setSoTimeout(5000);
        return new ServerEnd() {
            private InetSocketAddress peer;

            @Override
            public InetSocketAddress address() {
                return (InetSocketAddress) channel.socket().getLocalSocketAddress();
            }

            @Override
            public byte[] receive(int seconds) throws IOException {
                java.net.DatagramPacket datagram = new java.net.DatagramPacket(new byte[2048], 2048);
                try {
                    channel.socket().receive(datagram);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                peer = (InetSocketAddress) datagram.getSocketAddress();
                return Arrays.copyOf(datagram.getData(), datagram.getLength());
            }

            @Override
            public void send(byte[] packet) throws IOException {
                channel.send(ByteBuffer.wrap(packet), peer);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    PacketSocket openSocket(IoLoop loop, PacketSocket.Listener listener) throws IOException {
        return new UdpPacketSocket(loop, listener, "127.0.0.1");
    }
}
