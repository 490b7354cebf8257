// The signaling WebSocket (docs/signaling.md): one JSON object per frame, requests matched to
// their replies by `id`, a keepalive ping. One instance per connection; a rejoin makes a new one.

const REQUEST_TIMEOUT_MS = 10000;
const KEEPALIVE_MS = 25000;

export class SignalingSocket {
  /**
   * @param url the /ws URL (with ?access_token= when the relay needs one)
   * @param hooks {record(event, detail), onMessage(data), closeError(ev) -> Error, onClose(err)}
   */
  constructor(url, hooks) {
    this.url = url;
    this.hooks = hooks;
    this.ws = null;
    this.nextId = 1;
    // id -> {type, replyType, resolve, reject, timer}; fire-and-forget requests are not here.
    this.pending = new Map();
    this.keepalive = null;
    this.closed = false;
  }

  /** Opens the socket; resolves once open, rejects if it closes first. */
  open() {
    return new Promise((resolve, reject) => {
      // The token stays out of the log (window.relay.log and the console).
      this.hooks.record('ws-connecting', { url: this.url.replace(/access_token=[^&]*/, 'access_token=(token)') });
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.addEventListener('open', () => {
        this.hooks.record('ws-open');
        this.keepalive = setInterval(() => this.send({ type: 'ping' }), KEEPALIVE_MS);
        resolve();
      }, { once: true });
      ws.addEventListener('message', (ev) => { if (!this.closed) this.hooks.onMessage(ev.data); });
      ws.addEventListener('close', (ev) => {
        if (this.closed) return;
        this.closed = true;
        clearInterval(this.keepalive);
        this.hooks.record('ws-close', { code: ev.code, reason: ev.reason });
        const err = this.hooks.closeError(ev);
        reject(err);
        this.rejectAll(err);
        this.hooks.onClose(err);
      });
    });
  }

  isOpen() {
    return !!this.ws && !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Closes without telling the hooks (the caller ends the session itself); `code` 4000 and up is
   * a drop as far as the relay can tell.
   */
  close(code, reason) {
    if (this.closed || !this.ws) return;
    this.closed = true;
    clearInterval(this.keepalive);
    this.rejectAll(new Error(`signaling closed (${reason})`));
    this.ws.close(code, reason);
  }

  /** Closes as a network drop would: the close hooks run, as for a real one. */
  drop() {
    if (this.ws && !this.closed) this.ws.close(4000, 'dropped');
  }

  send(msg) {
    if (!this.isOpen()) {
      this.hooks.record('send-dropped', { type: msg.type });
      return false;
    }
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Sends a request with an id and returns a Promise of the reply of type replyType. */
  request(type, fields, replyType, timeoutMs = REQUEST_TIMEOUT_MS) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no '${replyType}' reply to '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { type, replyType, resolve, reject, timer });
      if (!this.send({ type, id, ...fields })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`cannot send '${type}': signaling is not open`));
      }
    });
  }

  /** A request whose only possible reply is an error (subscribeAnswer, candidate, mute). */
  notify(type, fields) {
    return this.send({ type, id: this.nextId++, ...fields });
  }

  /**
   * Settles the request a reply or error belongs to; false if none waits for it. An error
   * rejects with an Error whose `relayError` is the relay's message.
   */
  settle(msg) {
    const req = this.takePending(msg);
    if (!req) return false;
    clearTimeout(req.timer);
    if (msg.type === 'error') {
      const err = new Error(`${msg.code}: ${msg.message}`);
      err.relayError = msg;
      req.reject(err);
    } else {
      req.resolve(msg);
    }
    return true;
  }

  /**
   * By echoed id, else (should the relay omit the id) the oldest request waiting for this reply
   * type or named by the error's requestType.
   */
  takePending(msg) {
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const req = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      return req;
    }
    if (msg.id !== undefined && msg.id !== null) return null;
    for (const [id, req] of this.pending) {
      const matches = msg.type === 'error' ? req.type === msg.requestType : req.replyType === msg.type;
      if (matches) {
        this.pending.delete(id);
        return req;
      }
    }
    return null;
  }

  rejectAll(err) {
    for (const [id, req] of this.pending) {
      clearTimeout(req.timer);
      req.reject(err);
      this.pending.delete(id);
    }
  }
}
