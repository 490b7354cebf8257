package dev.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.codecs.rtcp.FirPacket;
import dev.relay.codecs.rtcp.NtpTime;
import dev.relay.codecs.rtcp.PliPacket;
import dev.relay.codecs.rtcp.ReceiverReport;
import dev.relay.codecs.rtcp.SenderReport;
import dev.relay.transport.Transport;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RTCP terminates at the relay: keyframe requests from subscribers become throttled PLIs of our
 * own to the publisher; publishers get our Receiver Reports, subscribers our Sender Reports; the
 * subscribers' reports give loss, jitter and RTT per Consumer. Fake clock throughout.
 */
class RouterRtcpTest {
    private static final int VIDEO_SSRC = 0x0A0A_0001;
    private static final int AUDIO_SSRC = 0x0A0A_0002;
    private static final int VIDEO_CONSUMER_SSRC = 0x0B0B_0001;
    private static final int AUDIO_CONSUMER_SSRC = 0x0B0B_0002;

    private final InlineHost host = new InlineHost();
    private final Router router = host.newRouter();
    private final Transport publisher = host.connected(router);
    private final Transport subscriber = host.connected(router);

    @BeforeEach
    void setUp() {
        router.createProducer(1, publisher, Codec.VP8, VIDEO_SSRC, 96);
        router.createProducer(2, publisher, Codec.OPUS, AUDIO_SSRC, 111);
        router.createConsumer(11, 1, subscriber, VIDEO_CONSUMER_SSRC, 96);
        router.createConsumer(12, 2, subscriber, AUDIO_CONSUMER_SSRC, 111);
        // Creating the video Consumer asked for a keyframe; start each test clean and past it.
        host.advanceMillis(1_000);
        host.sent(publisher).clear();
    }

    @Test
    void shouldTurnASubscribersPliIntoOurOwnPliToThePublisher() {
        host.receiveRtcp(router, subscriber, pli(0x5555, VIDEO_CONSUMER_SSRC));
        List<byte[]> sent = host.sent(publisher).rtcp;
        assertEquals(1, sent.size());
        PliPacket pli = new PliPacket();
        assertTrue(pli.wrap(sent.get(0), 0, sent.get(0).length));
        assertEquals(VIDEO_SSRC, pli.mediaSsrc(), "names the publisher's SSRC, not ours");
        assertTrue(pli.senderSsrc() != 0x5555, "sent as the relay, not as the subscriber");
    }

    @Test
    void shouldThrottleKeyframeRequestsAndSendTheHeldOneLater() {
        host.receiveRtcp(router, subscriber, pli(0x5555, VIDEO_CONSUMER_SSRC));
        host.advanceMillis(100);
        host.receiveRtcp(router, subscriber, pli(0x5555, VIDEO_CONSUMER_SSRC));
        host.receiveRtcp(router, subscriber, fir(0x5555, VIDEO_CONSUMER_SSRC));
        assertEquals(1, host.sent(publisher).rtcp.size(), "one PLI per 500 ms however many requests");
        assertTrue(host.context.takeKeyframeRequestsPending(), "the worker is told to poll");
        host.advanceMillis(300);
        assertEquals(0, router.sendHeldKeyframeRequests(host.nanos));
        host.advanceMillis(100);
        assertEquals(1, router.sendHeldKeyframeRequests(host.nanos), "the held request goes out on time");
        assertEquals(2, host.sent(publisher).rtcp.size());
        assertEquals(0, router.sendHeldKeyframeRequests(host.nanos + 1_000_000_000L), "and only once");
    }

    @Test
    void shouldAnswerAFirLikeAPli() {
        host.receiveRtcp(router, subscriber, fir(0x5555, VIDEO_CONSUMER_SSRC));
        assertEquals(1, host.sent(publisher).rtcp.size());
    }

    @Test
    void shouldIgnoreKeyframeRequestsForAudioAndForUnknownSsrcs() {
        host.receiveRtcp(router, subscriber, pli(0x5555, AUDIO_CONSUMER_SSRC));
        host.receiveRtcp(router, subscriber, pli(0x5555, 0x7777_7777));
        host.receiveRtcp(router, subscriber, pli(0x5555, VIDEO_SSRC));
        assertEquals(0, host.sent(publisher).rtcp.size());
    }

    @Test
    void shouldSendThePublisherAReceiverReportWithLossAndItsLastSenderReport() {
        for (int seq = 0; seq < 10; seq++) {
            if (seq < 4 || seq > 6) {
                host.receiveRtp(router, publisher, InlineHost.rtp(AUDIO_SSRC, 111, seq, seq * 960L, false, 20));
            }
            host.advanceMillis(20);
        }
        router.sendReports(host.nanos);
        ReceiverReport rr = onlyReceiverReport();
        assertEquals(1, rr.reportCount(), "a block only for the stream that sent packets");
        assertEquals(AUDIO_SSRC, rr.blockSsrc(0));
        assertEquals(3 * 256 / 10, rr.fractionLost(0));
        assertEquals(3, rr.cumulativeLost(0));
        assertEquals(9, rr.extendedHighestSeq(0));
        assertEquals(0, rr.lsr(0), "no SR from the publisher yet");

        long publisherNtp = 0x1234_5678_9ABC_DEF0L;
        host.receiveRtcp(router, publisher, senderReport(AUDIO_SSRC, publisherNtp));
        host.advanceMillis(500);
        host.sent(publisher).clear();
        router.sendReports(host.nanos);
        rr = onlyReceiverReport();
        assertEquals(NtpTime.compact(publisherNtp), rr.lsr(0));
        assertEquals(65536 / 2, rr.dlsr(0), "0.5 s since that SR, in 1/65536 s");
        assertEquals(0, rr.fractionLost(0), "no loss in the new interval");
    }

    @Test
    void shouldSendEachSubscriberASenderReportPerForwardedStream() {
        host.receiveRtp(router, publisher, InlineHost.rtp(AUDIO_SSRC, 111, 1, 48_000, false, 20));
        host.receiveRtp(router, publisher, InlineHost.rtp(AUDIO_SSRC, 111, 2, 48_960, false, 20));
        host.advanceMillis(100);
        router.sendReports(host.nanos);
        List<byte[]> sent = host.sent(subscriber).rtcp;
        assertEquals(1, sent.size(), "an SR only for the stream that sent something");
        SenderReport sr = new SenderReport();
        assertTrue(sr.wrap(sent.get(0), 0, sent.get(0).length));
        assertEquals(AUDIO_CONSUMER_SSRC, sr.senderSsrc());
        assertEquals(2, sr.packetCount());
        assertEquals(40, sr.octetCount(), "payload octets (RFC 3550 §6.4.1)");
        assertEquals(48_960 + 4_800, sr.rtpTimestamp(), "the last timestamp moved on by 100 ms at 48 kHz");
        assertEquals(NtpTime.fromEpochMillis(host.epochMillis), sr.ntpTimestamp());
    }

    @Test
    void shouldMeasureRoundTripFromTheSubscribersReportOnOurSenderReport() {
        host.receiveRtp(router, publisher, InlineHost.rtp(AUDIO_SSRC, 111, 1, 48_000, false, 20));
        router.sendReports(host.nanos);
        SenderReport sr = new SenderReport();
        byte[] ours = host.sent(subscriber).rtcp.get(0);
        assertTrue(sr.wrap(ours, 0, ours.length));
        // The subscriber holds our SR 100 ms and its report takes 200 ms more to come back.
        host.advanceMillis(300);
        byte[] rr = new byte[64];
        int len = ReceiverReport.writeHeader(rr, 0, 0x5555, 1);
        len += ReceiverReport.writeBlock(rr, len, AUDIO_CONSUMER_SSRC, 25, 7, 1, 480, sr.compactNtp(), 6554);
        host.receiveRtcp(router, subscriber, java.util.Arrays.copyOf(rr, len));

        RouterStats.ConsumerSample sample = stats().consumers().stream()
                .filter(c -> c.consumerId() == 12).findFirst().orElseThrow();
        assertEquals(200.0, sample.rttMs(), 0.1);
        assertEquals(25, sample.fractionLost());
        assertEquals(7, sample.cumulativeLost());
        assertEquals(10.0, sample.jitterMs(), 1e-9, "480 ticks at 48 kHz");
    }

    @Test
    void shouldCountMalformedRtcpAndKeepGoing() {
        host.receiveRtcp(router, subscriber, new byte[] {(byte) 0x81, (byte) 206, 0, 9, 1, 2, 3, 4});
        assertEquals(1, host.drops.get(dev.relay.transport.DropReason.RTCP_MALFORMED));
        host.receiveRtcp(router, subscriber, pli(0x5555, VIDEO_CONSUMER_SSRC));
        assertEquals(1, host.sent(publisher).rtcp.size());
    }

    private ReceiverReport onlyReceiverReport() {
        List<byte[]> sent = host.sent(publisher).rtcp;
        assertEquals(1, sent.size());
        ReceiverReport rr = new ReceiverReport();
        assertTrue(rr.wrap(sent.get(0), 0, sent.get(0).length));
        return rr;
    }

    private RouterStats stats() {
        AtomicReference<RouterStats> result = new AtomicReference<>();
        router.requestStats(result::set);
        return result.get();
    }

    private static byte[] pli(int sender, int media) {
        byte[] out = new byte[12];
        PliPacket.write(out, 0, sender, media);
        return out;
    }

    private static byte[] fir(int sender, int media) {
        byte[] out = new byte[64];
        int len = FirPacket.write(out, 0, sender, media, 1);
        return java.util.Arrays.copyOf(out, len);
    }

    private static byte[] senderReport(int ssrc, long ntp) {
        byte[] out = new byte[64];
        int len = SenderReport.write(out, 0, ssrc, ntp, 0, 0, 0);
        return java.util.Arrays.copyOf(out, len);
    }
}
