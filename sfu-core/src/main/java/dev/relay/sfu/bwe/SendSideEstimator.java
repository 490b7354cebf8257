package dev.relay.sfu.bwe;

import dev.relay.codecs.rtcp.TransportCcFeedback;

/**
 * Send-side bandwidth estimate of one subscriber Transport (draft-ietf-rmcat-gcc-02 with
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 feedback): what the allocator may spend on
 * the Consumers of that Transport.
 *
 * <pre>
 *  onPacketSent --> SendHistory (seq -> send time, size, cluster)
 *                        |
 *  onFeedback ---> per status: received? ---> AckedBitrate (R_hat)
 *                        |            \-----> ProbeController (per-cluster rates)
 *                        |             \----> InterArrival (5 ms groups)
 *                        |                      -> TrendlineEstimator (m(i))
 *                        |                      -> OveruseDetector (adaptive threshold)
 *                        |                      -> AimdRateControl (A_hat, delay-based)
 *                        \-- lost? ---------> LossBasedControl (bound from loss)
 *  estimate = min(delay-based, loss-based, REMB while fresh), raised by a successful probe
 * </pre>
 *
 * <p>Every packet that leaves while a probe cluster is being sent belongs to that cluster, media
 * and padding alike: the bottleneck sees them all, so the probe measures them all. The caller tags
 * padding with the id {@link #startProbe} returned; untagged packets are added to the cluster here.
 *
 * <p>One per subscriber Transport, on its worker thread only. Allocates nothing after construction.
 */
public final class SendSideEstimator {
    public static final int NORMAL = OveruseDetector.NORMAL;
    public static final int OVERUSING = OveruseDetector.OVERUSING;
    public static final int UNDERUSING = OveruseDetector.UNDERUSING;

    /** A successful probe lifts the estimate to this share of its result (margin for its error). */
    static final double PROBE_SHARE = 0.95;
    /** REMB caps the estimate until this long after the last one. */
    static final long REMB_TIMEOUT_NANOS = 5_000_000_000L;
    /** Without transport-cc feedback for this long, REMB is the estimate, not only its cap. */
    static final long FEEDBACK_TIMEOUT_NANOS = 5_000_000_000L;
    /** Weight of a new round-trip sample. */
    static final double RTT_SMOOTHING = 0.125;

    private final long minBps;
    private final long maxBps;
    private final SendHistory history = new SendHistory();
    private final ArrivalClock arrivalClock = new ArrivalClock();
    private final InterArrival interArrival = new InterArrival();
    private final TrendlineEstimator trendline = new TrendlineEstimator();
    private final OveruseDetector detector = new OveruseDetector();
    private final AckedBitrate acked = new AckedBitrate();
    private final AimdRateControl delayBased;
    private final LossBasedControl lossBased;
    private final ProbeController probes = new ProbeController();

    private long estimateBps;
    private long rembBps;
    private long rembAt = Long.MIN_VALUE;
    private long lastFeedbackAt = Long.MIN_VALUE;
    private double rttNanos = AimdRateControl.DEFAULT_RTT_NANOS;
    private boolean rttMeasured;

    private long feedbacks;
    private long unknownStatuses;
    private long probeResults;

    public SendSideEstimator(long initialBps, long minBps, long maxBps) {
        if (minBps <= 0 || maxBps < minBps) {
            throw new IllegalArgumentException("need 0 < minBps <= maxBps: " + minBps + ", " + maxBps);
        }
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimateBps = clamp(initialBps);
        this.delayBased = new AimdRateControl(estimateBps, minBps, maxBps);
        this.lossBased = new LossBasedControl(estimateBps, minBps, maxBps);
    }

    /**
     * A packet left with transport-wide sequence number seq (16 bits), size in bytes (whole RTP
     * packet), at sendNanos; probeCluster >= 0 if it belongs to a probe cluster, else -1.
     */
    public void onPacketSent(int seq, int bytes, long sendNanos, int probeCluster) {
        int cluster = probeCluster >= 0 ? probeCluster : probes.sendingCluster(sendNanos);
        history.add(seq, bytes, sendNanos, cluster);
        probes.onSent(cluster, bytes, sendNanos);
    }

    /** The subscriber's transport-cc feedback, already wrapped. */
    public void onFeedback(TransportCcFeedback feedback, long nowNanos) {
        feedbacks++;
        lastFeedbackAt = nowNanos;
        arrivalClock.onReferenceTime(feedback.referenceTime());
        feedback.rewind();
        int lost = 0;
        int received = 0;
        long newestSend = Long.MIN_VALUE;
        boolean delaySignal = false;
        while (feedback.nextStatus()) {
            int slot = history.slot(feedback.statusSequenceNumber());
            if (slot < 0) {
                unknownStatuses++;
                continue;
            }
            int fate = history.fate(slot);
            if (!feedback.statusReceived()) {
                if (fate == SendHistory.UNREPORTED) {
                    history.markLost(slot);
                    probes.onLost(history.cluster(slot));
                    lost++;
                }
                continue;
            }
            if (fate == SendHistory.ACKED) {
                continue;
            }
            history.markAcked(slot);
            received++;
            long sent = history.sendNanos(slot);
            int bytes = history.bytes(slot);
            long arrival = arrivalClock.toNanos(feedback.statusReceiveTimeTicks());
            newestSend = Math.max(newestSend, sent);
            acked.onAck(arrival, bytes);
            probes.onAcked(history.cluster(slot), bytes, arrival);
            if (interArrival.onPacket(sent, arrival, bytes)) {
                double signal = trendline.update(
                    interArrival.sendDeltaNanos(), interArrival.arrivalDeltaNanos(), interArrival.arrivalNanos());
                detector.detect(signal, interArrival.sendDeltaNanos(), interArrival.arrivalNanos());
                delaySignal = true;
            }
        }
        if (newestSend != Long.MIN_VALUE) {
            updateRtt(nowNanos - newestSend);
        }

        long ackedBps = acked.bps();
        long delayBasedBps = delayBased.rateBps();
        if (delaySignal || received > 0) {
            delayBasedBps = delayBased.update(detector.state(), ackedBps, nowNanos);
        }
        lossBased.onReport(lost, received, estimateBps, ackedBps, nowNanos);

        long probeBps = probes.takeResult(nowNanos);
        if (probeBps > 0) {
            probeResults++;
            long lifted = clamp((long)(PROBE_SHARE * probeBps));
            if (detector.state() != OVERUSING && lifted > estimateBps) {
                delayBased.setRate(lifted, nowNanos);
                lossBased.raiseTo(lifted);
                delayBasedBps = delayBased.rateBps();
            }
        }
        estimateBps = combine(delayBasedBps, nowNanos);
    }

    /** REMB from the subscriber (fallback/cap signal). */
    public void onRemb(long bps, long nowNanos) {
        rembBps = bps;
        rembAt = nowNanos;
        if (lastFeedbackAt == Long.MIN_VALUE || nowNanos - lastFeedbackAt > FEEDBACK_TIMEOUT_NANOS) {
            // No transport-cc: the receiver's estimate is all there is (draft-ietf-rmcat-gcc-02 §4).
            estimateBps = clamp(bps);
            delayBased.setRate(estimateBps, nowNanos);
        } else {
            estimateBps = Math.min(estimateBps, clamp(bps));
        }
    }

    /** @return the target the allocator may spend, in bits per second. */
    public long estimateBps() {
        return estimateBps;
    }

    /** @return throughput the receiver acknowledged over the last half second, in bits per second. */
    public long ackedBps() {
        return acked.bps();
    }

    /** @return the loss fraction of the last closed loss window, 0..1. */
    public double lossFraction() {
        return lossBased.lossFraction();
    }

    /** @return {@link #NORMAL}, {@link #OVERUSING} or {@link #UNDERUSING}. */
    public int delayState() {
        return detector.state();
    }

    /** Start a probe cluster aiming at targetBps (e.g. 2x estimate): returns its id. */
    public int startProbe(long targetBps, long nowNanos) {
        return probes.start(Math.min(targetBps, maxBps), nowNanos);
    }

    /** Bytes of probe (padding/RTX) the caller should send now to keep the active cluster on its rate; 0 if none. */
    public int probeBytesDue(long nowNanos) {
        return probes.bytesDue(nowNanos);
    }

    /** @return the smoothed time from sending a packet to the feedback that acknowledged it. */
    public long feedbackRttNanos() {
        return (long)rttNanos;
    }

    /** @return the last probe result in bits per second, 0 before the first. */
    public long lastProbeResultBps() {
        return probes.lastResultBps();
    }

    public long feedbackCount() {
        return feedbacks;
    }

    /** @return feedback statuses for sequence numbers no longer (or never) in the send history. */
    public long unknownStatusCount() {
        return unknownStatuses;
    }

    public long probeResultCount() {
        return probeResults;
    }

    private long combine(long delayBasedBps, long nowNanos) {
        long target = Math.min(delayBasedBps, lossBased.boundBps());
        if (rembAt != Long.MIN_VALUE && nowNanos - rembAt <= REMB_TIMEOUT_NANOS) {
            target = Math.min(target, rembBps);
        }
        return clamp(target);
    }

    private void updateRtt(long sample) {
        if (!rttMeasured) {
            rttMeasured = true;
            rttNanos = sample;
        } else {
            rttNanos += RTT_SMOOTHING * (sample - rttNanos);
        }
        delayBased.setRtt((long)rttNanos);
    }

    private long clamp(long bps) {
        return Math.max(minBps, Math.min(maxBps, bps));
    }
}
