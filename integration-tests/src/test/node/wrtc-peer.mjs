// A non-browser participant: libwebrtc M106 in Node (@roamhq/wrtc) speaking the relay's
// signaling protocol (docs/signaling.md) over a WebSocket (ws).
//
//   node wrtc-peer.mjs ws://127.0.0.1:PORT/ws ROOM NAME SECONDS
//
// Publish PeerConnection: we offer synthetic video (I420, 320x240, 30 fps; M106 offers VP8
// first) and audio (48 kHz mono PCM, 10 ms frames, Opus), the relay answers.
// Subscribe PeerConnection: the relay offers everyone else's tracks, we answer. Each forwarded
// track carries a=msid:<participantId> <trackId>, so a track's stream id names its participant.
//
// stdout carries one JSON object per line ("event" names it), for the test that started us:
//   joined       {participantId, room}
//   pc-state     {pc, state}
//   first-frame  {participantId, sinceJoinMs, sinceTrackMs}: first video frame out of the decoder
//                per remote, after our join and after its track event (subscribe offer applied)
//   stats        {participantId, sinceJoinMs, publishState, subscribeState, sent, remotes}
//                (every 500 ms); remotes: {id: {videoFrames (RTCVideoSink frames),
//                framesDecoded, videoPackets, audioPackets (inbound-rtp), audioFrames (10 ms
//                frames out of RTCAudioSink: these flow, as silence, before any packet), codec,
//                left}}
//   error        {where, message}
//   done         {participantId}
// Diagnostics that are not events go to stderr.

import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';

const { RTCPeerConnection, MediaStream } = wrtc;
const { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

const [url, room, name, secondsArg] = process.argv.slice(2);
if (!url || !room || !secondsArg) {
  process.stderr.write('usage: node wrtc-peer.mjs ws://HOST:PORT/ws ROOM NAME SECONDS\n');
  process.exit(2);
}
const runMs = Number(secondsArg) * 1000;

const WIDTH = 320;
const HEIGHT = 240;
const FPS = 30;
const SAMPLE_RATE = 48000;
// 10 ms of audio per onData call: what libwebrtc's audio pipeline consumes.
const SAMPLES_PER_FRAME = SAMPLE_RATE / 100;
const STATS_INTERVAL_MS = 500;
const REQUEST_TIMEOUT_MS = 10000;
// No iceServers: the relay is ICE-lite and puts its host candidates into every SDP.
const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] };

const startedAt = performance.now();
let joinedAt = null;
let participantId = null;
let finished = false;

// Whoever reads our stdout may stop first (a test that has seen enough): go on without it.
let stdoutOpen = true;
process.stdout.on('error', () => {
  stdoutOpen = false;
});

function emit(event, detail) {
  if (!stdoutOpen) return;
  process.stdout.write(JSON.stringify({ event, t: Math.round(performance.now() - startedAt), ...detail }) + '\n');
}

function fail(where, err) {
  emit('error', { where, message: err && err.message ? err.message : String(err) });
}

// ---- signaling ----

const ws = new WebSocket(url);
let nextRequestId = 1;
const pending = new Map(); // id -> {replyType, resolve, reject, timer}

function send(msg) {
  if (ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
}

function request(type, fields, replyType) {
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`no '${replyType}' reply to '${type}' within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    pending.set(id, { replyType, resolve, reject, timer });
    send({ type, id, ...fields });
  });
}

/** A request whose only possible reply is an error (subscribeAnswer, candidate). */
function notify(type, fields) {
  send({ type, id: nextRequestId++, ...fields });
}

ws.on('message', (data) => {
  let msg;
  try {
    msg = JSON.parse(data.toString());
  } catch (e) {
    fail('signaling', new Error('relay sent a frame that is not JSON'));
    return;
  }
  const req = msg.id !== undefined ? pending.get(msg.id) : undefined;
  if (req && (msg.type === req.replyType || msg.type === 'error')) {
    pending.delete(msg.id);
    clearTimeout(req.timer);
    if (msg.type === 'error') {
      req.reject(new Error(`${msg.code}: ${msg.message}`));
    } else {
      req.resolve(msg);
    }
    return;
  }
  switch (msg.type) {
    case 'subscribeOffer':
      onSubscribeOffer(msg);
      break;
    case 'error':
      fail(`relay (${msg.requestType || 'unknown request'})`, new Error(`${msg.code}: ${msg.message}`));
      break;
    case 'trackUnsupported':
      fail('subscribe', new Error(`${msg.kind} from ${msg.participantId} refused: ${msg.codec}`));
      break;
    case 'participantLeft':
      if (remotes.has(msg.participantId)) remotes.get(msg.participantId).left = true;
      break;
    default:
      break;
  }
});
ws.on('close', (code, reason) => {
  if (!finished) fail('signaling', new Error(`closed (code ${code} ${reason})`));
});
ws.on('error', (e) => fail('signaling', e));

// ---- peer connections ----

/**
 * Local candidates are held until the PeerConnection's SDP has gone out, so that the relay never
 * sees a candidate for a PeerConnection it has not negotiated yet. ICE-lite needs none of them
 * (the relay answers our checks), but sending them is what a browser does.
 */
function createPc(side) {
  const pc = new RTCPeerConnection(PC_CONFIG);
  const state = { pc, canTrickle: false, held: [] };
  pc.onicecandidate = (ev) => {
    if (ev.candidate && !ev.candidate.candidate) return;
    const candidate = ev.candidate ? ev.candidate.toJSON() : null;
    if (state.canTrickle) {
      notify('candidate', { pc: side, candidate });
    } else {
      state.held.push(candidate);
    }
  };
  // M106 may fire connectionstatechange twice for one change: report each state once.
  let lastState = pc.connectionState;
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === lastState) return;
    lastState = pc.connectionState;
    emit('pc-state', { pc: side, state: lastState });
  };
  state.startTrickle = () => {
    if (state.canTrickle) return;
    state.canTrickle = true;
    for (const candidate of state.held) notify('candidate', { pc: side, candidate });
    state.held = [];
  };
  return state;
}

// ---- synthetic media ----

const videoSource = new RTCVideoSource();
const audioSource = new RTCAudioSource();
const videoTrack = videoSource.createTrack();
const audioTrack = audioSource.createTrack();
const sent = { videoFrames: 0, audioFrames: 0 };

// A moving gradient with a bar, so the encoder sees motion and produces real inter frames.
const i420 = new Uint8ClampedArray(WIDTH * HEIGHT * 3 / 2);
function nextVideoFrame() {
  const n = sent.videoFrames;
  const bar = (n * 4) % WIDTH;
  for (let y = 0; y < HEIGHT; y++) {
    const row = y * WIDTH;
    for (let x = 0; x < WIDTH; x++) {
      i420[row + x] = Math.abs(x - bar) < 12 ? 235 : (x + y + n) & 0xff;
    }
  }
  const chroma = WIDTH * HEIGHT / 4;
  i420.fill((n * 2) & 0xff, WIDTH * HEIGHT, WIDTH * HEIGHT + chroma);
  i420.fill(128, WIDTH * HEIGHT + chroma);
  videoSource.onFrame({ width: WIDTH, height: HEIGHT, data: i420 });
  sent.videoFrames++;
}

// A 440 Hz tone.
const pcm = new Int16Array(SAMPLES_PER_FRAME);
let phase = 0;
function nextAudioFrame() {
  for (let i = 0; i < SAMPLES_PER_FRAME; i++) {
    pcm[i] = Math.round(Math.sin(phase) * 8000);
    phase += 2 * Math.PI * 440 / SAMPLE_RATE;
  }
  phase %= 2 * Math.PI;
  audioSource.onData({
    samples: pcm,
    sampleRate: SAMPLE_RATE,
    bitsPerSample: 16,
    channelCount: 1,
    numberOfFrames: SAMPLES_PER_FRAME,
  });
  sent.audioFrames++;
}

// Timers drift; catch up on the frames a slow tick missed, so the rates stay 30/s and 100/s.
function pace(periodMs, produce) {
  const t0 = performance.now();
  let produced = 0;
  return setInterval(() => {
    const due = Math.floor((performance.now() - t0) / periodMs) + 1;
    for (let k = 0; produced < due && k < 5; k++, produced++) produce();
    produced = Math.max(produced, due - 5);
  }, periodMs);
}

// ---- remote participants ----

// participantId -> {videoFrames, audioFrames, firstFrame, left, sinks}; kept after it leaves,
// so that the last report still has its counts.
const remotes = new Map();
const trackToParticipant = new Map();

function remote(id) {
  let r = remotes.get(id);
  if (!r) {
    r = { videoFrames: 0, audioFrames: 0, firstFrame: false, left: false, sinks: [] };
    remotes.set(id, r);
  }
  return r;
}

function onTrack(ev) {
  const stream = ev.streams[0];
  if (!stream) {
    fail('subscribe', new Error(`${ev.track.kind} track ${ev.track.id} without a stream`));
    return;
  }
  const id = stream.id;
  const r = remote(id);
  trackToParticipant.set(ev.track.id, id);
  process.stderr.write(`track ${ev.track.kind} ${ev.track.id} from ${id}\n`);
  if (ev.track.kind === 'video') {
    const trackAt = performance.now();
    const sink = new RTCVideoSink(ev.track);
    sink.onframe = () => {
      r.videoFrames++;
      if (!r.firstFrame) {
        r.firstFrame = true;
        const now = performance.now();
        emit('first-frame', {
          participantId: id,
          sinceJoinMs: Math.round(now - joinedAt),
          sinceTrackMs: Math.round(now - trackAt),
        });
      }
    };
    r.sinks.push(sink);
  } else {
    const sink = new RTCAudioSink(ev.track);
    sink.ondata = () => {
      r.audioFrames++;
    };
    r.sinks.push(sink);
  }
}

// ---- subscribe: the relay offers, we answer, one offer at a time ----

const subscribe = createPc('subscribe');
subscribe.pc.ontrack = onTrack;
let subscribeChain = Promise.resolve();

function onSubscribeOffer(msg) {
  subscribeChain = subscribeChain
    .then(async () => {
      const pc = subscribe.pc;
      await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      notify('subscribeAnswer', { sdp: pc.localDescription.sdp, version: msg.version });
      subscribe.startTrickle();
    })
    .catch((e) => fail(`subscribe offer v${msg.version}`, e));
}

// ---- publish: we offer audio + video, the relay answers ----

const publish = createPc('publish');

async function publishMedia() {
  const pc = publish.pc;
  const stream = new MediaStream([audioTrack, videoTrack]);
  pc.addTransceiver(audioTrack, { direction: 'sendonly', streams: [stream] });
  pc.addTransceiver(videoTrack, { direction: 'sendonly', streams: [stream] });
  await pc.setLocalDescription(await pc.createOffer());
  const reply = request('publish', { sdp: pc.localDescription.sdp }, 'publishAnswer');
  publish.startTrickle();
  const answer = await reply;
  for (const r of answer.rejected || []) {
    fail('publish', new Error(`${r.kind} (mid ${r.mid}) rejected: ${r.reason}`));
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  emit('published', {});
}

// ---- stats ----

async function report() {
  const out = {};
  for (const [id, r] of remotes) {
    out[id] = { videoFrames: r.videoFrames, audioFrames: r.audioFrames, framesDecoded: 0, videoPackets: 0,
      audioPackets: 0, codec: null, left: r.left };
  }
  const sentRtp = { videoPackets: 0, audioPackets: 0, framesEncoded: 0 };
  try {
    const subscribeReport = await subscribe.pc.getStats();
    const byId = new Map();
    subscribeReport.forEach((s) => byId.set(s.id, s));
    subscribeReport.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const id = trackToParticipant.get(inboundTrackId(s, byId));
      if (!id || !out[id]) return;
      if (s.kind === 'video') {
        out[id].framesDecoded += s.framesDecoded || 0;
        out[id].videoPackets += s.packetsReceived || 0;
        const codec = s.codecId ? byId.get(s.codecId) : undefined;
        if (codec) out[id].codec = codec.mimeType;
      } else {
        out[id].audioPackets += s.packetsReceived || 0;
      }
    });
    const publishReport = await publish.pc.getStats();
    publishReport.forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      if (s.kind === 'video') {
        sentRtp.videoPackets += s.packetsSent || 0;
        sentRtp.framesEncoded += s.framesEncoded || 0;
      } else {
        sentRtp.audioPackets += s.packetsSent || 0;
      }
    });
  } catch (e) {
    fail('stats', e);
  }
  emit('stats', {
    participantId,
    sinceJoinMs: joinedAt === null ? null : Math.round(performance.now() - joinedAt),
    publishState: publish.pc.connectionState,
    subscribeState: subscribe.pc.connectionState,
    sent: { ...sent, ...sentRtp },
    remotes: out,
  });
}

/**
 * The receiving track's id of an inbound-rtp stat: trackIdentifier where the stats have it,
 * else through the (deprecated) track stat that M106 still links by trackId.
 */
function inboundTrackId(s, byId) {
  if (s.trackIdentifier) return s.trackIdentifier;
  const track = s.trackId ? byId.get(s.trackId) : undefined;
  return track ? track.trackIdentifier : undefined;
}

// ---- lifecycle ----

async function finish(code) {
  if (finished) return;
  finished = true;
  clearInterval(videoTimer);
  clearInterval(audioTimer);
  clearInterval(statsTimer);
  try {
    await report();
  } catch (e) {
    // the last report is best effort
  }
  emit('done', { participantId });
  for (const r of remotes.values()) for (const sink of r.sinks) sink.stop();
  if (ws.readyState === WebSocket.OPEN) send({ type: 'leave' });
  videoTrack.stop();
  audioTrack.stop();
  publish.pc.close();
  subscribe.pc.close();
  ws.close(1000, 'done');
  // wrtc's native threads can keep the event loop alive after close().
  setTimeout(() => process.exit(code), 200);
}

let videoTimer = null;
let audioTimer = null;
let statsTimer = null;

async function main() {
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  videoTimer = pace(1000 / FPS, nextVideoFrame);
  audioTimer = pace(10, nextAudioFrame);
  joinedAt = performance.now();
  const joined = await request('join', { room, name: name || undefined }, 'joined');
  participantId = joined.participantId;
  emit('joined', { participantId, room });
  statsTimer = setInterval(() => report().catch((e) => fail('stats', e)), STATS_INTERVAL_MS);
  await publishMedia();
}

process.on('SIGTERM', () => finish(143));
process.on('SIGINT', () => finish(130));
setTimeout(() => finish(0), runMs);
main().catch((e) => {
  fail('start', e);
  finish(1);
});
