// relay web client (docs/signaling.md): a join screen, then a call with one tile per participant.
//
// URL options (all optional): ?room=NAME joins at once, without the join screen (links and tests
// use it); ?name=, ?token=JWT (the access token on a relay with API keys, passed on as
// ?access_token=; its room is used when the URL names none, and a token without canPublish only
// watches), ?simulcast=1, ?quality=low|medium|high, ?videoCodec=vp8|vp9|h264|av1.
//
// Two RTCPeerConnections, so that offers never collide:
//   publish   - we offer camera, microphone and a shared screen (sendonly), the relay answers;
//   subscribe - the relay offers everyone else's tracks, we answer.
// Each forwarded track carries a=msid:<participantId> <trackId> (sdp.js), so each m-section names
// the participant and track it carries.
//
// Recovery: a PeerConnection that stays disconnected restarts ICE (recovery.js): the publish side
// with a new offer, the subscribe side by asking the relay (`restartIce`). A dropped signaling
// socket rejoins the room with the same camera and microphone.
//
// window.relay is a small API for tests and for the console (see the bottom of this file).

import { describeError, mayRejoinAfter, ERROR_CODES } from './errors.js';
import { tracksByMid } from './sdp.js';
import { assess, worse, describeStats } from './quality.js';
import { IceRestartPolicy, rejoinDelayMs } from './recovery.js';
import { TileGrid, setQualityBadge } from './tiles.js';
import { JoinScreen } from './joinscreen.js';
import { SignalingSocket } from './signaling.js';
import { receivedSamples, sentSample, summarize } from './stats.js';
import { Publisher } from './publisher.js';

const LEAVE_TIMEOUT_MS = 2000;
const STATS_INTERVAL_MS = 1000;
// Same rule as the relay's `join` validation, checked here to fail before opening a socket.
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
// The relay is ICE-lite and puts its host candidates (UDP, then ICE-TCP) into every SDP; TURN
// servers come from `joined` when the relay has them (docs/signaling.md "TURN"), and
// ?iceTransport=relay uses only those (what a network that allows nothing but HTTPS leaves).
const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] };
if (new URLSearchParams(location.search).get('iceTransport') === 'relay') PC_CONFIG.iceTransportPolicy = 'relay';

/** `joined.iceServers`: kept for PeerConnections made later, applied to those that exist. */
function useIceServers(servers) {
  if (!Array.isArray(servers)) return;
  PC_CONFIG.iceServers = servers.filter((s) => s && Array.isArray(s.urls))
    .map((s) => ({ urls: s.urls.map(String), username: str(s.username) || undefined, credential: str(s.credential) || undefined }));
  for (const side of [publish, subscribe]) {
    if (side.pc && side.pc.signalingState !== 'closed') side.pc.setConfiguration(PC_CONFIG);
  }
  record('ice-servers', { count: PC_CONFIG.iceServers.length, policy: PC_CONFIG.iceTransportPolicy || 'all' });
}
const params = new URLSearchParams(location.search);
// ?simulcast=1: send the camera as three layers (RFC 8853), lowest first as the relay expects
// (docs/signaling.md "Publish offers"); the relay forwards each subscriber one layer.
const simulcast = params.get('simulcast') === '1';
const MEDIA_CONSTRAINTS = simulcast
  ? { audio: true, video: { width: 1280, height: 720 } }
  : { audio: true, video: { width: 640, height: 480 } };
// ?quality=low|medium|high: the simulcast layer to ask for from every publisher; without it the
// client asks by each tile's size (setSubscription, docs/signaling.md).
const fixedQuality = ['low', 'medium', 'high'].includes(params.get('quality')) ? params.get('quality') : null;
const SIMULCAST_ENCODINGS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1500000 },
];
const accessToken = params.get('token');
const tokenGrant = readGrant(accessToken);
let roomName = params.get('room') || (tokenGrant && typeof tokenGrant.room === 'string' ? tokenGrant.room : null);
let displayName = (params.get('name') || '').slice(0, 64);
// ?videoCodec=vp8|vp9|h264|av1: the codec this client prefers to send (docs/interop.md); the
// relay takes the offerer's first choice among the codecs it forwards.
const preferredVideoCodec = (params.get('videoCodec') || '').toLowerCase();
// LiveKit's defaults: an absent canPublish means true; hidden participants never publish.
const mayPublish = !tokenGrant || (tokenGrant.canPublish !== false && tokenGrant.hidden !== true);

/**
 * The token's `video` grant, read without verifying (the relay does that): only to choose the
 * room and whether to ask for the camera. Null without a token or if it does not decode.
 */
function readGrant(token) {
  if (!token) return null;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims.video === 'object' ? claims.video : null;
  } catch (e) {
    return null;
  }
}

const $ = (id) => document.getElementById(id);
const statusEl = $('status');
const errorEl = $('error');

// ---- event log: performance.now() timestamps, for measuring join-to-first-frame ----

const eventLog = [];

function record(event, detail) {
  const entry = { t: Math.round(performance.now() * 10) / 10, event, ...detail };
  eventLog.push(entry);
  console.info('[relay]', JSON.stringify(entry));
}

// ---- status line and error banner ----

let phase = 'loading';
let lastError = null;

function setPhase(text) {
  phase = text;
  renderStatus();
}

function fail(where, err) {
  const message = err && err.message ? err.message : String(err);
  lastError = `${where}: ${message}`;
  record('error', { where, message });
  renderStatus();
}

/** Shows an error for people (errors.js) in the banner; the status line keeps the details. */
function showError(text) {
  errorEl.textContent = text;
  errorEl.hidden = !text;
  if (text) record('error-shown', { text });
}

function renderStatus() {
  const parts = [phase];
  if (publish.pc) parts.push(`publish ${publish.pc.connectionState}`);
  if (subscribe.pc) parts.push(`subscribe ${subscribe.pc.connectionState}`);
  if (grid.audioBlocked) parts.push('click the page to hear audio');
  if (lastError) parts.push(`error ${lastError}`);
  statusEl.textContent = parts.join(' | ');
  statusEl.classList.toggle('error', lastError !== null);
}

// ---- tiles ----

const grid = new TileGrid($('remotes'), {
  onVideoElement: (participantId, video) => {
    if (tileResizes) tileResizes.observe(video);
    updateSubscription(participantId);
  },
  onFirstFrame: (participantId, via) => {
    const sinceJoinMs = relay.joinedAt === null ? null : Math.round(performance.now() - relay.joinedAt);
    record('first-frame', { participantId, via, sinceJoinMs });
  },
});
grid.onAudioBlocked = () => renderStatus();

// ---- signaling (signaling.js) ----

let socket = null;
let leaving = null;
// The relay's last error that ends a session (unauthorized, ice_failed, ...), to explain the close.
let refusal = null;

// docs/scale-out.md "Redirect": the relay node that holds our room, when another node told us.
// Each rejoin starts at the page's own relay again: the room's node may have died since, and the
// page's relay knows where the room is now.
let redirectedTo = null;

function signalingUrl() {
  // Resolved against the page, so /ws when the page is served at /; or the node holding the room.
  const url = redirectedTo ? new URL(redirectedTo) : new URL('ws', location.href);
  if (!redirectedTo) url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  if (accessToken) url.searchParams.set('access_token', accessToken);
  // The relay ignores it; a load balancer in front of several relays hashes on it so that
  // everyone in a room reaches the same one (helm/relay, docs/operations.md "Room affinity").
  if (roomName) url.searchParams.set('room', roomName);
  return url.href;
}

function openSocket() {
  const opened = new SignalingSocket(signalingUrl(), {
    record,
    onMessage,
    closeError: (ev) => new Error(refusal && refusal.code === 'unauthorized'
      ? `not allowed in: ${refusal.message} (${refusal.reason || refusal.code})`
      : `signaling closed (code ${ev.code})`),
    // A socket we replaced (a redirect) closing is no loss.
    onClose: (err) => { if (!leaving && socket === opened) onSocketLost(err); },
  });
  socket = opened;
  return socket.open();
}

const socketOpen = () => !!socket && socket.isOpen();
const send = (msg) => (socket ? socket.send(msg) : false);
const request = (type, fields, replyType, timeoutMs) => (socket
  ? socket.request(type, fields, replyType, timeoutMs)
  : Promise.reject(new Error(`cannot send '${type}': signaling is not open`)));
const notify = (type, fields) => (socket ? socket.notify(type, fields) : false);
const settle = (msg) => (socket ? socket.settle(msg) : false);

/** A string the relay sent, or null: everything from the wire is checked before use. */
const str = (v) => (typeof v === 'string' ? v : null);

function onMessage(data) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch (e) {
    fail('signaling', new Error('relay sent a frame that is not JSON'));
    return;
  }
  if (msg === null || typeof msg !== 'object') {
    fail('signaling', new Error('relay sent a frame that is not a JSON object'));
    return;
  }
  switch (msg.type) {
    case 'joined':
      // Before the first subscribeOffer (the next message) reaches the subscribe PeerConnection.
      useIceServers(msg.iceServers);
      if (!settle(msg)) record('unexpected-reply', { type: msg.type });
      break;
    case 'publishAnswer':
    case 'left':
      if (!settle(msg)) record('unexpected-reply', { type: msg.type });
      break;
    case 'pong':
      settle(msg);
      break;
    case 'error':
      record('relay-error', { code: msg.code, reason: msg.reason, message: msg.message, requestType: msg.requestType });
      if (msg.code === 'unauthorized' || msg.code === 'ice_failed' || msg.code === 'rate_limited'
          || msg.code === 'room_moved') refusal = msg;
      showError(describeError(msg));
      if (!settle(msg)) {
        fail(`relay (${msg.requestType || 'unknown request'})`, new Error(`${msg.code}: ${msg.message}`));
      }
      break;
    case 'subscribeOffer':
      onSubscribeOffer(msg);
      break;
    case 'trackUnsupported':
      // Our browser refused a track's codec (docs/signaling.md): say so instead of an empty tile.
      record('track-unsupported', { participantId: msg.participantId, trackId: msg.trackId, codec: msg.codec });
      lastError = `${msg.kind} from ${grid.name(msg.participantId)} not received: this browser does not accept ${msg.codec}`;
      renderStatus();
      break;
    case 'participantJoined':
      if (msg.participant) addParticipant(msg.participant);
      break;
    case 'participantLeft':
      removeParticipant(str(msg.participantId));
      break;
    case 'trackPublished':
      record('track-published', { participantId: msg.participantId, trackId: msg.trackId, kind: msg.kind, source: msg.source });
      rememberTrack(str(msg.participantId), msg);
      break;
    case 'trackMuted':
      record('track-muted', { participantId: msg.participantId, trackId: msg.trackId, kind: msg.kind, muted: msg.muted });
      onTrackMuted(str(msg.participantId), str(msg.trackId), msg.muted === true);
      break;
    case 'activeSpeakers':
      showSpeakers(Array.isArray(msg.speakers) ? msg.speakers.filter((id) => typeof id === 'string') : []);
      break;
    case 'streamState':
      // docs/signaling.md: our downlink cannot carry even the lowest layer of that video for now.
      record('stream-state', { participantId: msg.participantId, trackId: msg.trackId, state: msg.state });
      grid.setPaused(str(msg.participantId), msg.state === 'paused');
      break;
    case 'publishLayers':
      publisher.applyLayers(msg);
      break;
    case 'trackUnpublished':
      record('track-unpublished', { participantId: msg.participantId, trackId: msg.trackId });
      forgetTrack(str(msg.trackId));
      break;
    default:
      record('unknown-message', { type: msg.type });
  }
}

// ---- PeerConnections ----

/**
 * One side: its RTCPeerConnection, and candidates held until the relay has the description they
 * belong to (trickling before the offer/answer is on the wire would be refused).
 */
function makeSide(name) {
  return { name, pc: null, canTrickle: false, heldCandidates: [], policy: new IceRestartPolicy() };
}

const publish = makeSide('publish');
const subscribe = makeSide('subscribe');

function createPc(side) {
  const pc = new RTCPeerConnection(PC_CONFIG);
  side.pc = pc;
  side.canTrickle = false;
  side.heldCandidates = [];
  side.policy = new IceRestartPolicy();
  pc.addEventListener('icecandidate', (ev) => {
    // Chromium may signal an end of gathering per m-section with an empty candidate string;
    // the final null event is the one that goes on the wire.
    if (ev.candidate && !ev.candidate.candidate) return;
    const candidate = ev.candidate ? ev.candidate.toJSON() : null;
    if (side.canTrickle) {
      notify('candidate', { pc: side.name, candidate });
    } else {
      side.heldCandidates.push(candidate);
    }
  });
  pc.addEventListener('connectionstatechange', () => {
    record('pc-state', { pc: side.name, state: pc.connectionState });
    renderStatus();
  });
  pc.addEventListener('iceconnectionstatechange', () => {
    record('ice-state', { pc: side.name, state: pc.iceConnectionState });
    if (side.restartedAt && (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed')) {
      record('ice-restarted', { pc: side.name, ms: Math.round(performance.now() - side.restartedAt) });
      side.restartedAt = null;
    }
    checkIce(side);
  });
  return pc;
}

function startTrickle(side) {
  if (side.canTrickle) return;
  side.canTrickle = true;
  for (const candidate of side.heldCandidates) notify('candidate', { pc: side.name, candidate });
  side.heldCandidates = [];
}

function closePc(side) {
  if (side.pc && side.pc.signalingState !== 'closed') side.pc.close();
}

// ---- ICE restart (recovery.js) ----

function checkIce(side) {
  const pc = side.pc;
  if (!pc || pc.signalingState === 'closed' || leaving || !joinedNow) return;
  if (!side.policy.update(pc.iceConnectionState, performance.now())) return;
  side.restartedAt = performance.now();
  record('ice-restart', { pc: side.name, state: pc.iceConnectionState, attempt: side.policy.restarts });
  if (side === publish) {
    publisher.restartIce().catch((e) => record('ice-restart-failed', { pc: 'publish', error: String(e.message || e) }));
  } else {
    // The relay offers on this PeerConnection: it restarts, with a new offer (docs/signaling.md).
    notify('restartIce', { pc: 'subscribe' });
  }
}

setInterval(() => { checkIce(publish); checkIce(subscribe); }, 1000);

// ---- remote participants and their tracks ----

const trackInfo = new Map(); // trackId -> {participantId, kind, source, muted}
const trackToParticipant = new Map(); // receiver track id -> participantId
const receivers = new Map(); // trackId -> RTCRtpReceiver
let midMap = new Map(); // mid -> {participantId, trackId}, from the last subscribe offer
// Participants that left: a subscribeOffer already in flight may still carry their tracks.
const departed = new Set();

function rememberTrack(participantId, t) {
  const trackId = str(t.trackId);
  if (!participantId || !trackId) return;
  const kind = t.kind === 'audio' ? 'audio' : 'video';
  const source = ['camera', 'microphone', 'screen'].includes(t.source) ? t.source : (kind === 'audio' ? 'microphone' : 'camera');
  trackInfo.set(trackId, { participantId, kind, source, muted: t.muted === true });
  if (kind === 'video' && source !== 'screen') {
    videoTrackIds.set(participantId, trackId);
    updateSubscription(participantId);
  }
  if (source !== 'screen') grid.setMuted(participantId, kind, t.muted === true);
}

function forgetTrack(trackId) {
  const info = trackInfo.get(trackId);
  if (!info) return;
  trackInfo.delete(trackId);
  if (videoTrackIds.get(info.participantId) === trackId) videoTrackIds.delete(info.participantId);
  grid.removeTrack(trackId);
  if (info.source !== 'screen') grid.setMuted(info.participantId, info.kind, false);
}

function onTrackMuted(participantId, trackId, muted) {
  const info = trackInfo.get(trackId);
  if (!info || info.participantId !== participantId) return;
  info.muted = muted;
  if (info.source !== 'screen') grid.setMuted(participantId, info.kind, muted);
}

function addParticipant(p) {
  const participantId = p ? str(p.participantId) : null;
  if (!participantId || participantId === relay.participantId) return;
  departed.delete(participantId);
  record('participant', { participantId, name: str(p.name) || '' });
  grid.participant(participantId, (str(p.name) || '').slice(0, 64));
  if (Array.isArray(p.tracks)) for (const t of p.tracks) rememberTrack(participantId, t);
}

function removeParticipant(participantId) {
  if (!participantId) return;
  record('participant-left', { participantId });
  departed.add(participantId);
  for (const [trackId, info] of [...trackInfo]) if (info.participantId === participantId) forgetTrack(trackId);
  if (tileResizes) {
    const tile = grid.tiles.get(participantId);
    if (tile) tileResizes.unobserve(tile.video);
  }
  grid.remove(participantId);
  qualitySamples.delete(participantId);
}

function onTrack(ev) {
  const mid = ev.transceiver && ev.transceiver.mid;
  const home = mid !== null && mid !== undefined ? midMap.get(mid) : null;
  const participantId = home ? home.participantId : (ev.streams[0] && ev.streams[0].id);
  if (!participantId) {
    record('track-without-stream', { kind: ev.track.kind, trackId: ev.track.id });
    return;
  }
  const trackId = home ? home.trackId : ev.track.id;
  trackToParticipant.set(ev.track.id, participantId);
  receivers.set(trackId, ev.receiver);
  const info = trackInfo.get(trackId);
  const screen = !!info && info.source === 'screen';
  record('track', { participantId, kind: ev.track.kind, trackId: ev.track.id, mid, screen });
  if (departed.has(participantId) || participantId === relay.participantId) return;
  grid.addTrack(participantId, trackId, ev.track, screen);
}

let activeSpeakers = [];

/** docs/signaling.md `activeSpeakers`: the dominant speaker first; their tiles are highlighted. */
function showSpeakers(speakers) {
  activeSpeakers = speakers;
  record('active-speakers', { speakers: speakers.join(' ') });
  grid.setSpeakers(speakers, relay.participantId, $('local'));
}

// ---- which simulcast layer to receive (setSubscription) ----

const videoTrackIds = new Map(); // participantId -> its camera trackId
const qualityOverrides = new Map(); // participantId -> quality set through window.relay.setQuality

/** The layer a tile needs: what the URL or the console fixed, else by the height it is shown at. */
function wantedQuality(participantId, tile) {
  if (qualityOverrides.has(participantId)) return qualityOverrides.get(participantId);
  if (fixedQuality) return fixedQuality;
  const height = tile.video.clientHeight * (window.devicePixelRatio || 1);
  return height <= 200 ? 'low' : height <= 420 ? 'medium' : 'high';
}

function updateSubscription(participantId) {
  const tile = grid.tiles.get(participantId);
  const trackId = videoTrackIds.get(participantId);
  if (!tile || !trackId || !socketOpen()) return;
  const quality = wantedQuality(participantId, tile);
  if (tile.sentQuality === quality && tile.sentTrackId === trackId) return;
  tile.sentQuality = quality;
  tile.sentTrackId = trackId;
  send({ type: 'setSubscription', participantId, trackId, quality });
  record('set-subscription', { participantId, trackId, quality });
}

const tileResizes = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const entry of entries) {
      const tile = entry.target.closest('.tile');
      if (tile && tile.dataset.participantId) updateSubscription(tile.dataset.participantId);
    }
  })
  : null;

// ---- subscribe: the relay offers, we answer, one offer at a time ----

let subscribeChain = Promise.resolve();

function onSubscribeOffer(msg) {
  record('subscribe-offer', { version: msg.version });
  subscribeChain = subscribeChain
    .then(() => applySubscribeOffer(msg))
    .catch((e) => fail(`subscribe offer v${msg.version}`, e));
}

async function applySubscribeOffer({ sdp, version }) {
  const pc = subscribe.pc;
  if (!pc || pc.signalingState === 'closed' || leaving) return;
  midMap = tracksByMid(sdp);
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  notify('subscribeAnswer', { sdp: pc.localDescription.sdp, version });
  record('subscribe-answer', { version });
  startTrickle(subscribe);
}

// ---- publish (publisher.js), mute and screen share ----

let localStream = null;
const publisher = new Publisher(publish, {
  record,
  request: (type, fields, replyType) => request(type, fields, replyType),
  startTrickle: () => startTrickle(publish),
  onRejected: (r) => {
    lastError = `${r.kind} not published: ${r.reason}`;
    renderStatus();
  },
  simulcastEncodings: simulcast ? SIMULCAST_ENCODINGS : null,
  videoCodec: preferredVideoCodec,
});
const localMuted = publisher.muted;

async function publishMedia(stream) {
  createPc(publish);
  renderStatus();
  await publisher.publish(stream);
}

/**
 * Mutes or unmutes our camera ('video') or microphone ('audio'): no media flows while muted, and
 * the relay tells the others (`mute` -> `trackMuted`).
 */
async function setMuted(kind, muted) {
  const track = await publisher.setMuted(kind, muted);
  if (track && joinedNow) notify('mute', { trackId: track.id, muted });
  record('local-mute', { kind, muted });
  renderControls();
}

async function startScreenShare() {
  if (publisher.screen || !publish.pc) return;
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch (e) {
    record('screen-share-failed', { error: String(e.name || e) });
    showError(`Screen sharing did not start (${e.name || e}).`);
    return;
  }
  const track = stream.getVideoTracks()[0];
  // The browser's own "stop sharing" ends the track.
  track.addEventListener('ended', () => stopScreenShare());
  const settings = track.getSettings();
  record('screen-share', { trackId: track.id, width: settings.width, height: settings.height });
  $('local-screen-video').srcObject = stream;
  $('local-screen').hidden = false;
  const shared = publisher.addScreen(stream);
  renderControls();
  await shared.catch((e) => fail('screen share', e));
}

async function stopScreenShare() {
  const stream = publisher.screen;
  if (!stream) return;
  for (const t of stream.getTracks()) t.stop();
  $('local-screen-video').srcObject = null;
  $('local-screen').hidden = true;
  const removed = publisher.removeScreen();
  record('screen-share-stopped');
  renderControls();
  await removed.catch((e) => fail('screen share', e));
}

function renderControls() {
  const mic = $('mic');
  const cam = $('cam');
  const share = $('share');
  const hasAudio = !!(localStream && localStream.getAudioTracks().length);
  const hasVideo = !!(localStream && localStream.getVideoTracks().length);
  mic.hidden = !hasAudio;
  cam.hidden = !hasVideo;
  share.hidden = !joinedNow || !publish.pc || typeof navigator.mediaDevices.getDisplayMedia !== 'function';
  mic.setAttribute('aria-pressed', String(localMuted.audio));
  cam.setAttribute('aria-pressed', String(localMuted.video));
  share.setAttribute('aria-pressed', String(!!publisher.screen));
  mic.textContent = localMuted.audio ? 'Unmute' : 'Mute';
  cam.textContent = localMuted.video ? 'Start video' : 'Stop video';
  share.textContent = publisher.screen ? 'Stop sharing' : 'Share screen';
  $('local').classList.toggle('video-muted', localMuted.video);
  $('local').dataset.audioMuted = String(localMuted.audio);
  $('local-mic-off').hidden = !localMuted.audio;
}

// ---- connection quality and the stats overlay (quality.js) ----

let statsVisible = false;
const qualitySamples = new Map(); // participantId -> {audio, video, rtt} previous samples
let localSample = null;

/** The inbound stream's participant and track, by its mid (sdp.js), else by its track id. */
function homeOfInbound(s) {
  let home = s.mid !== undefined ? midMap.get(String(s.mid)) : null;
  if (!home && s.trackIdentifier && trackToParticipant.has(s.trackIdentifier)) {
    home = { participantId: trackToParticipant.get(s.trackIdentifier), trackId: null };
  }
  if (!home) return null;
  const info = trackInfo.get(home.trackId);
  return { participantId: home.participantId, source: info ? info.source : null, muted: info ? info.muted : false };
}

async function pollQuality() {
  if (!joinedNow) return;
  const now = performance.now();
  if (subscribe.pc && subscribe.pc.signalingState !== 'closed') {
    const per = await receivedSamples(subscribe.pc, homeOfInbound, now);
    for (const id of grid.ids()) {
      const cur = per.get(id) || {};
      const prev = qualitySamples.get(id) || {};
      const summary = { rttMs: per.rttMs };
      let level = null;
      for (const kind of ['audio', 'video']) {
        if (!cur[kind]) continue;
        const a = assess(prev[kind], cur[kind], !cur[kind].muted);
        level = worse(level, a.level);
        summary[kind] = { ...a, codec: cur[kind].codec, width: cur[kind].width, height: cur[kind].height, fps: cur[kind].fps };
      }
      qualitySamples.set(id, cur);
      grid.setQuality(id, level);
      grid.setStats(id, describeStats(summary), statsVisible);
      qualityById.set(id, { level, ...summary });
    }
  }
  const cur = await sentSample(publish.pc, now);
  if (cur) {
    const a = assess(localSample, cur, !(localMuted.audio && localMuted.video));
    localSample = cur;
    setQualityBadge($('local-quality'), a.level);
    const local = $('local-stats');
    local.textContent = `sending ${a.bitrateKbps} kbit/s${typeof a.rttMs === 'number' ? `, rtt ${Math.round(a.rttMs)} ms` : ''}`;
    local.hidden = !statsVisible;
    qualityById.set('local', a);
  }
}

const qualityById = new Map();
setInterval(() => pollQuality().catch((e) => record('stats-failed', { error: String(e) })), STATS_INTERVAL_MS);

// ---- lifecycle: join, rejoin, leave ----

let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
ready.catch(() => { /* reported in the status line; tests read the rejection themselves */ });
let everJoined = false;
let joinedNow = false;
let rejoinAttempt = 0;
let rejoinTimer = null;

async function start() {
  wireControls();
  if (!roomName) {
    setPhase('choose a room');
    const choice = await new JoinScreen($('join-form'), MEDIA_CONSTRAINTS, record).show(roomName, displayName);
    roomName = choice.room;
    displayName = choice.name;
    localStream = choice.stream;
    // The call's own link: reloading it (or sending it) joins the same room at once.
    const url = new URL(location.href);
    url.searchParams.set('room', roomName);
    if (displayName) url.searchParams.set('name', displayName);
    history.replaceState(null, '', url);
  } else if (!ROOM_PATTERN.test(roomName)) {
    showError('A room name is 1-64 characters of A-Z a-z 0-9 _ . -');
    fail('room', new Error('a room name is 1-64 characters of A-Z a-z 0-9 _ . -'));
    rejectReady(new Error('invalid room name'));
    return;
  }
  $('room-label').textContent = `room ${roomName}`;
  $('controls').hidden = false;
  $('local-name').textContent = displayName ? `${displayName} (you)` : 'you';

  // Ask for the camera while signaling connects; the two are independent. A token that may not
  // publish never asks.
  let media = null;
  if (localStream) media = Promise.resolve(localStream);
  else if (mayPublish) media = navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
  if (media) media.catch(() => { /* awaited below */ });
  await connect(media);
  resolveReady();
}

/**
 * One session: socket, join, subscribe PeerConnection, publish. Used for the first join and each
 * rejoin; `redirects` are the nodes this attempt was sent to, each followed once (no loop).
 */
async function connect(media, redirects = new Set()) {
  refusal = null;
  setPhase(everJoined ? 'rejoining' : 'connecting');
  await openSocket();
  // Created before join so that it exists when the first subscribeOffer arrives.
  createPc(subscribe).addEventListener('track', onTrack);

  setPhase('joining');
  relay.joinedAt = performance.now();
  record('join-sent', { room: roomName, rejoin: everJoined });
  let joined;
  try {
    joined = await request('join', { room: roomName, name: displayName || undefined }, 'joined');
  } catch (e) {
    const err = e.relayError;
    if (err && err.code === 'redirect' && typeof err.url === 'string' && /^wss?:\/\//.test(err.url)
        && !redirects.has(err.url)) {
      // Another relay node holds the room: join there (once per node named, so no loop).
      record('redirect', { url: err.url, node: err.reason });
      redirectedTo = err.url;
      redirects.add(err.url);
      const stale = socket;
      socket = null;
      stale.close(1000, 'redirect');
      closePc(subscribe);
      return connect(media, redirects);
    }
    if (err) showError(describeError(err));
    throw e;
  }
  relay.participantId = str(joined.participantId);
  joinedNow = true;
  everJoined = true;
  rejoinAttempt = 0;
  showError('');
  record('joined', { participantId: relay.participantId, others: (joined.participants || []).length });
  for (const p of joined.participants || []) addParticipant(p);

  if (!media || (joined.permissions && joined.permissions.canPublish === false)) {
    record('watch-only');
    setPhase(`in room ${roomName} (watching)`);
    renderControls();
    return;
  }
  setPhase('starting camera');
  try {
    localStream = await media;
  } catch (e) {
    throw new Error(`camera/microphone unavailable (${e.name || e})`);
  }
  if (!localStream) {
    record('watch-only');
    setPhase(`in room ${roomName} (watching)`);
    renderControls();
    return;
  }
  $('local-video').srcObject = localStream;
  $('local').hidden = false;
  record('local-media', { tracks: localStream.getTracks().map((t) => t.kind) });

  setPhase('publishing');
  await publishMedia(localStream);
  renderControls();
  setPhase(`in room ${roomName}`);
}

/** The signaling socket closed without our `leave`: end this session, then rejoin if that can help. */
function onSocketLost(err) {
  const wasJoined = joinedNow;
  endSession();
  const why = refusal;
  if (why) showError(describeError(why));
  fail('signaling', err);
  if (!everJoined || !wasJoined && rejoinAttempt === 0 || !mayRejoinAfter(why)) {
    rejectReady(err);
    setPhase('disconnected');
    return;
  }
  scheduleRejoin();
}

function scheduleRejoin() {
  const delayMs = rejoinDelayMs(rejoinAttempt++);
  record('rejoin-scheduled', { attempt: rejoinAttempt, delayMs });
  setPhase(`reconnecting in ${Math.round(delayMs / 1000)} s`);
  clearTimeout(rejoinTimer);
  rejoinTimer = setTimeout(() => {
    if (leaving) return;
    redirectedTo = null;
    connect(localStream ? Promise.resolve(localStream) : null).then(() => {
      record('rejoined', { participantId: relay.participantId });
      lastError = null;
      renderStatus();
    }, (e) => {
      record('rejoin-failed', { error: String(e.message || e) });
      // A refused join (room full, draining) leaves its socket open: close it and try again.
      if (socket && !socket.closed) {
        socket.close(1000, 'rejoin failed');
        endSession();
        scheduleRejoin();
      }
    });
  }, delayMs);
}

/** Closes both PeerConnections and the remote tiles; keeps our camera and microphone. */
function endSession() {
  joinedNow = false;
  closePc(publish);
  closePc(subscribe);
  // Their closed PeerConnections never settle what they had pending: the next session starts afresh.
  publisher.restart();
  subscribeChain = Promise.resolve();
  for (const id of grid.ids()) removeParticipant(id);
  grid.clear();
  trackInfo.clear();
  departed.clear();
  midMap = new Map();
  if (publisher.screen) {
    for (const t of publisher.screen.getTracks()) t.stop();
    publisher.screen = null;
    $('local-screen').hidden = true;
  }
  renderControls();
  renderStatus();
}

function teardown(finalPhase) {
  clearTimeout(rejoinTimer);
  endSession();
  if (localStream) for (const t of localStream.getTracks()) t.stop();
  if (socket) socket.close(1000, 'leave');
  rejectReady(new Error(`ended before ready: ${finalPhase}`));
  $('controls').hidden = true;
  setPhase(finalPhase);
}

function leave() {
  if (leaving) return leaving;
  leaving = (async () => {
    record('leave');
    if (socketOpen() && relay.participantId) {
      try {
        await request('leave', {}, 'left', LEAVE_TIMEOUT_MS);
        record('left');
      } catch (e) {
        record('leave-unanswered', { message: e.message });
      }
    }
    teardown('left');
  })();
  return leaving;
}

addEventListener('pagehide', () => {
  if (!leaving && socketOpen()) send({ type: 'leave' });
});

function wireControls() {
  $('leave').addEventListener('click', () => leave());
  $('mic').addEventListener('click', () => setMuted('audio', !localMuted.audio));
  $('cam').addEventListener('click', () => setMuted('video', !localMuted.video));
  $('share').addEventListener('click', () => (publisher.screen ? stopScreenShare() : startScreenShare()));
  $('stats-toggle').addEventListener('click', () => {
    statsVisible = !statsVisible;
    $('stats-toggle').setAttribute('aria-pressed', String(statsVisible));
    for (const tile of grid.tiles.values()) tile.stats.hidden = !statsVisible;
    $('local-stats').hidden = !statsVisible;
  });
}

// ---- stats: a JSON-serialisable summary of both PeerConnections (stats.js) ----

function stats() {
  return summarize(publish.pc, subscribe.pc, {
    participantOf: (trackId) => trackToParticipant.get(trackId),
    departed: (participantId) => departed.has(participantId),
    sourceOf: (receiver) => {
      const transceiver = subscribe.pc.getTransceivers().find((t) => t.receiver === receiver);
      const home = transceiver && transceiver.mid !== null ? midMap.get(transceiver.mid) : null;
      const info = home ? trackInfo.get(home.trackId) : null;
      return info ? info.source : null;
    },
    isScreen: (sender) => publisher.isScreen(sender),
  });
}

// ---- the test/console API ----

const relay = {
  /** Our id from `joined`; null before. A rejoin gets a new one. */
  participantId: null,
  /** Resolves once the first publish answer is applied; rejects if joining or publishing fails. */
  ready,
  /** performance.now() when the last `join` was sent; null before. */
  joinedAt: null,
  /** [{t: performance.now(), event, ...detail}] in order. */
  log: eventLog,
  /** Sends `leave`, waits (briefly) for `left`, then closes everything. */
  leave,
  /** Asks for a simulcast layer ('low', 'medium', 'high') of a participant's video from now on. */
  setQuality: (participantId, quality) => {
    qualityOverrides.set(participantId, quality);
    updateSubscription(participantId);
  },
  /** The last `activeSpeakers` list: participantIds, the dominant speaker first. */
  activeSpeakers: () => activeSpeakers,
  /** participantIds of the remote tiles on the page. */
  tiles: () => grid.ids(),
  /** [{participantId, trackId, width, height}] of the remote screen-share tiles. */
  screens: () => grid.screenTiles(),
  /** {participantId: {audio, video}} as the tiles show it (trackMuted). */
  remoteMuted: () => Object.fromEntries([...grid.tiles].map(([id, t]) => [id, { ...t.muted }])),
  /** participantId (or 'local') -> the last quality sample {level, ...}. */
  quality: () => Object.fromEntries(qualityById),
  /** Mutes or unmutes our 'audio' or 'video'; resolves once the sender has changed. */
  setMuted,
  /** Promise of {publishState, subscribeState, inbound: [...], outbound: [...]}. */
  stats,
  /** The relay's last subscribe offer as applied (m-sections of departed tracks are recycled). */
  subscribeSdp: () => (subscribe.pc && subscribe.pc.remoteDescription ? subscribe.pc.remoteDescription.sdp : null),
  /** The sentence the page shows for a relay error ({code, reason, message}); errors.js. */
  describeError,
  /** Every error code docs/signaling.md lists. */
  errorCodes: ERROR_CODES,
  /**
   * Closes the signaling socket as a network drop would (close code 4000, no `leave`): the page
   * rejoins as it does after a real drop. For tests and the console.
   */
  dropSignaling: () => { if (socket) socket.drop(); },
  /** Shows a relay error in the banner as if the relay had sent it (for the console and tests). */
  showRelayError: (err) => showError(describeError(err)),
};
window.relay = relay;

start().catch((e) => {
  fail(phase, e);
  rejectReady(e);
});
