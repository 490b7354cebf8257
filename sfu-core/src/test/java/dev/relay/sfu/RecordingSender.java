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
    /** Count only, copy nothing: for allocation tests. */
    boolean countOnly;
    long rtpCount;
    long rtcpCount;
    /** The sequence number and SSRC of the last RTP packet sent. */
    int lastSeq = -1;
    int lastSsrc;

    RecordingSender(Transport transport) {
        this.transport = transport;
    }

    @Override
    public boolean isReady() {
        return transport.isSecure();
    }

    @Override
    public int sendRtp(byte[] buf, int off, int len) {
        rtpCount++;
        lastSeq = ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
        lastSsrc = ((buf[off + 8] & 0xFF) << 24) | ((buf[off + 9] & 0xFF) << 16) | ((buf[off + 10] & 0xFF) << 8)
                | (buf[off + 11] & 0xFF);
        if (!countOnly) {
            rtp.add(Arrays.copyOfRange(buf, off, off + len));
        }
        return len;
    }

    @Override
    public int sendRtcp(byte[] buf, int off, int len) {
        rtcpCount++;
        if (!countOnly) {
            rtcp.add(Arrays.copyOfRange(buf, off, off + len));
        }
        return len;
    }

    void clear() {
        rtp.clear();
        rtcp.clear();
    }
}
