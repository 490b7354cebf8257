// Reads what the web client needs from the relay's subscribe offer: which participant and track
// each m-section carries. Pure.

/**
 * mid -> {participantId, trackId} from each m-section's a=mid and a=msid (RFC 8830: the relay
 * writes a=msid:<participantId> <trackId>). Sections without a=msid are left out.
 */
export function tracksByMid(sdp) {
  const out = new Map();
  if (typeof sdp !== 'string') return out;
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /\r?\na=mid:(\S+)/.exec(section);
    const msid = /\r?\na=msid:(\S+) (\S+)/.exec(section);
    if (mid && msid) out.set(mid[1], { participantId: msid[1], trackId: msid[2] });
  }
  return out;
}

/** The a=ice-ufrag of the first m-section (or session level), or null. */
export function iceUfrag(sdp) {
  const m = typeof sdp === 'string' ? /a=ice-ufrag:(\S+)/.exec(sdp) : null;
  return m ? m[1] : null;
}
