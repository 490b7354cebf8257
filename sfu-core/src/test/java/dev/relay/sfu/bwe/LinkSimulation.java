package dev.relay.sfu.bwe;

/**
 * A sender, a {@link Link} and a {@link FeedbackReceiver} around one
 * {@link SendSideEstimator}, stepped in 1 ms ticks of simulated time.
 *
 * <p>The sender offers media at {@link #setOffer} bits per second and the allocator spends
 * min(offer, estimate): media packets of {@link #MEDIA_BYTES} leave evenly paced at that rate.
 * With probing {@link Probing#WHILE_LIMITED}, while the sender is limited by the estimate (the
 * offer is above it), a probe at twice the estimate starts every {@link #PROBE_INTERVAL_NANOS};
 * with {@link Probing#ALWAYS}, whatever the offer (an allocator that wants more than the media it
 * sends, say a layer it cannot yet afford); padding is sent whenever
 * {@link SendSideEstimator#probeBytesDue} asks for it. The estimate is sampled every 100 ms.
 * Allocates nothing per tick.
 */
final class LinkSimulation {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final int MEDIA_BYTES = 1_200;
    static final int MIN_PADDING_BYTES = 200;
    static final long PROBE_INTERVAL_NANOS = 1_500 * MS;
    static final long SAMPLE_NANOS = 100 * MS;

    final SendSideEstimator estimator;
    enum Probing { OFF, WHILE_LIMITED, ALWAYS }

    final Link link;
    final FeedbackReceiver receiver;
    private long offerBps;
    private Probing probing = Probing.OFF;
    private long now;
    private long nextMedia;
    private long lastProbe = Long.MIN_VALUE / 2;
    private int probeId = -1;
    private int seq;
    private long packets;
    private long paddingBytes;
    private int probesStarted;
    private final long[] samples;
    private final long[] ackedSamples;
    private int sampleCount;

    LinkSimulation(SendSideEstimator estimator, Link link, long offerBps, int firstSeq, long maxSeconds) {
        this.estimator = estimator;
        this.link = link;
        this.receiver = new FeedbackReceiver(20 * MS, 123_456 * MS);
        this.offerBps = offerBps;
        this.seq = firstSeq;
        this.samples = new long[(int)(maxSeconds * SECOND / SAMPLE_NANOS) + 2];
        this.ackedSamples = new long[samples.length];
    }

    void setOffer(long bps) {
        offerBps = bps;
    }

    void setProbing(Probing mode) {
        probing = mode;
    }

    long now() {
        return now;
    }

    long packets() {
        return packets;
    }

    long paddingBytes() {
        return paddingBytes;
    }

    int probesStarted() {
        return probesStarted;
    }

    /** Runs until simulated time reaches {@code untilNanos}. */
    void runUntil(long untilNanos) {
        while (now < untilNanos) {
            tick();
            now += MS;
        }
    }

    private void tick() {
        long estimate = estimator.estimateBps();
        while (nextMedia <= now) {
            send(MEDIA_BYTES, nextMedia, -1);
            long rate = Math.max(1, Math.min(offerBps, estimator.estimateBps()));
            nextMedia += MEDIA_BYTES * 8 * SECOND / rate;
        }
        boolean wanted = probing == Probing.ALWAYS || probing == Probing.WHILE_LIMITED && estimate < offerBps;
        if (wanted && now - lastProbe >= PROBE_INTERVAL_NANOS) {
            probeId = estimator.startProbe(2 * estimate, now);
            lastProbe = now;
            probesStarted++;
        }
        int due = estimator.probeBytesDue(now);
        while (due > 0) {
            int bytes = Math.max(MIN_PADDING_BYTES, Math.min(due, MEDIA_BYTES));
            send(bytes, now, probeId);
            paddingBytes += bytes;
            due = estimator.probeBytesDue(now);
        }
        receiver.tick(now, estimator);
        if (now % SAMPLE_NANOS == 0 && sampleCount < samples.length) {
            ackedSamples[sampleCount] = estimator.ackedBps();
            samples[sampleCount++] = estimator.estimateBps();
        }
    }

    private void send(int bytes, long at, int cluster) {
        estimator.onPacketSent(seq, bytes, at, cluster);
        receiver.onSent(seq, link.send(bytes, at));
        seq = (seq + 1) & 0xFFFF;
        packets++;
    }

    /** @return the lowest sampled estimate in [from, to). */
    long minEstimate(long fromNanos, long toNanos) {
        long min = Long.MAX_VALUE;
        for (int i = index(fromNanos); i < Math.min(index(toNanos), sampleCount); i++) {
            min = Math.min(min, samples[i]);
        }
        return min;
    }

    /** @return the highest sampled estimate in [from, to). */
    long maxEstimate(long fromNanos, long toNanos) {
        long max = Long.MIN_VALUE;
        for (int i = index(fromNanos); i < Math.min(index(toNanos), sampleCount); i++) {
            max = Math.max(max, samples[i]);
        }
        return max;
    }

    /** @return the first sample time at or after {@code fromNanos} whose estimate is in [low, high], or -1. */
    long firstWithin(long fromNanos, long low, long high) {
        for (int i = index(fromNanos); i < sampleCount; i++) {
            if (samples[i] >= low && samples[i] <= high) {
                return i * SAMPLE_NANOS;
            }
        }
        return -1;
    }

    /** A line per second: time, estimate and acknowledged rate in kbit/s, for a failing test's log. */
    String trace() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sampleCount; i += 10) {
            s.append(String.format("%5.1fs est %6d acked %6d%n", i * SAMPLE_NANOS / 1e9, samples[i] / 1000, ackedSamples[i] / 1000));
        }
        return s.toString();
    }

    private static int index(long nanos) {
        return (int)(nanos / SAMPLE_NANOS);
    }
}
