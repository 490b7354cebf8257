package dev.relay.sfu;

import java.util.ArrayList;
import java.util.List;

/**
 * SRTP/SRTCP that reached a Transport before its keys did. A browser sends media as soon as it
 * has the relay's DTLS Finished, while the relay's handshake thread is still exporting the keys
 * (RFC 5764 §4.2) and handing them to the worker: without this, the first packets of every
 * stream (a keyframe's start) are lost. A few are held, copied, and replayed in order once the
 * keys are installed; beyond {@link #MAX_PACKETS} they are dropped and counted. Allocates only in
 * that window, never in steady state. Owned by the Router's worker.
 */
final class EarlyMedia {
    /** About 200 ms of audio and a keyframe at startup bitrates. */
    static final int MAX_PACKETS = 64;

    /** One held datagram, still protected. */
    record Held(boolean rtcp, byte[] datagram, long receiveNanos) {
    }

    private final List<Held> held = new ArrayList<>();

    /** Copies the datagram if there is room; false (the caller counts the drop) if not. */
    boolean hold(boolean rtcp, byte[] buf, int off, int len, long receiveNanos) {
        if (held.size() >= MAX_PACKETS) {
            return false;
        }
        // Room after the datagram is not needed: unprotect only shrinks it.
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        held.add(new Held(rtcp, copy, receiveNanos));
        return true;
    }

    List<Held> packets() {
        return held;
    }
}
