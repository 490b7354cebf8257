// The call's tiles: one per remote participant (camera and microphone, name, mute state,
// speaking, connection quality, stats), one more per screen a participant shares. DOM only; the
// session (client.js) decides what goes where.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The bars of a quality badge: a title for people, data-level for styles and tests. */
function qualityBadge() {
  const badge = el('span', 'quality');
  badge.setAttribute('role', 'img');
  for (let i = 0; i < 3; i++) badge.append(el('i'));
  return badge;
}

export function setQualityBadge(badge, level) {
  if (level) badge.dataset.level = level;
  else delete badge.dataset.level;
  badge.title = level ? `connection: ${level}` : 'connection: measuring';
  badge.setAttribute('aria-label', badge.title);
}

export class TileGrid {
  /**
   * @param container where tiles go
   * @param hooks {onVideoElement(participantId, video), onFirstFrame(participantId, via)}
   */
  constructor(container, hooks) {
    this.container = container;
    this.hooks = hooks;
    this.tiles = new Map(); // participantId -> camera tile
    this.screens = new Map(); // trackId -> screen tile
    this.trackHome = new Map(); // trackId -> {participantId, track, screen}
    this.names = new Map();
    this.audioBlocked = false;
    this.onAudioBlocked = () => {};
  }

  name(participantId) {
    return this.names.get(participantId) || participantId;
  }

  /** A participant's tile, made on first mention; updates the name. */
  participant(participantId, name) {
    if (name !== undefined) this.names.set(participantId, name || '');
    let tile = this.tiles.get(participantId);
    if (tile) {
      tile.nameEl.textContent = this.name(participantId);
      return tile;
    }
    const root = el('section', 'tile remote no-video');
    root.dataset.participantId = participantId;
    const video = el('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true; // sound comes from the <audio> element; a muted video may always autoplay
    const audio = el('audio');
    audio.autoplay = true;
    const avatar = el('div', 'avatar', initials(this.name(participantId)));
    const label = el('div', 'label');
    const mic = el('span', 'mic-off', 'muted');
    mic.title = 'microphone muted';
    mic.hidden = true;
    const nameEl = el('span', 'name', this.name(participantId));
    const quality = qualityBadge();
    setQualityBadge(quality, null);
    label.append(quality, nameEl, mic);
    const stats = el('pre', 'stats');
    stats.hidden = true;
    root.append(video, avatar, audio, label, stats);
    this.container.append(root);
    // Attached to the elements with the first track (addTrack), not before: an element playing
    // an empty stream would start the page's audio output before there is anything to hear.
    const stream = new MediaStream();
    tile = { el: root, video, audio, avatar, label, nameEl, mic, quality, stats, stream, firstFrame: false,
      sentQuality: null, sentTrackId: null, muted: { audio: false, video: false } };
    this.tiles.set(participantId, tile);
    this.hooks.onVideoElement(participantId, video);
    return tile;
  }

  remove(participantId) {
    const tile = this.tiles.get(participantId);
    if (tile) {
      this.tiles.delete(participantId);
      tile.video.srcObject = null;
      tile.audio.srcObject = null;
      tile.el.remove();
    }
    for (const [trackId, home] of [...this.trackHome]) {
      if (home.participantId === participantId) this.removeTrack(trackId);
    }
  }

  /** A received track: a screen share gets a tile of its own, the rest join the participant's. */
  addTrack(participantId, trackId, track, screen) {
    this.removeTrack(trackId);
    this.trackHome.set(trackId, { participantId, track, screen });
    track.addEventListener('ended', () => this.removeTrack(trackId));
    if (screen) {
      const root = el('section', 'tile screen');
      root.dataset.screenOf = participantId;
      root.dataset.trackId = trackId;
      const video = el('video');
      video.autoplay = true;
      video.playsInline = true;
      video.muted = true;
      video.srcObject = new MediaStream([track]);
      const label = el('div', 'label', `${this.name(participantId)}'s screen`);
      root.append(video, label);
      this.container.prepend(root);
      this.screens.set(trackId, { el: root, video, participantId });
      video.play().catch(() => {});
      return;
    }
    const tile = this.participant(participantId);
    for (const old of tile.stream.getTracks()) {
      if (old.kind === track.kind) tile.stream.removeTrack(old);
    }
    tile.stream.addTrack(track);
    if (tile.video.srcObject !== tile.stream) {
      tile.video.srcObject = tile.stream;
      tile.audio.srcObject = tile.stream;
    }
    this.refresh(tile);
    if (track.kind === 'video') this.watchFirstFrame(participantId, tile);
    tile.video.play().catch(() => {});
    tile.audio.play().catch((e) => {
      if (e && e.name === 'NotAllowedError' && !this.audioBlocked) {
        this.audioBlocked = true;
        this.onAudioBlocked(true);
        document.addEventListener('click', () => {
          this.audioBlocked = false;
          this.onAudioBlocked(false);
          for (const t of this.tiles.values()) t.audio.play().catch(() => {});
        }, { once: true });
      }
    });
  }

  removeTrack(trackId) {
    const home = this.trackHome.get(trackId);
    if (!home) return;
    this.trackHome.delete(trackId);
    const screen = this.screens.get(trackId);
    if (screen) {
      this.screens.delete(trackId);
      screen.video.srcObject = null;
      screen.el.remove();
      return;
    }
    const tile = this.tiles.get(home.participantId);
    if (tile && tile.stream.getTracks().includes(home.track)) {
      tile.stream.removeTrack(home.track);
      this.refresh(tile);
    }
  }

  /** The sender muted or unmuted a track (docs/signaling.md `trackMuted`). */
  setMuted(participantId, kind, muted) {
    const tile = this.participant(participantId);
    tile.muted[kind] = muted;
    this.refresh(tile);
  }

  refresh(tile) {
    const hasVideo = tile.stream.getVideoTracks().length > 0 && !tile.muted.video;
    tile.el.classList.toggle('no-video', !hasVideo);
    tile.el.classList.toggle('video-muted', tile.muted.video);
    tile.el.dataset.videoMuted = String(tile.muted.video);
    tile.el.dataset.audioMuted = String(tile.muted.audio);
    tile.mic.hidden = !tile.muted.audio;
    tile.avatar.textContent = initials(this.name(tile.el.dataset.participantId));
  }

  watchFirstFrame(participantId, tile) {
    if (tile.firstFrame || tile.watching) return;
    tile.watching = true;
    const done = (via) => {
      if (tile.firstFrame) return;
      tile.firstFrame = true;
      this.hooks.onFirstFrame(participantId, via);
    };
    const onData = () => {
      if (tile.video.videoWidth > 0) done('loadeddata');
      else tile.video.addEventListener('resize', () => done('resize'), { once: true });
    };
    tile.video.addEventListener('loadeddata', onData, { once: true });
    if (typeof tile.video.requestVideoFrameCallback === 'function') {
      tile.video.requestVideoFrameCallback(() => done('videoFrame'));
    }
  }

  /** docs/signaling.md `activeSpeakers`: the dominant speaker first. */
  setSpeakers(speakers, localId, localEl) {
    for (const [id, tile] of this.tiles) {
      tile.el.classList.toggle('speaking', speakers.includes(id));
      tile.el.classList.toggle('dominant', speakers[0] === id);
    }
    if (localEl) {
      localEl.classList.toggle('speaking', speakers.includes(localId));
      localEl.classList.toggle('dominant', speakers[0] === localId);
    }
  }

  setPaused(participantId, paused) {
    const tile = this.tiles.get(participantId);
    if (tile) tile.el.classList.toggle('paused', paused);
  }

  setQuality(participantId, level) {
    const tile = this.tiles.get(participantId);
    if (tile) setQualityBadge(tile.quality, level);
  }

  setStats(participantId, text, visible) {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    tile.stats.textContent = text;
    tile.stats.hidden = !visible;
  }

  ids() {
    return [...this.tiles.keys()];
  }

  /** [{participantId, trackId, width, height}] of the screen tiles. */
  screenTiles() {
    return [...this.screens.entries()].map(([trackId, s]) => ({
      participantId: s.participantId, trackId, width: s.video.videoWidth, height: s.video.videoHeight,
    }));
  }

  /** participantId -> {audio: trackId, video: trackId} as received, for stats. */
  homeOf(trackId) {
    return this.trackHome.get(trackId) || null;
  }

  clear() {
    for (const id of [...this.tiles.keys()]) this.remove(id);
    for (const trackId of [...this.screens.keys()]) this.removeTrack(trackId);
  }
}

export function initials(name) {
  const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => [...w][0].toUpperCase()).join('');
  return letters || '?';
}
