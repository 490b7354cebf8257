// relay web client: joins ?room=NAME over the signaling WebSocket (docs/signaling.md).
// On a relay with API keys, ?token=JWT is the access token, passed on as ?access_token=; its
// room is used when the URL names none, and a token without canPublish only watches.
//
// Two RTCPeerConnections, so that offers never collide:
//   publish   - we offer our camera + microphone (sendonly), the relay answers;
//   subscribe - the relay offers everyone else's tracks, we answer.
// Each forwarded track carries a=msid:<participantId> <trackId>, so the track event's
// streams[0].id names the participant: one tile per stream id.
//
// window.relay is a small API for tests and for the console (see the bottom of this file).

const REQUEST_TIMEOUT_MS = 10000;
const LEAVE_TIMEOUT_MS = 2000;
const KEEPALIVE_MS = 25000;
// Same rule as the relay's `join` validation, checked here to fail before opening a socket.
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
// No iceServers: the relay is ICE-lite and puts its host candidates into every SDP.
const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] };
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
const roomName = params.get('room') || (tokenGrant && typeof tokenGrant.room === 'string' ? tokenGrant.room : null);
const displayName = (params.get('name') || '').slice(0, 64);
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
const remotesEl = $('remotes');

// ---- event log: performance.now() timestamps, for measuring join-to-first-frame ----

const eventLog = [];

function record(event, detail) {
  const entry = { t: Math.round(performance.now() * 10) / 10, event, ...detail };
  eventLog.push(entry);
  console.info('[relay]', JSON.stringify(entry));
}

// ---- status line ----

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

function renderStatus() {
  const parts = [phase];
  if (publish.pc) parts.push(`publish ${publish.pc.connectionState}`);
  if (subscribe.pc) parts.push(`subscribe ${subscribe.pc.connectionState}`);
  if (audioBlocked) parts.push('click the page to hear audio');
  if (lastError) parts.push(`error ${lastError}`);
  statusEl.textContent = parts.join(' | ');
  statusEl.classList.toggle('error', lastError !== null);
}

// ---- signaling ----

let ws = null;
let nextRequestId = 1;
// id -> {type, replyType, resolve, reject, timer}; fire-and-forget requests are not here.
const pending = new Map();
let keepaliveTimer = null;
let leaving = null;
// The relay's `unauthorized` error, kept to explain the close that follows it.
let refusal = null;

function signalingUrl() {
  // Resolved against the page, so /ws when the page is served at /.
  const url = new URL('ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  if (accessToken) url.searchParams.set('access_token', accessToken);
  // The relay ignores it; a load balancer in front of several relays hashes on it so that
  // everyone in a room reaches the same one (helm/relay, docs/operations.md "Room affinity").
  if (roomName) url.searchParams.set('room', roomName);
  return url.href;
}

function openSocket() {
  return new Promise((resolve, reject) => {
    const url = signalingUrl();
    // The token stays out of the log (window.relay.log and the console).
    record('ws-connecting', { url: url.replace(/access_token=[^&]*/, 'access_token=(token)') });
    ws = new WebSocket(url);
    ws.addEventListener('open', () => {
      record('ws-open');
      keepaliveTimer = setInterval(() => send({ type: 'ping' }), KEEPALIVE_MS);
      resolve();
    }, { once: true });
    ws.addEventListener('message', (ev) => onMessage(ev.data));
    ws.addEventListener('close', (ev) => {
      clearInterval(keepaliveTimer);
      record('ws-close', { code: ev.code, reason: ev.reason });
      const err = new Error(refusal
        ? `not allowed in: ${refusal.message} (${refusal.reason || refusal.code})`
        : `signaling closed (code ${ev.code})`);
      reject(err);
      for (const [id, req] of pending) {
        clearTimeout(req.timer);
        req.reject(err);
        pending.delete(id);
      }
      if (!leaving) {
        fail('signaling', err);
        teardown('disconnected');
      }
    });
  });
}

function send(msg) {
  if (!ws || ws.readyState !== WebSocket.OPEN) {
    record('send-dropped', { type: msg.type });
    return false;
  }
  ws.send(JSON.stringify(msg));
  return true;
}

/** Sends a request with an id and returns a Promise of the reply of type replyType. */
function request(type, fields, replyType, timeoutMs = REQUEST_TIMEOUT_MS) {
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`no '${replyType}' reply to '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, { type, replyType, resolve, reject, timer });
    if (!send({ type, id, ...fields })) {
      clearTimeout(timer);
      pending.delete(id);
      reject(new Error(`cannot send '${type}': signaling is not open`));
    }
  });
}

/** A request whose only possible reply is an error (subscribeAnswer, candidate). */
function notify(type, fields) {
  return send({ type, id: nextRequestId++, ...fields });
}

/**
 * Finds the pending request a reply or error belongs to: by echoed id, else (should the relay
 * omit the id) the oldest request waiting for this reply type or named by the error's
 * requestType.
 */
function takePending(msg) {
  if (msg.id !== undefined && pending.has(msg.id)) {
    const req = pending.get(msg.id);
    pending.delete(msg.id);
    return req;
  }
  if (msg.id !== undefined && msg.id !== null) return null;
  for (const [id, req] of pending) {
    const matches = msg.type === 'error' ? req.type === msg.requestType : req.replyType === msg.type;
    if (matches) {
      pending.delete(id);
      return req;
    }
  }
  return null;
}

function settle(msg) {
  const req = takePending(msg);
  if (!req) return false;
  clearTimeout(req.timer);
  if (msg.type === 'error') {
    req.reject(new Error(`${msg.code}: ${msg.message}`));
  } else {
    req.resolve(msg);
  }
  return true;
}

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
    case 'publishAnswer':
    case 'left':
      if (!settle(msg)) record('unexpected-reply', { type: msg.type });
      break;
    case 'pong':
      settle(msg);
      break;
    case 'error':
      record('relay-error', { code: msg.code, reason: msg.reason, message: msg.message, requestType: msg.requestType });
      if (msg.code === 'unauthorized') refusal = msg;
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
      lastError = `${msg.kind} from ${msg.participantId} not received: this browser does not accept ${msg.codec}`;
      renderStatus();
      break;
    case 'participantJoined':
      if (msg.participant) addParticipant(msg.participant);
      break;
    case 'participantLeft':
      removeParticipant(msg.participantId);
      break;
    case 'trackPublished':
      record('track-published', { participantId: msg.participantId, trackId: msg.trackId, kind: msg.kind });
      if (msg.kind === 'video') {
        videoTrackIds.set(msg.participantId, msg.trackId);
        updateSubscription(msg.participantId);
      }
      break;
    case 'activeSpeakers':
      showSpeakers(Array.isArray(msg.speakers) ? msg.speakers.filter((id) => typeof id === 'string') : []);
      break;
    case 'streamState':
      // docs/signaling.md: our downlink cannot carry even the lowest layer of that video for now.
      record('stream-state', { participantId: msg.participantId, trackId: msg.trackId, state: msg.state });
      setTilePaused(msg.participantId, msg.state === 'paused');
      break;
    case 'publishLayers':
      publishLayersQueue = publishLayersQueue.then(() => applyPublishLayers(msg))
        .catch((e) => record('publish-layers-failed', { trackId: msg.trackId, error: String(e) }));
      break;
    case 'trackUnpublished':
      record('track-unpublished', { participantId: msg.participantId, trackId: msg.trackId });
      if (videoTrackIds.get(msg.participantId) === msg.trackId) videoTrackIds.delete(msg.participantId);
      break;
    default:
      record('unknown-message', { type: msg.type });
  }
}

// ---- peer connections ----

/**
 * One side's PeerConnection plus the local candidates gathered before its SDP went out:
 * they are held until then, so that the relay never sees a candidate for a PeerConnection it
 * has not negotiated yet.
 */
function makeSide(name) {
  return { name, pc: null, canTrickle: false, heldCandidates: [] };
}

const publish = makeSide('publish');
const subscribe = makeSide('subscribe');

function createPc(side) {
  const pc = new RTCPeerConnection(PC_CONFIG);
  side.pc = pc;
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

// ---- remote participants and tiles ----

const names = new Map(); // participantId -> display name
const tilesById = new Map(); // participantId -> {el, video, audio, label, stream}
const trackToParticipant = new Map(); // receiver track id -> stream id (== participantId)
// Participants that left: a subscribeOffer already in flight may still carry their tracks.
const departed = new Set();
let audioBlocked = false;

// ---- which simulcast layer to receive (setSubscription) ----

const videoTrackIds = new Map(); // participantId -> its video trackId
const qualityOverrides = new Map(); // participantId -> quality set through window.relay.setQuality

/** The layer a tile needs: what the URL or the console fixed, else by the height it is shown at. */
function wantedQuality(participantId, tile) {
  if (qualityOverrides.has(participantId)) return qualityOverrides.get(participantId);
  if (fixedQuality) return fixedQuality;
  const height = tile.video.clientHeight * (window.devicePixelRatio || 1);
  return height <= 200 ? 'low' : height <= 420 ? 'medium' : 'high';
}

function updateSubscription(participantId) {
  const tile = tilesById.get(participantId);
  const trackId = videoTrackIds.get(participantId);
  if (!tile || !trackId || !ws || ws.readyState !== WebSocket.OPEN) return;
  const quality = wantedQuality(participantId, tile);
  if (tile.sentQuality === quality && tile.sentTrackId === trackId) return;
  tile.sentQuality = quality;
  tile.sentTrackId = trackId;
  send({ type: 'setSubscription', participantId, trackId, quality });
  record('set-subscription', { participantId, trackId, quality });
}

const tileResizes = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const entry of entries) updateSubscription(entry.target.closest('.tile').dataset.participantId);
  })
  : null;

function addParticipant(p) {
  if (!p || !p.participantId || p.participantId === relay.participantId) return;
  names.set(p.participantId, p.name || '');
  for (const t of p.tracks || []) if (t.kind === 'video') videoTrackIds.set(p.participantId, t.trackId);
  record('participant', { participantId: p.participantId, name: p.name || '' });
  ensureTile(p.participantId);
}

function removeParticipant(participantId) {
  record('participant-left', { participantId });
  departed.add(participantId);
  const tile = tilesById.get(participantId);
  if (!tile) return;
  tilesById.delete(participantId);
  if (tileResizes) tileResizes.unobserve(tile.video);
  tile.video.srcObject = null;
  tile.audio.srcObject = null;
  tile.el.remove();
}

function ensureTile(participantId) {
  let tile = tilesById.get(participantId);
  if (tile) {
    tile.label.textContent = names.get(participantId) || participantId;
    return tile;
  }
  const el = document.createElement('section');
  el.className = 'tile remote no-video';
  el.dataset.participantId = participantId;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // sound comes from the <audio> element; a muted video may always autoplay
  const audio = document.createElement('audio');
  audio.autoplay = true;
  const label = document.createElement('div');
  label.className = 'label';
  label.textContent = names.get(participantId) || participantId;
  el.append(video, audio, label);
  remotesEl.append(el);
  tile = { el, video, audio, label, stream: null, firstFrame: false, sentQuality: null, sentTrackId: null };
  tilesById.set(participantId, tile);
  if (tileResizes) tileResizes.observe(video);
  updateSubscription(participantId);
  return tile;
}

function attachStream(participantId, tile, stream) {
  if (tile.stream !== stream) {
    tile.stream = stream;
    tile.video.srcObject = stream;
    tile.audio.srcObject = stream;
    const update = () => tile.el.classList.toggle('no-video', stream.getVideoTracks().length === 0);
    stream.addEventListener('addtrack', update);
    stream.addEventListener('removetrack', update);
    watchFirstFrame(participantId, tile);
  }
  tile.el.classList.toggle('no-video', stream.getVideoTracks().length === 0);
  tile.video.play().catch(() => { /* retried by autoplay once data arrives */ });
  tile.audio.play().catch((e) => {
    if (e && e.name === 'NotAllowedError' && !audioBlocked) {
      audioBlocked = true;
      renderStatus();
      document.addEventListener('click', () => {
        audioBlocked = false;
        renderStatus();
        for (const t of tilesById.values()) t.audio.play().catch(() => {});
      }, { once: true });
    }
  });
}

function watchFirstFrame(participantId, tile) {
  const done = (via) => {
    if (tile.firstFrame) return;
    tile.firstFrame = true;
    const sinceJoinMs = relay.joinedAt === null ? null : Math.round(performance.now() - relay.joinedAt);
    record('first-frame', { participantId, via, sinceJoinMs });
  };
  // loadeddata also fires for a stream that has only audio so far: count it only with a picture.
  const onData = () => {
    if (tile.video.videoWidth > 0) done('loadeddata');
    else tile.video.addEventListener('resize', () => done('resize'), { once: true });
  };
  tile.video.addEventListener('loadeddata', onData, { once: true });
  if (typeof tile.video.requestVideoFrameCallback === 'function') {
    tile.video.requestVideoFrameCallback(() => done('videoFrame'));
  }
}

function onTrack(ev) {
  const stream = ev.streams[0];
  if (!stream) {
    record('track-without-stream', { kind: ev.track.kind, trackId: ev.track.id });
    return;
  }
  const participantId = stream.id;
  trackToParticipant.set(ev.track.id, participantId);
  record('track', { participantId, kind: ev.track.kind, trackId: ev.track.id });
  if (departed.has(participantId) || participantId === relay.participantId) return;
  attachStream(participantId, ensureTile(participantId), stream);
}

/** Marks a remote tile whose video the relay paused for bandwidth (docs/signaling.md `streamState`). */
function setTilePaused(participantId, paused) {
  const el = document.querySelector(`[data-participant-id="${CSS.escape(String(participantId))}"]`);
  if (el) el.classList.toggle('paused', paused);
}

let activeSpeakers = [];

/** docs/signaling.md `activeSpeakers`: the dominant speaker first; their tiles are highlighted. */
function showSpeakers(speakers) {
  activeSpeakers = speakers;
  record('active-speakers', { speakers: speakers.join(' ') });
  const tiles = document.querySelectorAll('[data-participant-id], #local');
  for (const el of tiles) {
    const id = el.id === 'local' ? relay.participantId : el.dataset.participantId;
    el.classList.toggle('speaking', speakers.includes(id));
    el.classList.toggle('dominant', speakers[0] === id);
  }
}

function remoteTileIds() {
  return Array.from(remotesEl.querySelectorAll('[data-participant-id]'), (el) => el.dataset.participantId);
}

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
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  notify('subscribeAnswer', { sdp: pc.localDescription.sdp, version });
  record('subscribe-answer', { version });
  startTrickle(subscribe);
}

// ---- publish: we offer camera + microphone, the relay answers ----

async function publishMedia(stream) {
  const pc = createPc(publish);
  renderStatus();
  // Audio first, then video: one sendonly transceiver per kind, both in the stream that the
  // relay will name after our participantId when it forwards them.
  const tracks = [...stream.getAudioTracks(), ...stream.getVideoTracks()];
  for (const track of tracks) {
    const init = { direction: 'sendonly', streams: [stream] };
    if (simulcast && track.kind === 'video') init.sendEncodings = SIMULCAST_ENCODINGS;
    const transceiver = pc.addTransceiver(track, init);
    if (track.kind === 'video' && preferredVideoCodec) preferVideoCodec(transceiver, preferredVideoCodec);
  }
  await pc.setLocalDescription(await pc.createOffer());
  record('publish-offer', { sdp: pc.localDescription.sdp });
  const reply = request('publish', { sdp: pc.localDescription.sdp }, 'publishAnswer');
  startTrickle(publish); // the offer is on the wire now
  const answer = await reply;
  record('publish-answer');
  // Sections the relay turned down come with a reason (docs/signaling.md): say so, never silently.
  for (const r of answer.rejected || []) {
    record('publish-rejected', { mid: r.mid, kind: r.kind, reason: r.reason });
    lastError = `${r.kind} not published: ${r.reason}`;
    renderStatus();
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  record('publish-answer-applied');
}

let publishLayersQueue = Promise.resolve();

/**
 * Dynacast (docs/signaling.md `publishLayers`): the relay says which of our encodings someone
 * receives; the others stop (`active: false`) and come back when asked. One at a time: each
 * setParameters must follow its own getParameters.
 */
async function applyPublishLayers(msg) {
  const sender = publish.pc && publish.pc.getSenders().find((s) => s.track && s.track.id === msg.trackId);
  if (!sender) {
    record('publish-layers-unknown-track', { trackId: msg.trackId });
    return;
  }
  const params = sender.getParameters();
  const layers = Array.isArray(msg.layers) ? msg.layers : [];
  let changed = false;
  (params.encodings || []).forEach((encoding, i) => {
    const layer = layers.find((l) => l && (l.rid || null) === (encoding.rid || null)) || layers[i];
    if (layer && typeof layer.active === 'boolean' && encoding.active !== layer.active) {
      encoding.active = layer.active;
      changed = true;
    }
  });
  if (changed) await sender.setParameters(params);
  record('publish-layers', {
    trackId: msg.trackId,
    active: (params.encodings || []).map((e) => `${e.rid || '-'}:${e.active}`).join(' '),
  });
}

/** Puts the named codec (and its RTX) first in the transceiver's offer; unknown names change nothing. */
function preferVideoCodec(transceiver, name) {
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

// ---- lifecycle ----

let localStream = null;
let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
ready.catch(() => { /* reported in the status line; tests read the rejection themselves */ });

async function start() {
  if (!roomName) {
    $('join-form').hidden = false;
    setPhase('choose a room');
    rejectReady(new Error('no ?room= in the URL'));
    return;
  }
  if (!ROOM_PATTERN.test(roomName)) {
    $('join-form').hidden = false;
    fail('room', new Error('a room name is 1-64 characters of A-Z a-z 0-9 _ . -'));
    rejectReady(new Error('invalid room name'));
    return;
  }
  $('room-label').textContent = `room ${roomName}`;
  $('leave').hidden = false;
  $('leave').addEventListener('click', () => leave());

  // Ask for the camera while signaling connects; the two are independent. A token that may not
  // publish never asks.
  const media = mayPublish ? navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS) : null;
  if (media) media.catch(() => { /* awaited below */ });

  setPhase('connecting');
  await openSocket();
  // Created before join so that it exists when the first subscribeOffer arrives.
  createPc(subscribe).addEventListener('track', onTrack);

  setPhase('joining');
  relay.joinedAt = performance.now();
  record('join-sent', { room: roomName });
  const joined = await request('join', { room: roomName, name: displayName || undefined }, 'joined');
  relay.participantId = joined.participantId;
  record('joined', { participantId: joined.participantId, others: (joined.participants || []).length });
  for (const p of joined.participants || []) addParticipant(p);

  if (!media || (joined.permissions && joined.permissions.canPublish === false)) {
    record('watch-only');
    setPhase(`in room ${roomName} (watching)`);
    resolveReady();
    return;
  }
  setPhase('starting camera');
  try {
    localStream = await media;
  } catch (e) {
    throw new Error(`camera/microphone unavailable (${e.name || e})`);
  }
  $('local-video').srcObject = localStream;
  $('local').hidden = false;
  record('local-media', { tracks: localStream.getTracks().map((t) => t.kind) });

  setPhase('publishing');
  await publishMedia(localStream);
  setPhase(`in room ${roomName}`);
  resolveReady();
}

function teardown(finalPhase) {
  clearInterval(keepaliveTimer);
  closePc(publish);
  closePc(subscribe);
  if (localStream) for (const t of localStream.getTracks()) t.stop();
  for (const id of [...tilesById.keys()]) removeParticipant(id);
  if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'leave');
  rejectReady(new Error(`ended before ready: ${finalPhase}`));
  setPhase(finalPhase);
}

function leave() {
  if (leaving) return leaving;
  leaving = (async () => {
    record('leave');
    if (ws && ws.readyState === WebSocket.OPEN && relay.participantId) {
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
  if (!leaving && ws && ws.readyState === WebSocket.OPEN) send({ type: 'leave' });
});

// ---- stats: a JSON-serialisable summary of both PeerConnections ----

async function stats() {
  const summary = {
    publishState: publish.pc ? publish.pc.connectionState : 'new',
    subscribeState: subscribe.pc ? subscribe.pc.connectionState : 'new',
    inbound: [],
    outbound: [],
  };
  if (subscribe.pc && subscribe.pc.signalingState !== 'closed') {
    for (const receiver of subscribe.pc.getReceivers()) {
      const track = receiver.track;
      const participantId = track ? trackToParticipant.get(track.id) : undefined;
      if (!participantId || departed.has(participantId)) continue;
      const report = await receiver.getStats();
      let found = false;
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        found = true;
        const codec = s.codecId ? report.get(s.codecId) : undefined;
        summary.inbound.push({
          participantId,
          kind: s.kind || track.kind,
          framesDecoded: s.framesDecoded || 0,
          packetsReceived: s.packetsReceived || 0,
          bytesReceived: s.bytesReceived || 0,
          codec: codec ? codec.mimeType : null,
          frameWidth: s.frameWidth || 0,
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
        summary.inbound.push({ participantId, kind: track.kind, framesDecoded: 0, packetsReceived: 0, bytesReceived: 0 });
      }
    }
  }
  if (publish.pc && publish.pc.signalingState !== 'closed') {
    for (const sender of publish.pc.getSenders()) {
      if (!sender.track) continue;
      const report = await sender.getStats();
      report.forEach((s) => {
        if (s.type !== 'outbound-rtp') return;
        summary.outbound.push({
          kind: s.kind || sender.track.kind,
          packetsSent: s.packetsSent || 0,
          framesEncoded: s.framesEncoded || 0, // 0 for audio
          rid: s.rid || null, // the simulcast layer
          frameWidth: s.frameWidth || 0,
        });
      });
    }
  }
  return summary;
}

// ---- the test/console API ----

const relay = {
  /** Our id from `joined`; null before. */
  participantId: null,
  /** Resolves once the publish answer is applied; rejects if joining or publishing fails. */
  ready,
  /** performance.now() when `join` was sent; null before. */
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
  tiles: remoteTileIds,
  /** Promise of {publishState, subscribeState, inbound: [...], outbound: [...]}. */
  stats,
  /** The relay's last subscribe offer as applied (m-sections of departed tracks are recycled). */
  subscribeSdp: () => (subscribe.pc && subscribe.pc.remoteDescription ? subscribe.pc.remoteDescription.sdp : null),
};
window.relay = relay;

start().catch((e) => {
  fail(phase, e);
  rejectReady(e);
});
