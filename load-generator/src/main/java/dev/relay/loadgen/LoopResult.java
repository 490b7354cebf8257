package dev.relay.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * What one I/O loop measured in the window, copied out on the loop's own thread so the
 * orchestrator never reads loop-owned state.
 */
record LoopResult(LatencyHistogram audioLatency, LatencyHistogram videoLatency, List<StreamResult> streams,
                  List<SourceResult> sources, long transports, long transportsFailed, long srtpFailures,
                  long unknownSsrcPackets, long readErrors, long sendFailures, double busyPercent) {

    /** One stream a subscriber receives. */
    record StreamResult(String subscriber, int ssrc, boolean video, int publisher, String trackId, boolean active,
                        long windowExpected, long windowReceived, long totalExpected, long totalReceived,
                        long decrypted, long decryptFailures, long badProbes, long misrouted) {
    }

    /** One publisher's tracks. */
    record SourceResult(String publisher, long audioPackets, long videoPackets, long keyframes,
                        long keyframesOnRequest, long keyframeRequests, long pliReceived, long firReceived,
                        long maxLateMicros, long framesLateOver10ms) {
    }

    static LoopResult collect(IoLoop loop) {
        LatencyHistogram audio = new LatencyHistogram();
        audio.add(loop.audioLatency);
        LatencyHistogram video = new LatencyHistogram();
        video.add(loop.videoLatency);
        List<StreamResult> streams = new ArrayList<>();
        List<SourceResult> sources = new ArrayList<>();
        long failed = 0;
        long srtpFailures = 0;
        long unknownSsrc = 0;
        long sendFailures = 0;
        for (ClientTransport t : loop.transports()) {
            if (t.state() == ClientTransport.State.FAILED) {
                failed++;
            }
            srtpFailures += t.srtpAuthFailures() + t.srtcpFailures;
            unknownSsrc += t.unknownSsrcPackets;
            sendFailures += t.sendFailures;
            for (ReceiveStream s : t.streamList) {
                streams.add(new StreamResult(t.peer.name(), s.ssrc, s.video, s.publisher, s.trackId, s.active,
                        s.windowExpected(), s.windowReceived(), s.totalExpected(), s.totalReceived(), s.decrypted,
                        s.decryptFailures, s.badProbes, s.misrouted));
            }
            if (t.audio != null || t.video != null) {
                AudioSource a = t.audio;
                VideoSource v = t.video;
                long late = Math.max(a == null ? 0 : a.maxLateNanos, v == null ? 0 : v.maxLateNanos);
                sources.add(new SourceResult(t.peer.name(), a == null ? 0 : a.windowPackets(),
                        v == null ? 0 : v.windowPackets(), v == null ? 0 : v.windowKeyframes(),
                        v == null ? 0 : v.windowKeyframesOnRequest(), v == null ? 0 : v.windowKeyframeRequests(),
                        t.pliReceived, t.firReceived, late / 1000, v == null ? 0 : v.windowFramesLate()));
            }
        }
        long wall = System.nanoTime() - loop.windowStartNanos;
        double busy = wall > 0 ? 100.0 * (loop.busyNanos - loop.windowBusyStartNanos) / wall : 0;
        return new LoopResult(audio, video, streams, sources, loop.transports().size(), failed, srtpFailures,
                unknownSsrc, loop.readErrors, sendFailures, busy);
    }
}
