package dev.relay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The synthetic camera's packets as the relay's own VP8 parser reads them. */
class VideoSourceTest {
    private static final long FRAME = 1_000_000_000L / 30;

    private final List<byte[]> packets = new ArrayList<>();
    private final RtpSink sink = (buf, len) -> packets.add(Arrays.copyOf(buf, len));
    private final byte[] scratch = new byte[2048];

    @Test
    void shouldStartWithAKeyframeTheRelayRecognises() {
        VideoSource source = new VideoSource(0x1234, 7, 1000, 3.0, 0, 42);
        source.start(0);
        source.sendDue(0, scratch, sink);

        assertEquals(VideoSource.KEYFRAME_PACKETS, packets.size(), "a keyframe is 10 packets at 1 Mbps");
        RtpPacket rtp = new RtpPacket();
        Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            assertTrue(rtp.wrap(p, 0, p.length));
            assertTrue(p.length <= RtpPacket.FIXED_HEADER_LENGTH + VideoSource.MAX_PAYLOAD);
            assertEquals(Sdp.PT_VP8, rtp.payloadType());
            assertEquals(0x1234, rtp.ssrc());
            assertEquals(i == packets.size() - 1, rtp.marker(), "marker on the frame's last packet only");
            assertTrue(vp8.wrap(p, rtp.payloadOffset(), rtp.payloadLength()));
            assertTrue(vp8.hasLongPictureId());
            assertEquals(i == 0, vp8.isKeyframe(), "only the first packet starts the keyframe");
            int probe = rtp.payloadOffset() + vp8.descriptorLength() + Probe.VP8_FRAME_TAG_LENGTH;
            assertTrue(Probe.valid(p, probe, p.length));
            assertEquals(7, Probe.publisher(p, probe));
            assertEquals(Probe.KIND_VIDEO, Probe.kind(p, probe));
        }
    }

    @Test
    void shouldSendInterFramesAtThirtyPerSecondWithIncrementingPictureIds() {
        VideoSource source = new VideoSource(1, 0, 1000, 3.0, 0, 0);
        source.start(0);
        source.sendDue(0, scratch, sink);
        packets.clear();
        long next = source.sendDue(FRAME, scratch, sink);

        assertEquals(2 * FRAME, next);
        assertFalse(packets.isEmpty());
        RtpPacket rtp = new RtpPacket();
        Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
        byte[] first = packets.get(0);
        rtp.wrap(first, 0, first.length);
        vp8.wrap(first, rtp.payloadOffset(), rtp.payloadLength());
        assertTrue(vp8.startOfPartition());
        assertFalse(vp8.isKeyframe(), "P bit set on an inter frame");
        assertEquals(1, vp8.pictureId(), "picture id follows the keyframe's 0");
        assertEquals(3000, rtp.timestamp(), "90 kHz / 30 fps");
    }

    @Test
    void shouldAnswerAKeyframeRequestOnTheNextFrame() {
        VideoSource source = new VideoSource(1, 0, 1000, 3.0, 0, 0);
        source.start(0);
        source.sendDue(0, scratch, sink);
        source.requestKeyframe();
        packets.clear();
        source.sendDue(FRAME, scratch, sink);

        assertEquals(VideoSource.KEYFRAME_PACKETS, packets.size());
        assertEquals(1, source.keyframesOnRequest);
    }

    @Test
    void shouldAverageTheTargetBitrateOverAKeyframeInterval() {
        VideoSource source = new VideoSource(1, 0, 1000, 3.0, 0, 0);
        source.start(0);
        long bytes = 0;
        for (long t = 0; t < 9_000_000_000L; t += FRAME) {
            packets.clear();
            source.sendDue(t, scratch, sink);
            for (byte[] p : packets) {
                bytes += p.length - RtpPacket.FIXED_HEADER_LENGTH;
            }
        }
        double kbps = bytes * 8 / 9.0 / 1000;
        assertTrue(kbps > 900 && kbps < 1100, "payload bitrate " + kbps + " kbit/s");
    }

    @Test
    void shouldPaceAFramesPacketsAtTwoAndAHalfTimesTheBitrate() {
        VideoSource source = new VideoSource(1, 0, 1000, 3.0, 2.5, 0);
        source.start(0);
        long next = source.sendDue(0, scratch, sink);

        assertEquals(1, packets.size(), "the keyframe's first packet leaves at once");
        // 1,100 bytes at 2.5 Mbit/s: 3.52 ms.
        assertEquals(3_520_000L, next);
        long t = next;
        long lastSent = 0;
        while (packets.size() < VideoSource.KEYFRAME_PACKETS) {
            lastSent = t;
            t = source.sendDue(t, scratch, sink);
        }
        assertEquals(9 * 3_520_000L, lastSent, "the keyframe is spread over ~32 ms, not sent as a burst");
        assertEquals(FRAME, t, "then the next frame");
        RtpPacket rtp = new RtpPacket();
        byte[] last = packets.get(packets.size() - 1);
        rtp.wrap(last, 0, last.length);
        assertTrue(rtp.marker());
    }
}
