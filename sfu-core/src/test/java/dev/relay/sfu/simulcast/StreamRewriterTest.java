package dev.relay.sfu.simulcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtp.RtpPacket;
import dev.relay.codecs.vp8.Vp8PayloadDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamRewriterTest {
    private static final long MS = 1_000_000L;
    /** An NTP time in 2023, so the 64-bit value is negative as a long: differences must still work. */
    private static final long NTP_BASE_SECONDS = 3_900_000_000L;

    /**
     * Steps, in order:
     * <ul>
     * <li>{@code F<layer>/<seq>/<timestamp>/<pictureId>/<tl0PicIdx>} a packet to forward, with m
     *     at the end if its marker bit is set; {@code D...} the same fields, a packet not sent;
     *     - for an absent PictureID or TL0PICIDX;</li>
     * <li>{@code @ms}: the clock; {@code sr<layer>:<rtp>:<ntpMs>}: that layer's Sender Report;
     *     {@code I<seq>} (first): the subscriber's initial sequence number, otherwise 0.</li>
     * </ul>
     * Expected, one per forwarded packet: {@code seq/timestamp/pictureId/tl0PicIdx} as the
     * subscriber gets them, or x if the rewriter refused the packet. Clock rate 90 kHz: 1 ms is
     * 90 ticks, a frame at 30 fps 3000.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the first layer's timestamps and ids pass; sequence numbers start at the initial one "
                + "| F0/1000/5000/10/3m F0/1001/8000/11/3m "
                + "| 0/5000/10/3 1/8000/11/3",
        "the packets of a frame share its timestamp and picture "
                + "| F0/1000/5000/10/3 F0/1001/5000/10/3m F0/1002/8000/11/3m "
                + "| 0/5000/10/3 1/5000/10/3 2/8000/11/3",
        "dropped temporal-layer packets leave no gap in sequence numbers or picture ids "
                + "| F0/100/3000/10/1m D0/101/6000/11/1 D0/102/6000/11/1 F0/103/9000/12/1m "
                + "D0/104/12000/13/1 F0/105/15000/14/2m "
                + "| 0/3000/10/1 1/9000/11/1 2/15000/12/2",
        "loss upstream keeps its gap, and the late packet fills it "
                + "| F0/100/3000/10/1m F0/102/9000/12/1m F0/101/6000/11/1m "
                + "| 0/3000/10/1 2/9000/12/1 1/6000/11/1",
        "a packet reordered around a drop gets its in-order numbers "
                + "| F0/100/3000/10/1m D0/101/6000/11/1 F0/103/12000/13/1m F0/102/9000/12/1m "
                + "| 0/3000/10/1 2/12000/12/1 1/9000/11/1",
        "a duplicate gets the same numbers "
                + "| F0/100/3000/10/1m F0/101/6000/11/1m F0/100/3000/10/1m "
                + "| 0/3000/10/1 1/6000/11/1 0/3000/10/1",
        "a drop that arrives late cannot close its gap "
                + "| F0/100/3000/10/1m F0/102/9000/12/1m D0/101/6000/11/1 F0/103/12000/13/1m "
                + "| 0/3000/10/1 2/9000/12/1 3/12000/13/1",
        "a dropped packet seen again is refused "
                + "| F0/100/3000/10/1m D0/101/6000/11/1 F0/101/6000/11/1m F0/102/9000/12/1m "
                + "| 0/3000/10/1 x 1/9000/11/1",
        "a packet older than the reordering window is refused "
                + "| F0/1000/3000/10/1m F0/1600/9000/11/1m F0/1050/3000/10/1m "
                + "| 0/3000/10/1 600/9000/11/1 x",
        "input sequence numbers and picture ids wrap, with a drop on the wrap "
                + "| F0/65534/3000/32766/1m F0/65535/6000/32767/1m D0/0/9000/0/1 F0/1/12000/1/2m "
                + "| 0/3000/32766/1 1/6000/32767/1 2/12000/0/2",
        "output sequence numbers wrap "
                + "| I65534 F0/10/3000/5/1m F0/11/6000/6/1m F0/12/9000/7/1m "
                + "| 65534/3000/5/1 65535/6000/6/1 0/9000/7/1",
        "streams without PictureID or TL0PICIDX are rewritten all the same "
                + "| F0/100/3000/-/-m @33 F1/7000/900000/-/-m "
                + "| 0/3000/-/- 1/5970/-/-",
    })
    void shouldRenumberWithinLayer(String name, String steps, String expected) {
        assertEquals(expected.trim(), run(steps));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "up: every counter follows the last packet sent, the timestamp by the time elapsed "
                + "| @0 F0/100/3000/10/1m @33 F0/101/6000/11/1m @66 F1/7000/900000/500/77m "
                + "@100 F1/7001/903000/501/77m "
                + "| 0/3000/10/1 1/6000/11/1 2/8970/12/2 3/11970/13/2",
        "down: the same "
                + "| @0 F1/7000/900000/500/77m @33 F0/100/3000/10/1m @66 F0/101/6000/11/2m "
                + "| 0/900000/500/77 1/902970/501/78 2/905970/502/79",
        "there and back "
                + "| @0 F0/100/3000/10/1m @33 F1/7000/900000/500/77m @66 F1/7001/903000/501/78m "
                + "@100 F0/103/12000/13/2m "
                + "| 0/3000/10/1 1/5970/11/2 2/8970/12/3 3/12030/13/4",
        "Sender Reports place the new layer's frame at its capture time "
                + "| sr0:0:1000 sr1:500000:1000 @0 F0/100/90000/10/1m @50 F1/7000/593000/500/77m "
                + "| 0/90000/10/1 1/93000/11/2",
        "Sender Reports sent at different times "
                + "| sr0:0:1000 sr1:590000:2000 @0 F0/100/90000/10/1m @50 F1/7000/593000/500/77m "
                + "| 0/90000/10/1 1/93000/11/2",
        "Sender Reports, the new layer's one first "
                + "| sr0:90000:2000 sr1:500000:1000 @0 F0/100/90000/10/1m @50 F1/7000/593000/500/77m "
                + "| 0/90000/10/1 1/93000/11/2",
        "Sender Reports placing the frame at the last one sent (the same capture): one tick later "
                + "| sr0:0:1000 sr1:500000:1000 @0 F0/100/90000/10/1m @20 F1/7000/590000/500/77m "
                + "| 0/90000/10/1 1/90001/11/2",
        "Sender Reports placing the frame far before the last one sent: the time elapsed instead "
                + "| sr0:0:1000 sr1:500000:1000 @0 F0/100/90000/10/1m @20 F1/7000/410000/500/77m "
                + "| 0/90000/10/1 1/91800/11/2",
        "Sender Reports placing the frame far past the time elapsed: the time elapsed instead "
                + "| sr0:0:1000 sr1:500000:1000 @0 F0/100/90000/10/1m @20 F1/7000/770000/500/77m "
                + "| 0/90000/10/1 1/91800/11/2",
        "a Sender Report for one layer only: the time elapsed "
                + "| sr0:0:1000 @0 F0/100/90000/10/1m @20 F1/7000/593000/500/77m "
                + "| 0/90000/10/1 1/91800/11/2",
        "a switch after an unfinished frame skips one sequence number "
                + "| @0 F0/100/3000/10/1m @33 F0/101/6000/11/1 @40 F1/7000/900000/500/77m "
                + "| 0/3000/10/1 1/6000/11/1 3/6630/12/2",
        "PictureID and TL0PICIDX wrap across a switch "
                + "| @0 F0/100/3000/32767/255m @33 F1/7000/900000/500/77m "
                + "| 0/3000/32767/255 1/5970/0/0",
        "the timestamp wraps across a switch "
                + "| @0 F0/100/4294967000/10/1m @33 F1/7000/900000/500/77m "
                + "| 0/4294967000/10/1 1/2674/11/2",
        "the new layer's packets from before the switch are refused, the old layer's drops ignored "
                + "| @0 F0/100/3000/10/1m @33 F1/7000/900000/500/77m F1/6999/897000/499/76m "
                + "D0/101/6000/11/1 F1/7001/903000/501/77m "
                + "| 0/3000/10/1 1/5970/11/2 x 2/8970/12/2",
        "drops of a layer not yet forwarded do not count "
                + "| @0 F0/100/3000/10/1m D1/6999/897000/499/76 @33 F1/7000/900000/500/77m "
                + "| 0/3000/10/1 1/5970/11/2",
        "drops after a switch close up on the new layer "
                + "| @0 F0/100/3000/10/1m @33 F1/7000/900000/500/77m D1/7001/903000/501/77 "
                + "F1/7002/906000/502/78m "
                + "| 0/3000/10/1 1/5970/11/2 2/11970/12/3",
    })
    void shouldContinueAcrossSwitches(String name, String steps, String expected) {
        assertEquals(expected.trim(), run(steps));
    }

    @Test
    void shouldSayWhetherSenderReportsAlignedTheSwitch() {
        StreamRewriter rewriter = new StreamRewriter(3, 90_000, 0);
        rewriter.onSenderReport(0, 0, ntp(1000));
        assertTrue(rewriter.forward(0, 100, 90_000, true, 10, 1, 0));
        assertTrue(rewriter.forward(1, 7000, 593_000, true, 500, 77, 50 * MS));
        assertFalse(rewriter.alignedBySenderReports(), "no SR for layer 1 yet");
        rewriter.onSenderReport(1, 500_000, ntp(1000));
        rewriter.onSenderReport(2, 700_000, ntp(1000));
        assertTrue(rewriter.forward(2, 300, 796_000, true, 900, 5, 100 * MS));
        assertTrue(rewriter.alignedBySenderReports());
        assertEquals(2, rewriter.layer());
        assertEquals(rewriter.timestamp(), rewriter.highestTimestamp());
        assertEquals(100 * MS, rewriter.highestTimestampNanos());
    }

    @Test
    void shouldWriteIntoPacketInPlace() {
        byte[] packet = new byte[64];
        int header = RtpPacket.writeHeader(packet, 0, true, 96, 7000, 900_000L, 0x1111);
        byte[] descriptor = {(byte) 0x90, (byte) 0xe0, (byte) 0x81, (byte) 0xf4, 77, 0x20, 0x50, 0x2c, 0x00};
        System.arraycopy(descriptor, 0, packet, header, descriptor.length);
        int length = header + descriptor.length;
        StreamRewriter rewriter = new StreamRewriter(3, 90_000, 0);
        assertTrue(rewriter.forward(0, 100, 3000, true, 10, 1, 0));
        assertTrue(rewriter.forward(1, 7000, 900_000, true, 500, 77, 33 * MS));

        RtpPacket rtp = new RtpPacket();
        assertTrue(rtp.wrap(packet, 0, length));
        Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
        assertTrue(vp8.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength()));
        rewriter.writeTo(rtp, 0x2222, 100);
        rewriter.writeTo(vp8);

        assertTrue(rtp.wrap(packet, 0, length));
        assertEquals(0x2222, rtp.ssrc());
        assertEquals(100, rtp.payloadType());
        assertTrue(rtp.marker());
        assertEquals(1, rtp.sequenceNumber());
        assertEquals(5970, rtp.timestamp());
        assertTrue(vp8.wrap(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength()));
        assertEquals(11, vp8.pictureId());
        assertTrue(vp8.hasLongPictureId());
        assertEquals(2, vp8.tl0PicIdx());
        assertTrue(vp8.isKeyframe());
    }

    private static String run(String steps) {
        StreamRewriter rewriter = null;
        long now = 0;
        StringBuilder out = new StringBuilder();
        for (String step : steps.trim().split("\\s+")) {
            if (step.startsWith("I")) {
                rewriter = new StreamRewriter(3, 90_000, Integer.parseInt(step.substring(1)));
                continue;
            }
            if (rewriter == null) {
                rewriter = new StreamRewriter(3, 90_000, 0);
            }
            if (step.startsWith("@")) {
                now = Long.parseLong(step.substring(1)) * MS;
            } else if (step.startsWith("sr")) {
                String[] f = step.substring(2).split(":");
                rewriter.onSenderReport(Integer.parseInt(f[0]), Long.parseLong(f[1]), ntp(Long.parseLong(f[2])));
            } else {
                boolean marker = step.endsWith("m");
                String[] f = step.substring(1, marker ? step.length() - 1 : step.length()).split("/");
                int layer = Integer.parseInt(f[0]);
                int seq = Integer.parseInt(f[1]);
                long timestamp = Long.parseLong(f[2]);
                int pictureId = f[3].equals("-") ? -1 : Integer.parseInt(f[3]);
                int tl0 = f[4].equals("-") ? -1 : Integer.parseInt(f[4]);
                if (step.charAt(0) == 'D') {
                    rewriter.drop(layer, seq, pictureId);
                    continue;
                }
                out.append(out.length() == 0 ? "" : " ");
                if (rewriter.forward(layer, seq, timestamp, marker, pictureId, tl0, now)) {
                    out.append(rewriter.sequenceNumber()).append('/').append(rewriter.timestamp()).append('/')
                            .append(id(rewriter.pictureId())).append('/').append(id(rewriter.tl0PicIdx()));
                } else {
                    out.append('x');
                    rewriter.drop(layer, seq, pictureId);
                }
            }
        }
        return out.toString();
    }

    private static String id(int value) {
        return value < 0 ? "-" : Integer.toString(value);
    }

    /** 64-bit NTP time (RFC 3550 §4) {@code ms} milliseconds after the base. */
    static long ntp(long ms) {
        return (NTP_BASE_SECONDS << 32) + (ms << 32) / 1000;
    }
}
