// The publish PeerConnection (docs/signaling.md): we offer our camera, microphone and a shared
// screen, the relay answers. Owns the senders, their mute state and the order of negotiations
// (one offer at a time: a screen share, a mute-free renegotiation and an ICE restart never overlap).

export class Publisher {
  /**
   * @param side  the publish side of client.js ({pc}), whose PeerConnection this negotiates
   * @param hooks {record, request(type, fields, replyType), startTrickle(), onRejected({mid, kind, reason}),
   *               simulcastEncodings (or null), videoCodec ('' for the browser's choice)}
   */
  constructor(side, hooks) {
    this.side = side;
    this.hooks = hooks;
    this.senders = { audio: null, video: null, screen: null };
    this.muted = { audio: false, video: false };
    this.stream = null;
    this.screen = null;
    this.chain = Promise.resolve();
    this.layersQueue = Promise.resolve();
  }

  get pc() {
    return this.side.pc;
  }

  /**
   * The session ended and its PeerConnection closed: what was queued on it is dropped. A closed
   * PeerConnection never settles the createOffer or setLocalDescription it had pending (W3C
   * WebRTC 1.0, "operations chain": a closed connection aborts them without settling), so a
   * negotiation caught by the close would hold every later one, the next session's first publish
   * included (a room that moves within a second of its join does that).
   */
  restart() {
    this.chain = Promise.resolve();
    this.layersQueue = Promise.resolve();
  }

  /** Runs `task` after every negotiation queued before it, whether those failed or not. */
  queue(task) {
    this.chain = this.chain.catch(() => {}).then(task);
    return this.chain;
  }

  /**
   * Publishes `stream` (and the screen, if one is shared) on the side's new PeerConnection:
   * audio first, then video, one sendonly transceiver each, in the stream that the relay will
   * name after our participantId when it forwards them. A muted kind starts without media.
   */
  publish(stream) {
    return this.queue(async () => {
      this.stream = stream;
      this.senders = { audio: null, video: null, screen: null };
      for (const track of [...stream.getAudioTracks(), ...stream.getVideoTracks()]) {
        const init = { direction: 'sendonly', streams: [stream] };
        if (this.hooks.simulcastEncodings && track.kind === 'video') init.sendEncodings = this.hooks.simulcastEncodings;
        const transceiver = this.pc.addTransceiver(track, init);
        this.senders[track.kind] = transceiver.sender;
        // Added with its track so that the offer's msid names it; muted, it sends nothing.
        if (this.muted[track.kind]) await transceiver.sender.replaceTrack(null);
        if (track.kind === 'video') this.preferVideoCodec(transceiver);
      }
      if (this.screen) this.addScreenTransceiver();
      await this.negotiate(false);
    });
  }

  /** ICE restart (RFC 8445 §9): an offer with new ICE credentials; the relay answers with its own. */
  restartIce() {
    return this.queue(() => this.negotiate(true));
  }

  /**
   * Mutes or unmutes 'audio' or 'video': the sender gets no track, so nothing is encoded or sent.
   * Returns the track (whose id the relay knows the track by), or null without one.
   */
  async setMuted(kind, muted) {
    this.muted[kind] = muted;
    const track = this.stream && (kind === 'audio' ? this.stream.getAudioTracks()[0] : this.stream.getVideoTracks()[0]);
    if (track) track.enabled = !muted;
    const sender = this.senders[kind];
    if (sender && this.pc && this.pc.signalingState !== 'closed') await sender.replaceTrack(muted ? null : track);
    return track || null;
  }

  /** Adds a shared screen as a second video (its own m-section) and renegotiates. */
  addScreen(stream) {
    this.screen = stream;
    return this.queue(async () => {
      if (!this.pc || this.pc.signalingState === 'closed' || this.screen !== stream) return;
      this.addScreenTransceiver();
      await this.negotiate(false);
    });
  }

  /** Stops the screen's transceiver: offered with port 0, the relay unpublishes it without comment. */
  removeScreen() {
    this.screen = null;
    const pc = this.pc;
    const transceiver = pc && pc.getTransceivers().find((t) => t.sender === this.senders.screen);
    this.senders.screen = null;
    if (!transceiver || pc.signalingState === 'closed') return Promise.resolve();
    return this.queue(async () => {
      transceiver.stop();
      await this.negotiate(false);
    });
  }

  isScreen(sender) {
    return !!sender && sender === this.senders.screen;
  }

  addScreenTransceiver() {
    const track = this.screen.getVideoTracks()[0];
    // Text on a screen must stay legible: keep the resolution and give up frame rate instead
    // (libwebrtc reads the content hint as its degradation preference).
    if ('contentHint' in track) track.contentHint = 'detail';
    const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [this.screen] });
    this.senders.screen = transceiver.sender;
    this.preferVideoCodec(transceiver);
  }

  /** What `publish` says about each track (docs/signaling.md): which is a screen, which starts muted. */
  trackOptions() {
    const out = [];
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.stopped || transceiver.currentDirection === 'stopped') continue;
      const sender = transceiver.sender;
      const kind = sender === this.senders.audio ? 'audio' : sender === this.senders.video ? 'video'
        : sender === this.senders.screen ? 'screen' : null;
      if (!kind) continue;
      const track = kind === 'audio' ? this.stream.getAudioTracks()[0]
        : kind === 'video' ? this.stream.getVideoTracks()[0] : this.screen && this.screen.getVideoTracks()[0];
      if (!track) continue;
      out.push({ trackId: track.id, source: kind === 'audio' ? 'microphone' : kind === 'video' ? 'camera' : 'screen',
        muted: kind === 'screen' ? false : this.muted[kind] });
    }
    return out;
  }

  /** One offer/answer; `iceRestart` asks for new ICE credentials. */
  async negotiate(iceRestart) {
    const pc = this.pc;
    if (!pc || pc.signalingState === 'closed') return;
    const { record } = this.hooks;
    await pc.setLocalDescription(await pc.createOffer(iceRestart ? { iceRestart: true } : {}));
    // The msid of a muted track (no track on its sender) still names it: the relay keys mute by it.
    record('publish-offer', { sdp: pc.localDescription.sdp, iceRestart });
    const reply = this.hooks.request('publish', { sdp: pc.localDescription.sdp, tracks: this.trackOptions() }, 'publishAnswer');
    this.hooks.startTrickle(); // the offer is on the wire now
    let answer;
    try {
      answer = await reply;
    } catch (e) {
      // Back to stable, so that the next attempt (an ICE restart retry, a rejoin) can offer again.
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      throw e;
    }
    record('publish-answer');
    // Sections the relay turned down come with a reason (docs/signaling.md): say so, never silently.
    for (const r of answer.rejected || []) {
      record('publish-rejected', { mid: r.mid, kind: r.kind, reason: r.reason });
      this.hooks.onRejected(r);
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    record('publish-answer-applied');
  }

  /**
   * Dynacast (docs/signaling.md `publishLayers`): the relay says which of our encodings someone
   * receives; the others stop (`active: false`) and come back when asked. One at a time: each
   * setParameters must follow its own getParameters.
   */
  applyLayers(msg) {
    this.layersQueue = this.layersQueue.then(() => this.setLayers(msg))
      .catch((e) => this.hooks.record('publish-layers-failed', { trackId: msg.trackId, error: String(e) }));
    return this.layersQueue;
  }

  async setLayers(msg) {
    const { record } = this.hooks;
    const sender = this.pc && this.pc.getSenders().find((s) => s.track && s.track.id === msg.trackId);
    if (!sender) {
      record('publish-layers-unknown-track', { trackId: msg.trackId });
      return;
    }
    const p = sender.getParameters();
    const layers = Array.isArray(msg.layers) ? msg.layers : [];
    let changed = false;
    (p.encodings || []).forEach((encoding, i) => {
      const layer = layers.find((l) => l && (l.rid || null) === (encoding.rid || null)) || layers[i];
      if (layer && typeof layer.active === 'boolean' && encoding.active !== layer.active) {
        encoding.active = layer.active;
        changed = true;
      }
    });
    if (changed) await sender.setParameters(p);
    record('publish-layers', {
      trackId: msg.trackId,
      active: (p.encodings || []).map((e) => `${e.rid || '-'}:${e.active}`).join(' '),
    });
  }

  /** Puts the preferred codec (and its RTX) first in the transceiver's offer; unknown names change nothing. */
  preferVideoCodec(transceiver) {
    const name = this.hooks.videoCodec;
    if (!name) return;
    const { record } = this.hooks;
    if (typeof transceiver.setCodecPreferences !== 'function' || !window.RTCRtpReceiver
        || typeof RTCRtpReceiver.getCapabilities !== 'function') {
      record('codec-preference-unsupported', { codec: name });
      return;
    }
    const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
    const wanted = codecs.filter((c) => c.mimeType.toLowerCase() === `video/${name}`);
    if (wanted.length === 0) {
      record('codec-preference-unavailable', { codec: name });
      return;
    }
    transceiver.setCodecPreferences([...wanted, ...codecs.filter((c) => !wanted.includes(c))]);
    record('codec-preference', { codec: name });
  }
}
