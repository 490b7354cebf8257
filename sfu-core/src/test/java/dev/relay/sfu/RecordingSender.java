package dev.relay.sfu;

import dev.relay.transport.Transport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An {@link RtpSender} that keeps a copy of everything sent, in the clear. */
final class RecordingSender implements RtpSender {
    final Transport transport;
    final List<byte[]> rtp = new ArrayList<>();
    final List<byte[]> rtcp = new ArrayList<>();

    RecordingSender(Transport transport) {
        this.transport = transport;
    }

    @Override
    public boolean isReady() {
        return transport.isSecure();
    }

    @Override
    public int sendRtp(byte[] buf, int off, int len) {
        rtp.add(Arrays.copyOfRange(buf, off, off + len));
        return len;
    }

    @Override
    public int sendRtcp(byte[] buf, int off, int len) {
        rtcp.add(Arrays.copyOfRange(buf, off, off + len));
        return len;
    }

    void clear() {
        rtp.clear();
        rtcp.clear();
    }
}
