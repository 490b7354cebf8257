package dev.relay.sfu.speaker;

import java.util.Arrays;

/**
 * Names the dominant speaker of a Room from the audio level each participant's client puts in its
 * audio packets (RFC 6464 §3: 0..127, in -dBov, 127 for silence; the V bit is ignored). Worker
 * thread only; pure logic over the caller's clock; nothing allocated after construction.
 *
 * <p>The method is Volfin and Cohen's ("Dominant speaker identification for multipoint
 * videoconferencing", Computer Speech and Language 27(4), 2013; IEEEI 2012), on levels instead
 * of spectra:
 * <ul>
 * <li><b>Immediate</b> (one 20 ms frame): the paper counts the frequency sub-bands above a
 *     threshold; a level is one number, so it stands in for that count: {@link #SUBBANDS} steps of
 *     {@link #SUBBAND_DB} dB from {@link #LEVEL_FLOOR} -dBov up ({@link #subbands}). A frame is
 *     active when {@link #ACTIVE_SUBBANDS} or more are (about -47 dBov or louder, quiet speech).</li>
 * <li><b>Medium</b> (a block of {@link #FRAMES_PER_BLOCK} frames, 100 ms): the number of active
 *     frames; a block is active at {@link #ACTIVE_FRAMES} or more.</li>
 * <li><b>Long</b> ({@link #BLOCKS} blocks, 1 s): the number of active blocks.</li>
 * </ul>
 * Each count k of n becomes a speech activity score, the log likelihood ratio of speech (k
 * binomial with p = 1/2) against non-speech (k exponential with rate lambda): ln C(n,k) + n ln 1/2
 * - ln lambda + lambda k, floored at {@link #MIN_SCORE}. The lambdas ({@link #LAMBDA}) are ours,
 * chosen so each score grows with k (lambda >= ln n) and is above the floor only from k = 2: one
 * active frame is no speech, and a 100 ms burst (one active block at most) scores nothing in the
 * long term.
 *
 * <p>Every {@link #evaluate}: a participant replaces the dominant one when its scores beat the
 * dominant's on all three intervals by the log ratios {@link #C}: ln(challenger / dominant) above
 * 3, 2 and 0. A dominant speaker who is still talking keeps the floor (its immediate score is
 * high), a challenger wins in its pauses and only once it has spoken more over the last second;
 * a short interjection or a cough never has. Of several challengers the one with the largest
 * medium-term ratio wins.
 *
 * <p>Our additions, each for a case the paper leaves open:
 * <ul>
 * <li><b>Nobody to keep.</b> With no dominant speaker, the participant with the most activity in
 *     the last second is named as soon as it has one active frame. Chromium's fake microphone
 *     (--use-fake-device-for-media-stream, as the integration tests run it) beeps for 20 ms every
 *     500 ms: never "speech" to the paper's test, yet against silence it must be named within a
 *     second.</li>
 * <li><b>A dominant speaker gone silent</b> (no active frame in the whole last second) yields to
 *     the most active participant whose activity in that second spans {@link #SUSTAINED_FRAMES}
 *     (200 ms) from first to last active frame: a second beep qualifies, a single cough of a
 *     hundred milliseconds does not.</li>
 * <li><b>Time slots, not packets.</b> Levels go into 20 ms slots by arrival time; a slot with no
 *     packet is silence, so a participant who stops sending (muted, Opus DTX sends a packet only
 *     every 400 ms) falls silent too. A packet longer than 20 ms (Opus allows up to 120 ms, RFC 6716
 *     §3.2.5) or a loss leaves empty slots behind it; a gap of up to {@link #MAX_PACKET_FRAMES} is
 *     filled with the next packet's level, which covers that time. Two packets in one slot
 *     (arrival jitter) keep the louder.</li>
 * <li><b>Jitter.</b> The immediate score reads the louder of the last two complete slots, so a
 *     packet arriving a few milliseconds late does not make a talker silent for an instant.</li>
 * </ul>
 */
public final class DominantSpeakerDetector {
    public static final int NONE = -1;

    /** One immediate interval: the 20 ms Opus frame WebRTC sends. */
    public static final long FRAME_NANOS = 20_000_000L;
    /** Sub-bands of the immediate interval (N1 in the paper). */
    static final int SUBBANDS = 13;
    /** Frames per medium block (N2): 100 ms. */
    static final int FRAMES_PER_BLOCK = 5;
    /** Blocks of the long interval (N3): 1 s. */
    static final int BLOCKS = 10;
    static final int HISTORY = FRAMES_PER_BLOCK * BLOCKS;

    /** A level above this (quieter) counts no sub-band: room noise after noise suppression. */
    static final int LEVEL_FLOOR = 75;
    static final int SUBBAND_DB = 4;
    static final int ACTIVE_SUBBANDS = 7;
    static final int ACTIVE_FRAMES = 3;
    /** 120 ms, the longest Opus packet (RFC 6716 §3.2.5), in frames. */
    static final int MAX_PACKET_FRAMES = 6;
    /** "Speaking" for {@link #speakers}: an active frame within the last 600 ms, longer than the beep interval. */
    static final int SPEAKING_FRAMES = 30;
    /** Activity spread over this many frames (200 ms) takes the floor from a silent dominant speaker. */
    static final int SUSTAINED_FRAMES = 10;

    static final double MIN_SCORE = 1e-10;
    /** Non-speech rates for the immediate, medium and long intervals. */
    static final double[] LAMBDA = {3.0, 2.0, 2.5};
    /** Log-ratio thresholds a challenger must exceed on each interval. */
    static final double[] C = {3.0, 2.0, 0.0};

    private static final double[] SCORE_IMMEDIATE = scores(SUBBANDS, LAMBDA[0]);
    private static final double[] SCORE_MEDIUM = scores(FRAMES_PER_BLOCK, LAMBDA[1]);
    private static final double[] SCORE_LONG = scores(BLOCKS, LAMBDA[2]);

    private final int maxParticipants;
    private final boolean[] present;
    private final long[] lastFrame;
    private final boolean[] heard;
    /** Per participant, HISTORY slots: the frame number each holds and its active sub-bands. */
    private final long[] slotFrame;
    private final byte[] slotSubbands;

    /** Scratch for one evaluate() or speakers(). */
    private final double[] immediate;
    private final double[] medium;
    private final double[] longTerm;
    private final int[] activeFrames;
    /** Frames from the oldest to the newest active frame in the long interval, both included. */
    private final int[] activeSpan;
    private final int[] loudness;

    private int dominant = NONE;
    private int reported = NONE;

    public DominantSpeakerDetector(int maxParticipants) {
        if (maxParticipants <= 0) {
            throw new IllegalArgumentException("maxParticipants must be positive: " + maxParticipants);
        }
        this.maxParticipants = maxParticipants;
        this.present = new boolean[maxParticipants];
        this.lastFrame = new long[maxParticipants];
        this.heard = new boolean[maxParticipants];
        this.slotFrame = new long[maxParticipants * HISTORY];
        this.slotSubbands = new byte[maxParticipants * HISTORY];
        this.immediate = new double[maxParticipants];
        this.medium = new double[maxParticipants];
        this.longTerm = new double[maxParticipants];
        this.activeFrames = new int[maxParticipants];
        this.activeSpan = new int[maxParticipants];
        this.loudness = new int[maxParticipants];
    }

    /** Starts tracking a participant, with no history. */
    public void add(int participant) {
        check(participant);
        present[participant] = true;
        heard[participant] = false;
        Arrays.fill(slotFrame, participant * HISTORY, (participant + 1) * HISTORY, Long.MIN_VALUE);
    }

    /** Stops tracking a participant; if it was dominant, nobody is until the next {@link #evaluate}. */
    public void remove(int participant) {
        check(participant);
        present[participant] = false;
        if (dominant == participant) {
            dominant = NONE;
        }
    }

    /** One audio packet's level (RFC 6464), received at {@code nowNanos}. Unknown participants are ignored. */
    public void onAudioLevel(int participant, int level, long nowNanos) {
        if (participant < 0 || participant >= maxParticipants || !present[participant]) {
            return;
        }
        int bands = subbands(level & 0x7F);
        long frame = Math.floorDiv(nowNanos, FRAME_NANOS);
        if (heard[participant]) {
            long last = lastFrame[participant];
            if (frame > last + 1 && frame - last < MAX_PACKET_FRAMES) {
                for (long f = last + 1; f < frame; f++) {
                    put(participant, f, bands);
                }
            }
        }
        put(participant, frame, bands);
        if (!heard[participant] || frame > lastFrame[participant]) {
            lastFrame[participant] = frame;
            heard[participant] = true;
        }
    }

    /**
     * Scores everyone over the complete frames before {@code nowNanos} and decides.
     *
     * @return true if the dominant speaker is not the one this returned last time.
     */
    public boolean evaluate(long nowNanos) {
        long frame = Math.floorDiv(nowNanos, FRAME_NANOS) - 1;
        for (int p = 0; p < maxParticipants; p++) {
            if (present[p]) {
                score(p, frame);
            }
        }
        if (dominant == NONE || activeFrames[dominant] == 0) {
            int best = mostActive(dominant == NONE ? 1 : SUSTAINED_FRAMES);
            if (best != NONE) {
                dominant = best;
            }
        } else {
            int best = NONE;
            double bestMedium = 0;
            for (int p = 0; p < maxParticipants; p++) {
                if (!present[p] || p == dominant) {
                    continue;
                }
                double dImmediate = Math.log(immediate[p] / immediate[dominant]);
                double dMedium = Math.log(medium[p] / medium[dominant]);
                double dLong = Math.log(longTerm[p] / longTerm[dominant]);
                if (dImmediate > C[0] && dMedium > C[1] && dLong > C[2]
                        && (best == NONE || dMedium > bestMedium)) {
                    best = p;
                    bestMedium = dMedium;
                }
            }
            if (best != NONE) {
                dominant = best;
            }
        }
        boolean changed = dominant != reported;
        reported = dominant;
        return changed;
    }

    /** The dominant speaker after the last {@link #evaluate} (or a removal), or {@link #NONE}. */
    public int dominant() {
        return dominant;
    }

    /**
     * The participants with an active frame in the last 600 ms, most speech energy first (the sum
     * of their active frames' sub-band counts: louder and longer ranks higher), then lower index.
     *
     * @return how many were written to {@code out} (at most its length).
     */
    public int speakers(int[] out, long nowNanos) {
        long frame = Math.floorDiv(nowNanos, FRAME_NANOS) - 1;
        int count = 0;
        for (int p = 0; p < maxParticipants; p++) {
            if (!present[p]) {
                continue;
            }
            int sum = 0;
            for (int i = 0; i < SPEAKING_FRAMES; i++) {
                int bands = read(p, frame - i);
                if (bands >= ACTIVE_SUBBANDS) {
                    sum += bands;
                }
            }
            if (sum == 0) {
                continue;
            }
            loudness[p] = sum;
            int i = Math.min(count, out.length);
            while (i > 0 && loudness[out[i - 1]] < sum) {
                if (i < out.length) {
                    out[i] = out[i - 1];
                }
                i--;
            }
            if (i < out.length) {
                out[i] = p;
            }
            count = Math.min(count + 1, out.length);
        }
        return count;
    }

    /** Active sub-bands for a level: one per {@link #SUBBAND_DB} dB louder than the floor. */
    static int subbands(int level) {
        if (level > LEVEL_FLOOR) {
            return 0;
        }
        return Math.min(SUBBANDS, (LEVEL_FLOOR - level) / SUBBAND_DB + 1);
    }

    /** The speech activity score of each count k = 0..n, floored. */
    static double[] scores(int n, double lambda) {
        double[] scores = new double[n + 1];
        double lnChoose = 0;
        for (int k = 0; k <= n; k++) {
            if (k > 0) {
                lnChoose += Math.log((double) (n - k + 1) / k);
            }
            double score = lnChoose + n * Math.log(0.5) - Math.log(lambda) + lambda * k;
            scores[k] = Math.max(MIN_SCORE, score);
        }
        return scores;
    }

    private void score(int p, long frame) {
        int now = Math.max(read(p, frame), read(p, frame - 1));
        int blocksActive = 0;
        int framesActive = 0;
        int firstBlock = 0;
        int newest = -1;
        int oldest = -1;
        for (int b = 0; b < BLOCKS; b++) {
            int active = 0;
            for (int i = 0; i < FRAMES_PER_BLOCK; i++) {
                int back = b * FRAMES_PER_BLOCK + i;
                if (read(p, frame - back) >= ACTIVE_SUBBANDS) {
                    active++;
                    if (newest < 0) {
                        newest = back;
                    }
                    oldest = back;
                }
            }
            if (b == 0) {
                firstBlock = active;
            }
            if (active >= ACTIVE_FRAMES) {
                blocksActive++;
            }
            framesActive += active;
        }
        immediate[p] = SCORE_IMMEDIATE[now];
        medium[p] = SCORE_MEDIUM[firstBlock];
        longTerm[p] = SCORE_LONG[blocksActive];
        activeFrames[p] = framesActive;
        activeSpan[p] = newest < 0 ? 0 : oldest - newest + 1;
    }

    /**
     * Of the present participants other than the dominant one whose activity in the long interval
     * spans at least {@code minSpan} frames, the most active.
     */
    private int mostActive(int minSpan) {
        int best = NONE;
        for (int p = 0; p < maxParticipants; p++) {
            if (!present[p] || p == dominant || activeFrames[p] == 0 || activeSpan[p] < minSpan) {
                continue;
            }
            if (best == NONE || longTerm[p] > longTerm[best]
                    || (longTerm[p] == longTerm[best] && activeFrames[p] > activeFrames[best])) {
                best = p;
            }
        }
        return best;
    }

    private void put(int p, long frame, int bands) {
        int i = p * HISTORY + (int) Math.floorMod(frame, (long) HISTORY);
        if (slotFrame[i] == frame) {
            slotSubbands[i] = (byte) Math.max(slotSubbands[i], bands);
        } else if (slotFrame[i] < frame) {
            slotFrame[i] = frame;
            slotSubbands[i] = (byte) bands;
        }
    }

    private int read(int p, long frame) {
        int i = p * HISTORY + (int) Math.floorMod(frame, (long) HISTORY);
        return slotFrame[i] == frame ? slotSubbands[i] : 0;
    }

    private void check(int participant) {
        if (participant < 0 || participant >= maxParticipants) {
            throw new IndexOutOfBoundsException("participant " + participant + " of " + maxParticipants);
        }
    }
}
