package dev.relay.sfu.bwe;

/**
 * The probe clusters of one Transport: starts them, tells the caller how much padding keeps the
 * one being sent on its rate, collects feedback per cluster and hands out the results.
 *
 * <p>Ids count up from 0; a cluster lives in slot {@code id % }{@link #SLOTS}, so feedback for a
 * cluster whose slot a newer one took is ignored. One cluster is sent at a time: starting one
 * ends the sending of the last. A cluster gives its result once feedback has reported all its
 * packets, or gives up {@link #RESULT_TIMEOUT_NANOS} after it started (feedback lost, or the
 * caller never sent its padding).
 *
 * <p>Pure logic over the caller's timestamps; allocates nothing after construction.
 */
final class ProbeController {
    static final int SLOTS = 4;
    static final long RESULT_TIMEOUT_NANOS = 1_000_000_000L;
    /** A caller that has not completed a cluster by then is not sending padding: stop asking. */
    static final long MAX_SENDING_NANOS = 500_000_000L;

    private final ProbeCluster[] clusters = new ProbeCluster[SLOTS];
    private int nextId;
    private int sendingSlot = -1;
    private long lastResultBps;

    ProbeController() {
        for (int i = 0; i < SLOTS; i++) {
            clusters[i] = new ProbeCluster();
        }
    }

    /** @return the new cluster's id, from now on the one being sent. */
    int start(long targetBps, long nowNanos) {
        if (sendingSlot >= 0) {
            clusters[sendingSlot].stopSending();
        }
        int id = nextId;
        nextId = (nextId + 1) & Integer.MAX_VALUE;
        int slot = id % SLOTS;
        clusters[slot].start(id, targetBps, nowNanos);
        sendingSlot = slot;
        return id;
    }

    /** @return the id of the cluster being sent at {@code nowNanos}, or -1. */
    int sendingCluster(long nowNanos) {
        if (sendingSlot < 0) {
            return -1;
        }
        ProbeCluster c = clusters[sendingSlot];
        if (nowNanos - c.startNanos() > MAX_SENDING_NANOS) {
            c.stopSending();
        }
        if (c.finishSending(nowNanos)) {
            sendingSlot = -1;
            return -1;
        }
        return c.id();
    }

    /** @return padding bytes due now to keep the cluster being sent on its rate; 0 if none. */
    int bytesDue(long nowNanos) {
        if (sendingCluster(nowNanos) < 0) {
            return 0;
        }
        return (int)Math.min(Integer.MAX_VALUE, clusters[sendingSlot].bytesBehind(nowNanos));
    }

    void onSent(int cluster, int bytes, long sendNanos) {
        ProbeCluster c = find(cluster);
        if (c != null && c.sending()) {
            c.onSent(bytes, sendNanos);
        }
    }

    void onAcked(int cluster, int bytes, long arrivalNanos) {
        ProbeCluster c = find(cluster);
        if (c != null) {
            c.onAcked(bytes, arrivalNanos);
        }
    }

    void onLost(int cluster) {
        ProbeCluster c = find(cluster);
        if (c != null) {
            c.onLost();
        }
    }

    /**
     * Retires every cluster that is complete or timed out.
     *
     * @return the highest result among them in bits per second, 0 when none gave one.
     */
    long takeResult(long nowNanos) {
        long best = 0;
        for (int i = 0; i < SLOTS; i++) {
            ProbeCluster c = clusters[i];
            if (c.id() < 0 || i == sendingSlot && c.sending()) {
                continue;
            }
            boolean timedOut = nowNanos - c.startNanos() > RESULT_TIMEOUT_NANOS;
            if (c.allReported() || timedOut) {
                long result = c.resultBps();
                if (result > 0) {
                    lastResultBps = result;
                }
                best = Math.max(best, result);
                c.clear();
            }
        }
        return best;
    }

    /** @return the last result any cluster gave, 0 before the first. */
    long lastResultBps() {
        return lastResultBps;
    }

    private ProbeCluster find(int cluster) {
        if (cluster < 0) {
            return null;
        }
        ProbeCluster c = clusters[cluster % SLOTS];
        return c.id() == cluster ? c : null;
    }
}
