package dev.relay.sfu.bwe;

/**
 * A one-way path through a token bucket shaper, as Linux {@code tc qdisc ... tbf rate R burst B
 * latency L} builds it: a packet leaves once the bucket holds tokens for its bytes; tokens come
 * at the rate and pile up to the burst while the path is idle, so after a pause the first burst
 * bytes leave at the wire speed. A packet that would wait longer than the latency is dropped
 * (tbf's queue limit is rate * latency beyond the burst). Then a fixed propagation delay.
 *
 * <p>This is the path on which short probes fit inside the burst and measure the wire, not the
 * rate. Deterministic; allocates nothing per packet.
 */
final class TokenBucketLink implements Link {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long rateBps;
    private final long wireBps;
    /** Tokens in bit-nanoseconds per second (bits * 10^9), so that refilling stays exact. */
    private final long burstScaled;
    private final long latencyNanos;
    private final long propagationNanos;
    private long tokensScaled;
    private long tokensAt;
    private long wireFreeAt;
    private long drops;

    TokenBucketLink(long rateBps, int burstBytes, long latencyNanos, long wireBps, long propagationNanos) {
        this.rateBps = rateBps;
        this.wireBps = wireBps;
        this.burstScaled = burstBytes * 8L * NANOS_PER_SECOND;
        this.latencyNanos = latencyNanos;
        this.propagationNanos = propagationNanos;
        this.tokensScaled = burstScaled;
    }

    @Override
    public long send(int bytes, long sendNanos) {
        // FIFO: nothing leaves before the packet ahead of it has left.
        long start = Math.max(sendNanos, wireFreeAt);
        long tokens = Math.min(burstScaled, tokensScaled + (start - tokensAt) * rateBps);
        long need = bytes * 8L * NANOS_PER_SECOND;
        long wait = tokens >= need ? 0 : (need - tokens + rateBps - 1) / rateBps;
        long leave = start + wait;
        if (leave - sendNanos > latencyNanos) {
            drops++;
            return DROPPED;
        }
        tokensScaled = tokens + wait * rateBps - need;
        tokensAt = leave;
        wireFreeAt = leave + bytes * 8L * NANOS_PER_SECOND / wireBps;
        return wireFreeAt + propagationNanos;
    }

    long drops() {
        return drops;
    }
}
