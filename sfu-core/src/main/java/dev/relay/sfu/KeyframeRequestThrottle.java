package dev.relay.sfu;

/**
 * At most one keyframe request (PLI, RFC 4585 §6.3.1) per interval towards one publisher's
 * stream, however many subscribers ask (docs/architecture.md "Keyframes"). A request inside the
 * interval is held, not lost: it goes out when the interval has passed. Pure logic over the
 * caller's clock.
 */
final class KeyframeRequestThrottle {
    private final long intervalNanos;
    private boolean everSent;
    private long lastSentNanos;
    private boolean held;

    KeyframeRequestThrottle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** A keyframe is wanted: true if a request should go out now; otherwise it is held. */
    boolean request(long nowNanos) {
        if (!everSent || nowNanos - lastSentNanos >= intervalNanos) {
            everSent = true;
            lastSentNanos = nowNanos;
            held = false;
            return true;
        }
        held = true;
        return false;
    }

    boolean isHeld() {
        return held;
    }

    /** True (and the request released) if one is held and its interval has passed. */
    boolean releaseDue(long nowNanos) {
        if (held && nowNanos - lastSentNanos >= intervalNanos) {
            held = false;
            lastSentNanos = nowNanos;
            return true;
        }
        return false;
    }
}
