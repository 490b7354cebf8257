// Reading getStats() (W3C webrtc-stats) for the page: what each remote participant's streams
// delivered, what we send, and the JSON summary window.relay.stats() hands to tests.

const open = (pc) => !!pc && pc.signalingState !== 'closed';

/**
 * One sample per remote participant of what arrived: participantId -> {audio, video}, each
 * {packets, lost, bytes, t, rttMs, codec, width, height, fps, muted}; screens left out.
 *
 * @param homeOf (inbound-rtp stat) -> {participantId, source, muted} or null
 */
export async function receivedSamples(pc, homeOf, now) {
  const per = new Map();
  if (!open(pc)) return per;
  const report = await pc.getStats();
  let rttMs = null;
  report.forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
      rttMs = s.currentRoundTripTime * 1000;
    }
  });
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    const home = homeOf(s);
    if (!home || home.source === 'screen') return;
    const codec = s.codecId ? report.get(s.codecId) : null;
    const entry = per.get(home.participantId) || {};
    entry[s.kind] = {
      packets: s.packetsReceived || 0, lost: s.packetsLost || 0, bytes: s.bytesReceived || 0, t: now, rttMs,
      codec: codec ? codec.mimeType.split('/')[1] : null, width: s.frameWidth || 0, height: s.frameHeight || 0,
      fps: Math.round(s.framesPerSecond || 0), muted: !!home.muted,
    };
    per.set(home.participantId, entry);
  });
  per.rttMs = rttMs;
  return per;
}

/** What we send, summed over our streams, with the loss and RTT the relay reports back (RTCP RR). */
export async function sentSample(pc, now) {
  if (!open(pc)) return null;
  const report = await pc.getStats();
  const out = { packets: 0, bytes: 0, lost: 0, t: now, rttMs: null };
  report.forEach((s) => {
    if (s.type === 'outbound-rtp') {
      out.packets += s.packetsSent || 0;
      out.bytes += s.bytesSent || 0;
    } else if (s.type === 'remote-inbound-rtp') {
      out.lost += s.packetsLost || 0;
      if (typeof s.roundTripTime === 'number') out.rttMs = s.roundTripTime * 1000;
    }
  });
  return out;
}

/**
 * The path ICE selected for `pc`: the local candidate's {protocol ('udp' or 'tcp'), candidateType
 * ('host', 'srflx', 'relay'), relayProtocol (how a relay candidate reaches its TURN server)}, or
 * null before one is selected. Chromium names the pair in the transport stat; Firefox marks it
 * `selected`.
 */
export async function selectedPath(pc) {
  if (!open(pc)) return null;
  const report = await pc.getStats();
  let pair = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) || pair;
  });
  if (!pair) {
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.selected) pair = s;
    });
  }
  const local = pair && pair.localCandidateId ? report.get(pair.localCandidateId) : null;
  if (!local) return null;
  return { protocol: local.protocol, candidateType: local.candidateType, relayProtocol: local.relayProtocol || null };
}

/**
 * window.relay.stats(): {publishState, subscribeState, inbound: [...], outbound: [...],
 * paths: {publish, subscribe}} (paths: selectedPath of each PeerConnection).
 *
 * @param who {participantOf(receiverTrackId), sourceOf(receiver), departed(participantId), isScreen(sender)}
 */
export async function summarize(publishPc, subscribePc, who) {
  const summary = {
    publishState: publishPc ? publishPc.connectionState : 'new',
    subscribeState: subscribePc ? subscribePc.connectionState : 'new',
    inbound: [],
    outbound: [],
    paths: { publish: await selectedPath(publishPc), subscribe: await selectedPath(subscribePc) },
  };
  if (open(subscribePc)) {
    for (const receiver of subscribePc.getReceivers()) {
      const track = receiver.track;
      const participantId = track ? who.participantOf(track.id) : undefined;
      if (!participantId || who.departed(participantId)) continue;
      const source = who.sourceOf(receiver);
      const report = await receiver.getStats();
      let found = false;
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        found = true;
        const codec = s.codecId ? report.get(s.codecId) : undefined;
        summary.inbound.push({
          participantId,
          kind: s.kind || track.kind,
          source,
          framesDecoded: s.framesDecoded || 0,
          packetsReceived: s.packetsReceived || 0,
          bytesReceived: s.bytesReceived || 0,
          codec: codec ? codec.mimeType : null,
          frameWidth: s.frameWidth || 0,
          frameHeight: s.frameHeight || 0,
          freezeCount: s.freezeCount || 0,
          totalFreezesDuration: s.totalFreezesDuration || 0, // seconds
          framesDropped: s.framesDropped || 0,
          packetsLost: s.packetsLost || 0,
          nackCount: s.nackCount || 0, // NACKs this receiver sent
          retransmittedPacketsReceived: s.retransmittedPacketsReceived || 0,
          concealedSamples: s.concealedSamples || 0, // audio: samples the decoder made up
          totalSamplesReceived: s.totalSamplesReceived || 0,
        });
      });
      // No inbound-rtp until the first packet: report the track with zeros.
      if (!found) {
        summary.inbound.push({ participantId, kind: track.kind, source, framesDecoded: 0, packetsReceived: 0, bytesReceived: 0 });
      }
    }
  }
  if (open(publishPc)) {
    for (const sender of publishPc.getSenders()) {
      if (!sender.track) continue;
      const report = await sender.getStats();
      report.forEach((s) => {
        if (s.type !== 'outbound-rtp') return;
        const source = s.mediaSourceId ? report.get(s.mediaSourceId) : undefined;
        summary.outbound.push({
          kind: s.kind || sender.track.kind,
          source: who.isScreen(sender) ? 'screen' : null,
          packetsSent: s.packetsSent || 0,
          framesEncoded: s.framesEncoded || 0, // 0 for audio
          rid: s.rid || null, // the simulcast layer
          frameWidth: s.frameWidth || 0,
          // audio: what the microphone captured (getStats media-source), 0 for digital silence
          audioEnergy: source && source.totalAudioEnergy ? source.totalAudioEnergy : 0,
        });
      });
    }
  }
  return summary;
}
