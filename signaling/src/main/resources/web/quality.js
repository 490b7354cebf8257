// Connection quality from getStats() deltas (W3C webrtc-stats). Pure: a tile's numbers in, a
// level and a summary out, so the thresholds are in one place.

/** Levels, best first; the tile shows as many bars as good (3) .. lost (0). */
export const LEVELS = ['good', 'fair', 'poor', 'lost'];

/**
 * One interval of a received (or sent) stream: packets and bytes now and before, plus loss and
 * round-trip time. Returns {level, bitrateKbps, lossPercent, rttMs}.
 *
 * @param prev  the previous sample ({packets, lost, bytes, t} or null)
 * @param now   this sample ({packets, lost, bytes, t}: t in ms, rttMs optional)
 * @param expectMedia false while the sender says it is muted: no packets then is not a fault
 */
export function assess(prev, now, expectMedia) {
  if (!prev || !now || now.t <= prev.t) return { level: null, bitrateKbps: 0, lossPercent: 0, rttMs: now && now.rttMs };
  const seconds = (now.t - prev.t) / 1000;
  const received = Math.max(0, now.packets - prev.packets);
  const lost = Math.max(0, (now.lost || 0) - (prev.lost || 0));
  const bitrateKbps = Math.round((Math.max(0, now.bytes - prev.bytes) * 8) / seconds / 1000);
  const lossPercent = received + lost === 0 ? 0 : (100 * lost) / (received + lost);
  const rttMs = typeof now.rttMs === 'number' ? now.rttMs : null;
  let level;
  if (received === 0) level = expectMedia ? 'lost' : null;
  else if (lossPercent >= 10 || (rttMs !== null && rttMs >= 500)) level = 'poor';
  else if (lossPercent >= 2 || (rttMs !== null && rttMs >= 250)) level = 'fair';
  else level = 'good';
  return { level, bitrateKbps, lossPercent: Math.round(lossPercent * 10) / 10, rttMs };
}

/** The worse of two levels (null counts as unknown and loses to any level). */
export function worse(a, b) {
  if (a === null || a === undefined) return b === undefined ? null : b;
  if (b === null || b === undefined) return a;
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}

/** The overlay's lines for one tile. */
export function describeStats(s) {
  const lines = [];
  if (s.video) {
    lines.push(`video ${s.video.codec || '?'} ${s.video.width}x${s.video.height} ${s.video.fps || 0} fps`);
    lines.push(`  ${s.video.bitrateKbps} kbit/s, loss ${s.video.lossPercent} %`);
  }
  if (s.audio) lines.push(`audio ${s.audio.codec || '?'} ${s.audio.bitrateKbps} kbit/s, loss ${s.audio.lossPercent} %`);
  if (typeof s.rttMs === 'number') lines.push(`rtt ${Math.round(s.rttMs)} ms`);
  return lines.join('\n');
}
