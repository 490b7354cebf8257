// When to restart ICE and when to rejoin (docs/signaling.md "ICE restart"). Pure: the clock is
// passed in, so the policy is the same in tests and in the page.

/** How long a PeerConnection may stay `disconnected` before we restart ICE (it often recovers alone). */
export const DISCONNECTED_GRACE_MS = 2000;
/** Restart again if a restart has not brought the connection back within this long. */
export const RESTART_RETRY_MS = 5000;
/** Rejoin delays after the signaling socket drops: 1 s, 2 s, 4 s, then every 8 s. */
export function rejoinDelayMs(attempt) {
  return Math.min(8000, 1000 * 2 ** Math.max(0, attempt));
}

/**
 * One PeerConnection's ICE restart policy. `update(state, nowMs)` is called on every ICE state
 * change and on a timer; it returns true when a restart should be sent now.
 */
export class IceRestartPolicy {
  constructor() {
    this.badSince = null;
    this.lastRestart = null;
    this.restarts = 0;
  }

  update(state, nowMs) {
    if (state === 'connected' || state === 'completed') {
      this.badSince = null;
      this.lastRestart = null;
      return false;
    }
    // Before the first connection, checking is normal; after a restart it is not yet recovery.
    if ((state === 'new' || state === 'checking') && this.lastRestart === null) {
      this.badSince = null;
      return false;
    }
    if (state === 'closed') return false;
    if (this.badSince === null) this.badSince = nowMs;
    const due = state === 'failed' || nowMs - this.badSince >= DISCONNECTED_GRACE_MS;
    if (!due) return false;
    if (this.lastRestart !== null && nowMs - this.lastRestart < RESTART_RETRY_MS) return false;
    this.lastRestart = nowMs;
    this.restarts++;
    return true;
  }
}
