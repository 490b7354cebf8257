package dev.relay.sfu.simulcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LayerSelector} and {@link StreamRewriter} together, fed by a Chromium-shaped simulcast
 * publisher for four simulated seconds, checked the way a receiver would see the result: one
 * stream whose sequence numbers, PictureIDs and TL0PICIDXs run on without a gap across every
 * switch and every dropped temporal layer, whose timestamps follow the capture clock, and whose
 * every frame can be decoded (a keyframe, or its reference went out too).
 */
class SimulcastForwardingTest {
    private static final long MS = 1_000_000L;
    private static final long DURATION_NANOS = 4000 * MS;
    private static final long KEYFRAME_ROUND_TRIP_NANOS = 100 * MS;
    private static final long NTP_OF_FIRST_CAPTURE = StreamRewriterTest.ntp(0);

    /** One packet of the publisher: what it was, and what the subscriber got (seq -1: nothing). */
    private record Sent(int layer, long frame, int tid, boolean keyframe, boolean firstOfFrame, boolean marker,
                        int seq, long timestamp, int pictureId, int tl0PicIdx) {
    }

    /**
     * Events are {@code ms:s/t} (setTarget), {@code ms:-L} (the publisher stops layer L) and
     * {@code ms:+L} (starts it again, with a keyframe). Expected: the layers the subscriber got,
     * in order, and the highest TID it got in each second (- for none). Columns: name | events |
     * Sender Reports | counters near their wrap | layers | highest TIDs.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "up from the lowest layer to the top "
                + "| 0:0/2 1000:2/2 | true | false | 0 2 | 2 2 2 2",
        "down from the top layer to the lowest "
                + "| 0:2/2 1000:0/2 | true | false | 2 0 | 2 2 2 2",
        "through every layer, counters near wraps "
                + "| 0:0/2 700:2/2 1400:0/1 2100:1/2 | true | true | 0 2 0 1 | 2 2 2 2",
        "the same without Sender Reports "
                + "| 0:0/2 700:2/2 1400:0/1 2100:1/2 | false | true | 0 2 0 1 | 2 2 2 2",
        "temporal layers down and up on one layer "
                + "| 0:1/2 1000:1/0 2000:1/1 3000:1/2 | true | false | 1 | 2 0 1 2",
        "temporal down while switching down "
                + "| 0:2/2 1000:0/0 2500:0/2 | true | true | 2 0 | 2 0 2 2",
        "the top layer stops and comes back "
                + "| 0:2/2 1000:-2 3000:+2 | true | false | 2 1 2 | 2 - 2 2",
        "the lowest layer stops under its subscriber: the next one up "
                + "| 0:0/2 1000:-0 | true | true | 0 1 | 2 - 2 2",
    })
    void shouldForwardOneContinuousDecodableStream(String name, String events, boolean senderReports,
                                                   boolean nearWrap, String expectedLayers, String expectedTids) {
        int initialSeq = nearWrap ? 65_530 : 0;
        List<Sent> sent = simulate(events.trim().split("\\s+"), senderReports, nearWrap, initialSeq);

        assertEquals(expectedLayers.trim(), layersVisited(sent), "layers the subscriber got");
        assertEquals(expectedTids.trim(), highestTidPerSecond(sent), "highest TID per second");
        assertEachFrameWhole(sent);
        assertDecodable(sent);
        int switches = assertContinuous(sent, initialSeq, senderReports);
        assertEquals(expectedLayers.trim().split(" ").length - 1, switches, "switches checked");
    }

    private static List<Sent> simulate(String[] events, boolean senderReports, boolean nearWrap, int initialSeq) {
        SimulcastPublisher publisher = new SimulcastPublisher(nearWrap);
        SimulcastForwarder forwarder = new SimulcastForwarder(initialSeq);
        if (senderReports) {
            for (int layer = 0; layer < SimulcastPublisher.LAYERS; layer++) {
                forwarder.rewriter.onSenderReport(layer, publisher.timestampOrigin(layer), NTP_OF_FIRST_CAPTURE);
            }
        }
        byte[] in = new byte[1500];
        byte[] out = new byte[1500];
        RtpPacket rtp = new RtpPacket();
        Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
        List<Sent> sent = new ArrayList<>();
        int nextEvent = 0;
        while (true) {
            int length = publisher.next(in);
            long now = publisher.lastArrivalNanos;
            if (now >= DURATION_NANOS) {
                return sent;
            }
            // An event at t applies before the first packet at or after t.
            while (nextEvent < events.length && Long.parseLong(events[nextEvent].split(":")[0]) * MS <= now) {
                apply(events[nextEvent++].split(":")[1], forwarder, publisher);
            }
            byte[] original = Arrays.copyOf(in, length);
            int outLength = forwarder.onPacket(in, length, publisher.lastLayer, now, out);
            if (forwarder.keyframeRequest >= 0) {
                publisher.requestKeyframe(forwarder.keyframeRequest, now + KEYFRAME_ROUND_TRIP_NANOS);
            }
            int seq = -1;
            long timestamp = -1;
            int pictureId = -1;
            int tl0 = -1;
            boolean marker = false;
            if (outLength >= 0) {
                assertTrue(rtp.wrap(out, 0, outLength));
                assertEquals(SimulcastForwarder.SSRC, rtp.ssrc());
                assertEquals(SimulcastForwarder.PAYLOAD_TYPE, rtp.payloadType());
                assertTrue(vp8.wrap(out, rtp.payloadOffset(), rtp.payloadLength()));
                int payloadStart = rtp.payloadOffset() + vp8.descriptorLength();
                assertArrayEquals(Arrays.copyOfRange(original, payloadStart, length),
                        Arrays.copyOfRange(out, payloadStart, outLength), "VP8 payload untouched");
                seq = rtp.sequenceNumber();
                timestamp = rtp.timestamp();
                pictureId = vp8.pictureId();
                tl0 = vp8.tl0PicIdx();
                marker = rtp.marker();
            }
            sent.add(new Sent(publisher.lastLayer, publisher.lastFrame, publisher.lastTid, publisher.lastKeyframe,
                    publisher.lastFirstOfFrame, marker, seq, timestamp, pictureId, tl0));
        }
    }

    private static void apply(String event, SimulcastForwarder forwarder, SimulcastPublisher publisher) {
        if (event.startsWith("-") || event.startsWith("+")) {
            publisher.setActive(Integer.parseInt(event.substring(1)), event.startsWith("+"));
        } else {
            String[] layers = event.split("/");
            forwarder.selector.setTarget(Integer.parseInt(layers[0]), Integer.parseInt(layers[1]));
        }
    }

    private static String layersVisited(List<Sent> sent) {
        StringJoiner layers = new StringJoiner(" ");
        int last = -1;
        for (Sent s : sent) {
            if (s.seq >= 0 && s.layer != last) {
                layers.add(Integer.toString(s.layer));
                last = s.layer;
            }
        }
        return layers.toString();
    }

    private static String highestTidPerSecond(List<Sent> sent) {
        int seconds = (int) (DURATION_NANOS / 1000 / MS);
        int[] highest = new int[seconds];
        Arrays.fill(highest, -1);
        for (Sent s : sent) {
            if (s.seq >= 0) {
                int second = (int) (s.frame * SimulcastPublisher.FRAME_NANOS / 1000 / MS);
                highest[second] = Math.max(highest[second], s.tid);
            }
        }
        StringJoiner out = new StringJoiner(" ");
        for (int tid : highest) {
            out.add(tid < 0 ? "-" : Integer.toString(tid));
        }
        return out.toString();
    }

    /** A frame goes out whole or not at all: a receiver cannot use part of one. */
    private static void assertEachFrameWhole(List<Sent> sent) {
        Map<String, Boolean> decided = new HashMap<>();
        for (Sent s : sent) {
            Boolean before = decided.putIfAbsent(s.layer + "/" + s.frame, s.seq >= 0);
            if (before != null) {
                assertEquals(before, s.seq >= 0, "every packet of frame " + s.frame + " on layer " + s.layer);
            }
        }
    }

    /**
     * Every frame sent can be decoded: it is a keyframe, or the frame it refers to (the latest
     * earlier one of a lower TID on its layer; for TL0 the previous TL0) was sent and decodable.
     */
    private static void assertDecodable(List<Sent> sent) {
        Map<String, Boolean> decodable = new HashMap<>();
        long[][] latestOfTid = new long[SimulcastPublisher.LAYERS][LayerSelector.MAX_TEMPORAL_LAYER + 1];
        for (long[] layer : latestOfTid) {
            Arrays.fill(layer, -1);
        }
        int lastLayerSent = -1;
        for (Sent s : sent) {
            if (!s.firstOfFrame) {
                continue;
            }
            long[] latest = latestOfTid[s.layer];
            long reference = -1;
            if (s.keyframe) {
                Arrays.fill(latest, -1);
            } else if (s.tid == 0) {
                reference = latest[0];
            } else {
                for (int tid = 0; tid < s.tid; tid++) {
                    reference = Math.max(reference, latest[tid]);
                }
            }
            latest[s.tid] = s.frame;
            boolean out = s.seq >= 0;
            if (out && s.layer != lastLayerSent) {
                assertTrue(s.keyframe, "a switch to layer " + s.layer + " starts on a keyframe, frame " + s.frame);
            }
            boolean ok = out && (s.keyframe || decodable.getOrDefault(s.layer + "/" + reference, false));
            if (out) {
                assertTrue(ok, "frame " + s.frame + " (layer " + s.layer + ", TID " + s.tid
                        + ") refers to frame " + reference + ", which the subscriber did not get");
                lastLayerSent = s.layer;
            }
            decodable.put(s.layer + "/" + s.frame, ok);
        }
    }

    /**
     * Sequence numbers +1 per packet from the initial one; PictureID +1 per frame; TL0PICIDX +1
     * per TL0 frame; one timestamp per frame, advancing by the capture interval within a layer
     * and, with Sender Reports, across switches too (one tick when the switch frame shows the
     * capture instant already sent); without them by a plausible interval.
     *
     * @return the switches seen.
     */
    private static int assertContinuous(List<Sent> sent, int initialSeq, boolean senderReports) {
        Sent previous = null;
        Sent previousFrame = null;
        int switches = 0;
        for (Sent s : sent) {
            if (s.seq < 0) {
                continue;
            }
            if (previous == null) {
                assertEquals(initialSeq, s.seq, "first sequence number");
            } else {
                assertEquals((previous.seq + 1) & 0xFFFF, s.seq, "sequence number after " + previous.seq);
                if (!s.firstOfFrame) {
                    assertEquals(previous.timestamp, s.timestamp, "one timestamp per frame");
                    assertEquals(previous.pictureId, s.pictureId, "one PictureID per frame");
                    assertEquals(previous.tl0PicIdx, s.tl0PicIdx, "one TL0PICIDX per frame");
                }
            }
            if (s.firstOfFrame && previousFrame != null) {
                assertEquals((previousFrame.pictureId + 1) & 0x7FFF, s.pictureId, "PictureID of frame " + s.frame);
                int expectedTl0 = s.tid == 0 ? (previousFrame.tl0PicIdx + 1) & 0xFF : previousFrame.tl0PicIdx;
                assertEquals(expectedTl0, s.tl0PicIdx, "TL0PICIDX of frame " + s.frame + ", TID " + s.tid);
                long interval = (s.timestamp - previousFrame.timestamp) & 0xFFFF_FFFFL;
                long captureInterval = (s.frame - previousFrame.frame) * SimulcastPublisher.FRAME_TICKS;
                if (s.layer == previousFrame.layer) {
                    assertEquals(captureInterval, interval, "timestamp of frame " + s.frame + " on its layer");
                } else if (senderReports) {
                    switches++;
                    assertEquals(Math.max(1, captureInterval), interval, "timestamp of switch frame " + s.frame);
                } else {
                    switches++;
                    assertTrue(interval >= 1 && interval <= 2 * SimulcastPublisher.FRAME_TICKS,
                            "timestamp interval at the switch to frame " + s.frame + ": " + interval);
                }
            }
            if (s.firstOfFrame) {
                previousFrame = s;
            }
            previous = s;
        }
        assertTrue(previous != null, "something was sent");
        return switches;
    }
}
